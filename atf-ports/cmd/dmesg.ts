import { type CmdContext, type CmdResult, lines, success } from './types.ts';

/** dmesg(8) through the rump hijack library: the kernel message buffer of the server. */
export function dmesg(ctx: CmdContext, _argv: readonly string[]): CmdResult {
  return success(lines(ctx.host.dmesg));
}
