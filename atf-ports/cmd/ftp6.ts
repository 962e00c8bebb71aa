import { parseIn6 } from '../../model/net/in6.ts';
import { stream6Fetch } from '../../model/net/stream6.ts';
import { type CmdContext, type CmdResult, failure, success } from './types.ts';

/** `ftp -q T -o out http://[ADDR]/file`: the fetch over IPv6. */
export function ftp6(ctx: CmdContext, addrText: string, quitSeconds: number): CmdResult {
  const dst = parseIn6(addrText);
  if (dst === undefined) return failure(`ftp: Can't lookup \`[${addrText}]'\n`);
  const outcome = stream6Fetch(ctx.host, dst, 80, quitSeconds);
  if (outcome.ok) return success();
  return failure(`ftp: Receiving HTTP reply: ${outcome.error}\n`);
}
