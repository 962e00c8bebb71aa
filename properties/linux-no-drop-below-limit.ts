import {
  type CountersEvent,
  type EnqueueEvent,
  packetText,
  type SockQueueEvent,
  type Trace,
} from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { isLinuxTrace } from './linux-trace.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const LINUX_NO_DROP_BELOW_LIMIT = 'linux-no-drop-below-limit';

/** FLOW_LIMIT_HISTORY / 2: skb_flow_limit drops a flow holding more of the last 128 slots (R8). */
const FLOW_LIMIT_SHARE_MAX = 64;

const v = (rule: ViolationRule, events: number[], message: string): Violation => ({
  property: LINUX_NO_DROP_BELOW_LIMIT,
  rule,
  events,
  message,
});

/** The UDP MIB row a datagram is counted in: its own family's, not its socket's. */
type UdpRow = 'Udp' | 'Udp6';

/** What the trace's own events count, to compare with every counters snapshot. */
interface Tally {
  readonly backlogDropsByCpu: Map<number, number>;
  readonly dropsBySock: Map<number, number>;
  /** Receive-buffer drops and reads per MIB row: Udp (/proc/net/snmp) for IPv4, Udp6 (snmp6) for IPv6. */
  readonly rows: Record<UdpRow, { rcvbufDrops: number; reads: number }>;
  /** Packets queued as IPv6, so their reads are tallied in the Udp6 row. */
  readonly inet6Pkts: Set<number>;
}

/** R7: the backlog takes a packet only below netdev_max_backlog, at the length the trace holds. */
function backlogEnqueue(ev: EnqueueEvent, qlen: Map<number, number>, i: number): Violation[] {
  const out: Violation[] = [];
  const len = qlen.get(ev.cpu) ?? 0;
  if (len >= ev.qlimitPackets)
    out.push(
      v(
        'R7',
        [i],
        `cpu ${ev.cpu} backlog took packet ${packetText(ev.pkt)} at qlen ${len}, over netdev_max_backlog ${ev.qlimitPackets - 1}`,
      ),
    );
  if (len !== ev.qlenBeforePackets)
    out.push(
      v(
        'R7',
        [i],
        `cpu ${ev.cpu} backlog enqueue reports qlen ${ev.qlenBeforePackets}, the trace holds ${len}`,
      ),
    );
  qlen.set(ev.cpu, len + 1);
  return out;
}

/** U2: a socket refuses only over sk_rcvbuf with a non-empty queue, and never takes one over it. */
function sockQueue(ev: SockQueueEvent, t: Tally, i: number): Violation[] {
  if (ev.family === 'inet6') t.inet6Pkts.add(ev.pkt);
  if (ev.outcome === 'dropped') {
    t.rows[ev.family === 'inet6' ? 'Udp6' : 'Udp'].rcvbufDrops++;
    t.dropsBySock.set(ev.sock, (t.dropsBySock.get(ev.sock) ?? 0) + 1);
    if (ev.rmemBeforeBytes === 0 || ev.rmemBeforeBytes + ev.truesizeBytes <= ev.rcvbufBytes) {
      return [
        v(
          'U2',
          [i],
          `socket ${ev.sock} dropped packet ${packetText(ev.pkt)} at rmem ${ev.rmemBeforeBytes} + truesize ${ev.truesizeBytes} within sk_rcvbuf ${ev.rcvbufBytes}`,
        ),
      ];
    }
  } else if (ev.rmemBeforeBytes > ev.rcvbufBytes) {
    return [
      v(
        'U2',
        [i],
        `socket ${ev.sock} took packet ${packetText(ev.pkt)} at rmem ${ev.rmemBeforeBytes} over sk_rcvbuf ${ev.rcvbufBytes}`,
      ),
    ];
  }
  return [];
}

/**
 * No drop below the limit on the Linux receive path, each drop counted once, counters agreeing:
 * - R7: a backlog enqueue sees input_pkt_queue (rebuilt: `enqueue` +1, `batch` splices it empty)
 *   at most netdev_max_backlog long, and reports that length; a backlog drop that is not a flow-limit
 *   drop happens only over it (qlen >= max + 1); R8: a flow-limit drop only for a flow holding more
 *   than 64 of the last 128 history slots;
 * - U2: a UDP socket refuses an skb only when rmem + truesize would exceed sk_rcvbuf and the queue
 *   is not empty, and never takes one when rmem is already over sk_rcvbuf;
 * - U5 / R7 counters: at every snapshot each CPU's softnet dropped equals its backlog drop
 *   events, Udp RcvbufErrors and InErrors equal the rcvbuf drops, each socket's drops its own,
 *   InDatagrams the datagrams read.
 */
