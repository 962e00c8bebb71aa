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
import { perStatName } from './stat-names.ts';
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

/**
 * R7: the backlog takes a packet only below netdev_max_backlog, at the length the trace holds.
 * Appends to `out`, as the other steps of this checker do (no list per event).
 */
function backlogEnqueue(ev: EnqueueEvent, qlen: Map<number, number>, i: number, out: Violation[]): void {
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
}

/** U2: a socket refuses only over sk_rcvbuf with a non-empty queue, and never takes one over it. */
function sockQueue(ev: SockQueueEvent, t: Tally, i: number, out: Violation[]): void {
  if (ev.family === 'inet6') t.inet6Pkts.add(ev.pkt);
  if (ev.outcome === 'dropped') {
    t.rows[ev.family === 'inet6' ? 'Udp6' : 'Udp'].rcvbufDrops++;
    t.dropsBySock.set(ev.sock, (t.dropsBySock.get(ev.sock) ?? 0) + 1);
    if (ev.rmemBeforeBytes === 0 || ev.rmemBeforeBytes + ev.truesizeBytes <= ev.rcvbufBytes) {
      out.push(
        v(
          'U2',
          [i],
          `socket ${ev.sock} dropped packet ${packetText(ev.pkt)} at rmem ${ev.rmemBeforeBytes} + truesize ${ev.truesizeBytes} within sk_rcvbuf ${ev.rcvbufBytes}`,
        ),
      );
    }
  } else if (ev.rmemBeforeBytes > ev.rcvbufBytes) {
    out.push(
      v(
        'U2',
        [i],
        `socket ${ev.sock} took packet ${packetText(ev.pkt)} at rmem ${ev.rmemBeforeBytes} over sk_rcvbuf ${ev.rcvbufBytes}`,
      ),
    );
  }
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
        if (ev.proto === 'ip') backlogEnqueue(ev, qlen, i, out);
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
        sockQueue(ev, t, i, out);
        break;
      case 'deliver':
        // `udp6:` names a udpv6 socket (a live IPv6 run, whose queued packets have no sock-queue event).
        if (ev.layer.startsWith('udp6:')) t.rows.Udp6.reads++;
        else if (ev.layer.startsWith('udp:')) t.rows[t.inet6Pkts.has(ev.pkt) ? 'Udp6' : 'Udp'].reads++;
        break;
      case 'counters':
        counted(ev, t, i, out);
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

/** Whether a statistic is one only the Linux model keeps (a snapshot without any is not judged). */
const isLinuxStat = perStatName(
  (k) => k.startsWith('softnet') || k.startsWith('Udp.') || k.startsWith('Udp6.'),
);
/** The N of `softnet_cpuN.dropped` and of `udp_sockN.drops`, as written. */
const droppedCpu = perStatName((k) => /^softnet_cpu(\d+)\.dropped$/.exec(k)?.[1]);
const dropsSock = perStatName((k) => /^udp_sock(\d+)\.drops$/.exec(k)?.[1]);

/** Each MIB row's judged statistics, in the order judged: the rule, the tally, what it counts. */
const ROW_STATS: readonly {
  readonly row: UdpRow;
  readonly name: string;
  readonly rule: ViolationRule;
  readonly tally: 'rcvbufDrops' | 'reads';
  readonly what: string;
}[] = (['Udp', 'Udp6'] as const).flatMap((row) => {
  const v6 = row === 'Udp6' ? 'IPv6 ' : '';
  return [
    {
      row,
      name: `${row}.RcvbufErrors`,
      rule: 'U5',
      tally: 'rcvbufDrops',
      what: `${v6}socket receive buffer drops`,
    },
    {
      row,
      name: `${row}.InErrors`,
      rule: 'U5',
      tally: 'rcvbufDrops',
      what: `${v6}socket receive buffer drops (an ENOMEM is charged twice)`,
    },
    { row, name: `${row}.InDatagrams`, rule: 'U8', tally: 'reads', what: `${v6}datagrams read` },
  ] as const;
});

/** Whether the snapshot holds `name` at another value than the trace's `events`. */
function differs(ev: CountersEvent, name: string, events: number): boolean {
  const got = ev.stats[name];
  return got !== undefined && got !== events;
}

const shows = (ev: CountersEvent, name: string, events: number, what: string): string =>
  `${name} is ${ev.stats[name]}, but the trace shows ${events} ${what}`;

/** Appends to `out`; a message is made only for a statistic that differs. */
function counted(ev: CountersEvent, t: Tally, i: number, out: Violation[]): void {
  const keys = Object.keys(ev.stats);
  if (!keys.some(isLinuxStat)) return;
  for (const key of keys) {
    const cpu = droppedCpu(key);
    if (cpu !== undefined) {
      const events = t.backlogDropsByCpu.get(Number(cpu)) ?? 0;
      if (differs(ev, key, events))
        out.push(v('R7', [i], shows(ev, key, events, `backlog drops on cpu ${cpu}`)));
    }
    const sock = dropsSock(key);
    if (sock !== undefined) {
      const events = t.dropsBySock.get(Number(sock)) ?? 0;
      if (differs(ev, key, events)) out.push(v('U5', [i], shows(ev, key, events, `drops on socket ${sock}`)));
    }
  }
  for (const s of ROW_STATS) {
    const events = t.rows[s.row][s.tally];
    if (differs(ev, s.name, events)) out.push(v(s.rule, [i], shows(ev, s.name, events, s.what)));
  }
}

export const linuxNoDropBelowLimit: PropertySpec = {
  name: LINUX_NO_DROP_BELOW_LIMIT,
  rules: ['R7', 'R8', 'U2', 'U5', 'U8'],
  summary: summaryOf(LINUX_NO_DROP_BELOW_LIMIT),
  check: checkLinuxNoDropBelowLimit,
};
