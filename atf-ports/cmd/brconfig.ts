import {
  BRIDGE_RTABLE_MAX,
  BRIDGE_RTABLE_TIMEOUT_SECONDS,
  bridgeAddMember,
  bridgeDeleteMember,
  bridgeOf,
  bridgeRtExpireSeconds,
} from '../../model/net/bridge.ts';
import { errnoText } from '../../model/net/errno.ts';
import { ifFlagNames, ifFlagsWord } from '../../model/net/ifnet.ts';
import { type CmdContext, type CmdResult, failure, lines, success } from './types.ts';

/** brconfig(8): show a bridge, `add IF`, `delete IF`. */
export function brconfig(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const [name = '', ...ops] = argv;
  const ifp = ctx.host.ifByName(name);
  const sc = ifp === undefined ? undefined : bridgeOf(ifp);
  if (ifp === undefined || sc === undefined) return failure(`brconfig: ${name}: No such interface\n`);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const memberName = ops[++i] ?? '';
    const member = ctx.host.ifByName(memberName);
    if (member === undefined) return failure(`brconfig: ${memberName}: No such interface\n`);
    const r =
      op === 'add'
        ? bridgeAddMember(ifp, member)
        : op === 'delete'
          ? bridgeDeleteMember(ifp, member)
          : undefined;
    if (r === undefined) return failure(`brconfig: unknown command: ${op}\n`);
    if (!r.ok) return failure(`brconfig: ${op} ${memberName}: ${errnoText[r.error]}\n`);
  }
  if (ops.length > 0) return success();
  const out = [
    `${ifp.name}: flags=${ifFlagsWord(ifp).toString(16)}<${ifFlagNames(ifp).join(',')}>`,
    '\tConfiguration:',
    '\t\tpriority 32768 hellotime 2 fwddelay 15 maxage 20',
    '\t\tipfast 0 protocol stp',
    '\tInterfaces:',
  ];
  for (const m of sc.members)
    out.push(`\t\t${m.name} flags=3<LEARNING,DISCOVER>`, `\t\t\tport ${m.index} priority 128`);
  out.push(`\tAddress cache (max cache: ${BRIDGE_RTABLE_MAX}, timeout: ${BRIDGE_RTABLE_TIMEOUT_SECONDS}):`);
  for (const e of sc.rtable.values())
    out.push(`\t\t${e.mac} ${e.member.name} ${bridgeRtExpireSeconds(ctx.host, e)} flags=0<>`);
  return success(lines(out));
}
