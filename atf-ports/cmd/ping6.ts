import { errnoText } from '../../model/net/errno.ts';
import { IN6_ANY, isLinkScope6 } from '../../model/net/in6.ts';
import { type Icmp6Delivery, in6OwnAddr, inet6Of } from '../../model/net/in6var.ts';
import { ip6Output, ip6Packet } from '../../model/net/ip6.ts';
import type { Icmp6Message } from '../../model/net/wire.ts';
import { type EchoTally, echoResult, runEchoLoop } from './echo-loop.ts';
import { formatScoped6, parseScoped6, type Scoped6 } from './scope6.ts';
import { type CmdContext, type CmdResult, splitShortOptions } from './types.ts';

const DATA_BYTES = 8;

interface Ping6Options {
  count: number;
  deadlineSeconds: number | undefined;
  hoplimit: number | undefined;
  source: string | undefined;
  verbose: boolean;
  target: string;
}

function parse(argv: readonly string[]): Ping6Options {
  const args = splitShortOptions(argv, 'cXhS');
  const o: Ping6Options = {
    count: 0,
    deadlineSeconds: undefined,
    hoplimit: undefined,
    source: undefined,
    verbose: false,
    target: '',
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-c') o.count = Number(args[++i]);
    else if (a === '-X') o.deadlineSeconds = Number(args[++i]);
    else if (a === '-h') o.hoplimit = Number(args[++i]);
    else if (a === '-S') o.source = args[++i];
    else if (a === '-v') o.verbose = true;
    else if (!a.startsWith('-')) o.target = a;
  }
  return o;
}

/** pr_icmph's wording for the errors ping6 -v prints. */
function describeError(icmp: Icmp6Message): string | undefined {
  switch (icmp.type) {
    case 'time-exceeded':
      return 'Time to live exceeded';
    case 'unreach':
      return icmp.code === 'beyondscope'
        ? 'Beyond scope of source address'
        : icmp.code === 'addr'
          ? 'Address unreachable'
          : 'No route to destination';
    default:
      return undefined;
  }
}

/** Counts echo replies to request `id` and prints them (and, with -v, the errors quoting a request). */
function echo6ReplyListener(
  o: Ping6Options,
  id: number,
  out: string[],
  tally: EchoTally,
): (d: Icmp6Delivery) => void {
  return (d) => {
    const icmp = d.icmp6;
    if (icmp.type === 'echo-reply' && icmp.id === id) {
      tally.received++;
      out.push(`${8 + DATA_BYTES} bytes from ${d.from}, icmp_seq=${icmp.seq} hlim=${d.hlim} time=0.100 ms`);
      return;
    }
    if (!('quoted' in icmp) || icmp.type === 'redirect') return;
    const quoted = icmp.quoted.body;
    if (quoted.proto !== 'icmp6' || quoted.icmp6.type !== 'echo-request' || quoted.icmp6.id !== id) return;
    const text = describeError(icmp);
    if (o.verbose && text !== undefined) out.push(`48 bytes from ${d.from}: ${text}`);
  };
}

/**
 * ping6(8): one echo request a second until -c replies arrived, -X seconds passed, or (without
 * -X) MAXWAIT seconds after the last request. Exit 0 when a reply came back, 2 otherwise.
 */
export function ping6(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const o = parse(argv);
  const host = ctx.host;
  const dst = parseScoped6(host, o.target);
  if (dst === undefined)
    return { status: 1, stdout: '', stderr: `ping6: ${o.target}: No address associated with hostname\n` };
  let src: Scoped6 | undefined;
  if (o.source !== undefined) {
    src = parseScoped6(host, o.source);
    if (
      src === undefined ||
      (isLinkScope6(src.addr) && src.zone === 0) ||
      in6OwnAddr(host, src.addr, src.zone) === undefined
    ) {
      return { status: 1, stdout: '', stderr: "ping6: bind: Can't assign requested address\n" };
    }
  }
  const id = host.world.random.below(0x10000);
  const out = [
    `PING6(${40 + 8 + DATA_BYTES}=40+8+${DATA_BYTES} bytes) ${src === undefined ? '::' : formatScoped6(host, src)} --> ${formatScoped6(host, dst)}`,
  ];
  const err: string[] = [];
  const tally: EchoTally = { transmitted: 0, received: 0 };
  const listener = echo6ReplyListener(o, id, out, tally);
  const listeners = inet6Of(host).icmp6Listeners;
  listeners.add(listener);
  try {
    runEchoLoop(host.world, { ...o, lastWaitEndsAtFirstReply: false }, tally, (seq) => {
      const icmp6: Icmp6Message = { type: 'echo-request', id, seq, dataBytes: DATA_BYTES };
      const pkt = ip6Packet(host, src?.addr ?? IN6_ANY, dst.addr, { proto: 'icmp6', icmp6 }, o.hoplimit);
      const error = ip6Output(host, pkt, {
        zone: dst.zone,
        ...(src === undefined ? {} : { srcZone: src.zone }),
      });
      if (error !== undefined)
        err.push(`ping6: sendmsg: ${errnoText[error]}`, `ping6: wrote ${o.target} 16 chars, ret=-1`);
    });
  } finally {
    listeners.delete(listener);
  }
  return echoResult(`--- ${o.target} ping6 statistics ---`, tally, out, err);
}
