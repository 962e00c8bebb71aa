import { formatInAddr, parseInAddr } from '../../model/net/inet.ts';
import { streamFetch } from '../../model/net/stream.ts';
import { ftp6 } from './ftp6.ts';
import { type CmdContext, type CmdResult, failure, lines, success } from './types.ts';

/**
 * The ifconf helper of tests/net/if (SIOCGIFCONF): `total` prints how many ifreq entries
 * the kernel returns (one per interface address, the AF_LINK one included); `list [N]`
 * prints at most N of them, one per line.
 */
export function ifconf(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const entries: string[] = [];
  for (const ifp of ctx.host.ifnets) {
    entries.push(`${ifp.name}: link`);
    for (const ia of ifp.inAddrs) entries.push(`${ifp.name}: inet ${formatInAddr(ia.addr)}`);
    for (const ia6 of ifp.in6Addrs) entries.push(`${ifp.name}: inet6 ${ia6.addr}`);
  }
  if (argv[0] === 'total') return success(lines([String(entries.length)]));
  if (argv[0] === 'list') {
    const limit = argv[1] === undefined ? entries.length : Number(argv[1]);
    return success(lines(entries.slice(0, limit)));
  }
  return failure('usage: ifconf total | list [num]\n');
}

/** `ftp -q T -o out http://ADDR/file`: a fetch over the model's stream transport. */
export function ftp(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const qAt = argv.indexOf('-q');
  const quitSeconds = qAt >= 0 ? Number(argv[qAt + 1]) : 60;
  const url = argv.find((a) => a.startsWith('http://')) ?? '';
  const hostPart = /^http:\/\/([^/]+)\//.exec(url)?.[1] ?? '';
  const v6 = /^\[(.+)\]$/.exec(hostPart)?.[1];
  if (v6 !== undefined) return ftp6(ctx, v6, quitSeconds);
  const dst = parseInAddr(hostPart);
  if (dst === undefined) return failure(`ftp: Can't lookup \`${hostPart}'\n`);
  const outcome = streamFetch(ctx.host, dst, 80, quitSeconds);
  if (outcome.ok) return success();
  return failure(`ftp: Receiving HTTP reply: ${outcome.error}\n`);
}
