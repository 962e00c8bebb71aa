import { errnoText } from '../../model/net/errno.ts';
import type { IcmpDelivery } from '../../model/net/host.ts';
import { formatInAddr, INADDR_ANY, type InAddr, parseInAddr } from '../../model/net/inet.ts';
import { ipOutput, ipPacket } from '../../model/net/ip.ts';
import type { IcmpMessage } from '../../model/net/wire.ts';
import { type EchoTally, echoResult, runEchoLoop } from './echo-loop.ts';
import { resolveHostName } from './format.ts';
import { type CmdContext, type CmdResult, splitShortOptions } from './types.ts';

const DATA_BYTES = 56;
/** ping.c builds the IP header itself (IP_HDRINCL): without -T the TTL is MAXTTL, not net.inet.ip.ttl. */
const MAXTTL = 255;

interface PingOptions {
  count: number;
  deadlineSeconds: number | undefined;
  ttl: number | undefined;
  source: InAddr | undefined;
  quiet: boolean;
  verbose: boolean;
  target: string;
}

function parse(argv: readonly string[]): PingOptions {
  const args = splitShortOptions(argv, 'cwTIW');
  const o: PingOptions = {
    count: 0,
    deadlineSeconds: undefined,
    ttl: undefined,
    source: undefined,
    quiet: false,
    verbose: false,
    target: '',
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-c') o.count = Number(args[++i]);
    else if (a === '-w') o.deadlineSeconds = Number(args[++i]);
    else if (a === '-T') o.ttl = Number(args[++i]);
    else if (a === '-I') o.source = parseInAddr(args[++i] ?? '');
    else if (a === '-q') o.quiet = true;
    else if (a === '-v') o.verbose = true;
    else if (!a.startsWith('-')) o.target = a;
  }
  return o;
}

/** pr_icmph wording for the errors ping -v prints. */
function describeError(icmp: IcmpMessage): string | undefined {
  switch (icmp.type) {
    case 'time-exceeded':
      return 'Time To Live exceeded';
    case 'unreach':
      return icmp.code === 'host' ? 'Destination Host Unreachable' : 'Destination Net Unreachable';
    case 'redirect':
      return `Redirect Host(New addr: ${formatInAddr(icmp.gateway)})`;
    case 'echo-request':
    case 'echo-reply':
      return undefined;
    default:
      return undefined;
  }
}

/** Counts echo replies to request `id` and prints them (and, with -v, the errors quoting a request). */
function echoReplyListener(
  o: PingOptions,
  ctx: CmdContext,
  id: number,
  out: string[],
  tally: EchoTally,
  sentNs: ReadonlyMap<number, number>,
): (d: IcmpDelivery) => void {
  const world = ctx.host.world;
  return (d) => {
    const icmp = d.icmp;
    if (icmp.type === 'echo-reply' && icmp.id === id) {
      tally.received++;
      if (o.quiet) return;
      // pr_pack_sub: the round trip from the timestamp in the payload, nanoseconds (F_TIMING64).
      const rttMs = (world.nowNs - (sentNs.get(icmp.seq) ?? world.nowNs)) / 1e6;
      out.push(
        `64 bytes from ${formatInAddr(d.from)}: icmp_seq=${icmp.seq} ttl=${d.ttl} time=${rttMs.toFixed(6)} ms`,
      );
      return;
    }
    if (!('quoted' in icmp) || icmp.quoted.body.proto !== 'icmp') return;
    const quoted = icmp.quoted.body.icmp;
    if (quoted.type !== 'echo-request' || quoted.id !== id) return;
    const text = describeError(icmp);
    if (o.verbose && text !== undefined) out.push(`36 bytes from ${formatInAddr(d.from)}: ${text}`);
  };
}

/**
 * ping(8): one echo request a second, until -c replies arrived or -w seconds passed.
 * Exit 0 when any reply came back, 2 otherwise. Runs the world's clock while it waits.
 */
export function ping(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const o = parse(argv);
  const dst = parseInAddr(resolveHostName(o.target));
  if (dst === undefined)
    return { status: 68, stdout: '', stderr: `ping: Cannot resolve "${o.target}" (Unknown host)\n` };
  const host = ctx.host;
  const id = host.world.random.below(0x10000);
  const out = [`PING ${o.target} (${formatInAddr(dst)}): ${DATA_BYTES} data bytes`];
  const err: string[] = [];
  const tally: EchoTally = { transmitted: 0, received: 0 };
  const sentNs = new Map<number, number>();
  const listener = echoReplyListener(o, ctx, id, out, tally, sentNs);
  host.icmpListeners.add(listener);
  try {
    runEchoLoop(host.world, { ...o, lastWaitEndsAtFirstReply: true }, tally, (seq) => {
      sentNs.set(seq, host.world.nowNs);
      const pkt = ipPacket(
        host,
        o.source ?? INADDR_ANY,
        dst,
        { proto: 'icmp', icmp: { type: 'echo-request', id, seq, dataBytes: DATA_BYTES } },
        o.ttl ?? MAXTTL,
      );
      const error = ipOutput(host, pkt);
      if (error !== undefined) err.push(`ping: sendto: ${errnoText[error]}`);
    });
  } finally {
    host.icmpListeners.delete(listener);
  }
  return echoResult(`----${o.target} PING Statistics----`, tally, out, err);
}