export function checkLinuxNoDropBelowLimit(trace: Trace): readonly Violation[] {
  if (!isLinuxTrace(trace)) return [];
  const qlen = new Map<number, number>();
  const t: Tally = {
    backlogDropsByCpu: new Map(),
    dropsBySock: new Map(),
    rows: { Udp: { rcvbufDrops: 0, reads: 0 }, Udp6: { rcvbufDrops: 0, reads: 0 } },
    inet6Pkts: new Set(),
  };
  const out: Violation[] = [];
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    switch (ev.kind) {
      case 'enqueue':
        if (ev.proto === 'ip') out.push(...backlogEnqueue(ev, qlen, i));
        break;
      case 'batch':
        if (ev.proto === 'ip') qlen.set(ev.cpu, 0);
        break;
      case 'drop':
        if (ev.where === 'backlog') {
          out.push(
            ...backlogDrop(ev.reason, ev.qlenPackets, ev.qlimitPackets, qlen.get(ev.cpu) ?? 0, ev.cpu, i),
          );
          t.backlogDropsByCpu.set(ev.cpu, (t.backlogDropsByCpu.get(ev.cpu) ?? 0) + 1);
        }
        break;
      case 'sock-queue':
        out.push(...sockQueue(ev, t, i));
        break;
      case 'deliver':
        // `udp6:` names a udpv6 socket (a live IPv6 run, whose queued packets have no sock-queue event).
        if (ev.layer.startsWith('udp6:')) t.rows.Udp6.reads++;
        else if (ev.layer.startsWith('udp:')) t.rows[t.inet6Pkts.has(ev.pkt) ? 'Udp6' : 'Udp'].reads++;
        break;
      case 'counters':
        out.push(...counted(ev, t, i));
        break;
      default:
        break;
    }
  }
  return out.slice(0, VIOLATIONS_MAX);
}

function backlogDrop(
  reason: string,
  reported: number | undefined,
  limit: number | undefined,
  len: number,
  cpu: number,
  i: number,
): Violation[] {
  if (reason === 'flow_limit') {
    return reported !== undefined && reported > FLOW_LIMIT_SHARE_MAX
      ? []
      : [
          v(
            'R8',
            [i],
            `flow-limit drop on cpu ${cpu} for a flow holding ${reported ?? '?'} of the last 128 slots, want > ${FLOW_LIMIT_SHARE_MAX}`,
          ),
        ];
  }
  if (limit === undefined || len < limit) {
    return [
      v(
        'R7',
        [i],
        `cpu ${cpu} backlog dropped at qlen ${len}, below netdev_max_backlog + 1 = ${limit ?? '?'}`,
      ),
    ];
  }
  return reported === len
    ? []
    : [v('R7', [i], `cpu ${cpu} backlog drop reports qlen ${reported ?? '?'}, the trace holds ${len}`)];
}

function counted(ev: CountersEvent, t: Tally, i: number): Violation[] {
  const out: Violation[] = [];
  const want = (name: string, events: number, rule: ViolationRule, what: string) => {
    const got = ev.stats[name];
    if (got !== undefined && got !== events)
      out.push(v(rule, [i], `${name} is ${got}, but the trace shows ${events} ${what}`));
  };
  const linux = Object.keys(ev.stats).some(
    (k) => k.startsWith('softnet') || k.startsWith('Udp.') || k.startsWith('Udp6.'),
  );
  if (!linux) return out;
  for (const key of Object.keys(ev.stats)) {
    const cpu = /^softnet_cpu(\d+)\.dropped$/.exec(key)?.[1];
    if (cpu !== undefined)
      want(key, t.backlogDropsByCpu.get(Number(cpu)) ?? 0, 'R7', `backlog drops on cpu ${cpu}`);
    const sock = /^udp_sock(\d+)\.drops$/.exec(key)?.[1];
    if (sock !== undefined) want(key, t.dropsBySock.get(Number(sock)) ?? 0, 'U5', `drops on socket ${sock}`);
  }
  for (const row of ['Udp', 'Udp6'] as const) {
    const { rcvbufDrops, reads } = t.rows[row];
    const v6 = row === 'Udp6' ? 'IPv6 ' : '';
    want(`${row}.RcvbufErrors`, rcvbufDrops, 'U5', `${v6}socket receive buffer drops`);
    want(
      `${row}.InErrors`,
      rcvbufDrops,
      'U5',
      `${v6}socket receive buffer drops (an ENOMEM is charged twice)`,
    );
    want(`${row}.InDatagrams`, reads, 'U8', `${v6}datagrams read`);
  }
  return out;
}

export const linuxNoDropBelowLimit: PropertySpec = {
  name: LINUX_NO_DROP_BELOW_LIMIT,
  rules: ['R7', 'R8', 'U2', 'U5', 'U8'],
  summary: summaryOf(LINUX_NO_DROP_BELOW_LIMIT),
  check: checkLinuxNoDropBelowLimit,
};
