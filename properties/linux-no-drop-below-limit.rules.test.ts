import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../model/trace.ts';
import { checkLinuxNoDropBelowLimit } from './linux-no-drop-below-limit.ts';
import { batch, counters, deliver, drop, enqueue, ipi, sockQueue, withHole } from './test/trace-builder.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'linux-no-drop-below-limit',
  rule,
  events,
  message,
});
/** A Linux-only event at the end marks the trace as the Linux model's. */
const linux = (...events: TraceEvent[]) => checkLinuxNoDropBelowLimit([...events, ipi({ reason: 'rps' })]);
const enq = (pkt: number, qlenBeforePackets: number, qlimitPackets = 2, cpu = 0) =>
  enqueue({ pkt, cpu, qlenBeforePackets, qlimitPackets });
const backlogDrop = (f: Parameters<typeof drop>[0]) =>
  drop({ where: 'backlog', reason: 'input_pkt_queue over netdev_max_backlog', ...f });

describe('linux-no-drop-below-limit rules (R7, R8, U2, U5, U8)', () => {
  it('an empty trace passes; a FreeBSD trace passes vacuously', () => {
    expect(checkLinuxNoDropBelowLimit([])).toEqual([]);
    expect(checkLinuxNoDropBelowLimit([enq(1, 5), backlogDrop({})])).toEqual([]);
  });

  it('R7: the backlog takes a packet only below netdev_max_backlog', () => {
    expect(linux(enq(1, 0), enq(2, 1), enq(3, 2))).toEqual([
      viol('R7', [2], 'cpu 0 backlog took packet 3 at qlen 2, over netdev_max_backlog 1'),
    ]);
    expect(linux(enq(1, 0), enq(2, 1))).toEqual([]);
  });

  it('R7: an enqueue reports the length the trace holds', () => {
    expect(linux(enq(1, 0), enq(2, 0))).toEqual([
      viol('R7', [1], 'cpu 0 backlog enqueue reports qlen 0, the trace holds 1'),
    ]);
  });

  it('the backlog length is per CPU, counts only ip, and a batch of ip empties it', () => {
    expect(linux(enq(1, 0), enq(2, 0, 2, 1))).toEqual([]);
    expect(linux(enq(1, 0), enqueue({ pkt: 2, proto: 'ip6', qlenBeforePackets: 7 }), enq(3, 1))).toEqual([]);
    expect(linux(enq(1, 0), batch({ proto: 'ip', cpu: 0 }), enq(2, 0))).toEqual([]);
    expect(linux(enq(1, 0), batch({ proto: 'ip6', cpu: 0 }), enq(2, 1))).toEqual([]);
    expect(linux(enq(1, 0), batch({ proto: 'ip', cpu: 1 }), enq(2, 1))).toEqual([]);
  });

  it('R7: a backlog drop only at netdev_max_backlog + 1, reporting that length', () => {
    expect(linux(enq(1, 0), backlogDrop({ cpu: 0, qlenPackets: 1, qlimitPackets: 2 }))).toEqual([
      viol('R7', [1], 'cpu 0 backlog dropped at qlen 1, below netdev_max_backlog + 1 = 2'),
    ]);
    expect(linux(enq(1, 0), enq(2, 1), backlogDrop({ qlenPackets: 2, qlimitPackets: 2 }))).toEqual([]);
    expect(linux(enq(1, 0), enq(2, 1), backlogDrop({ qlenPackets: 3, qlimitPackets: 2 }))).toEqual([
      viol('R7', [2], 'cpu 0 backlog drop reports qlen 3, the trace holds 2'),
    ]);
    expect(linux(enq(1, 0), enq(2, 1), backlogDrop({ qlimitPackets: 2 }))).toEqual([
      viol('R7', [2], 'cpu 0 backlog drop reports qlen ?, the trace holds 2'),
    ]);
  });

  it('R7: a backlog drop without a limit is never justified', () => {
    expect(linux(backlogDrop({ cpu: 3 }))).toEqual([
      viol('R7', [0], 'cpu 3 backlog dropped at qlen 0, below netdev_max_backlog + 1 = ?'),
    ]);
  });

  it('drops elsewhere than the backlog are not judged here', () => {
    expect(linux(drop({ where: 'socket', qlimitPackets: 5 }))).toEqual([]);
  });

  it('R8: a flow-limit drop only for a flow holding more than 64 of the last 128 slots', () => {
    const fl = (qlenPackets: number | undefined) =>
      linux(backlogDrop({ reason: 'flow_limit', cpu: 1, qlenPackets }));
    expect(fl(64)).toEqual([
      viol('R8', [0], 'flow-limit drop on cpu 1 for a flow holding 64 of the last 128 slots, want > 64'),
    ]);
    expect(fl(undefined)).toEqual([
      viol('R8', [0], 'flow-limit drop on cpu 1 for a flow holding ? of the last 128 slots, want > 64'),
    ]);
    expect(fl(65)).toEqual([]);
  });

  it('U2: a socket drops only when rmem + truesize exceeds sk_rcvbuf and the queue is not empty', () => {
    const dropped = (rmemBeforeBytes: number) =>
      linux(
        sockQueue({
          sock: 2,
          pkt: 5,
          outcome: 'dropped',
          rmemBeforeBytes,
          truesizeBytes: 100,
          rcvbufBytes: 1000,
        }),
      );
    expect(dropped(900)).toEqual([
      viol('U2', [0], 'socket 2 dropped packet 5 at rmem 900 + truesize 100 within sk_rcvbuf 1000'),
    ]);
    expect(dropped(0)).toEqual([
      viol('U2', [0], 'socket 2 dropped packet 5 at rmem 0 + truesize 100 within sk_rcvbuf 1000'),
    ]);
    expect(dropped(901)).toEqual([]);
    expect(
      linux(sockQueue({ outcome: 'dropped', rmemBeforeBytes: 0, truesizeBytes: 2000, rcvbufBytes: 1000 })),
    ).toHaveLength(1);
  });

  it('U2: a socket never takes an skb with rmem already over sk_rcvbuf', () => {
    const took = (rmemBeforeBytes: number, outcome: 'queued' | 'backlog' = 'queued') =>
      linux(sockQueue({ sock: 2, pkt: 5, outcome, rmemBeforeBytes, rcvbufBytes: 1000 }));
    expect(took(1001)).toEqual([viol('U2', [0], 'socket 2 took packet 5 at rmem 1001 over sk_rcvbuf 1000')]);
    expect(took(1001, 'backlog')).toHaveLength(1);
    expect(took(1000)).toEqual([]);
  });

  it('R7 counters: softnet dropped equals the backlog drops of that CPU', () => {
    const drops = [enq(1, 0), enq(2, 1), backlogDrop({ cpu: 0, qlenPackets: 2, qlimitPackets: 2 })];
    expect(linux(...drops, counters({ 'softnet_cpu0.dropped': 1, 'softnet_cpu10.dropped': 0 }))).toEqual([]);
    expect(linux(...drops, counters({ 'softnet_cpu0.dropped': 2, 'softnet_cpu10.dropped': 1 }))).toEqual([
      viol('R7', [3], 'softnet_cpu0.dropped is 2, but the trace shows 1 backlog drops on cpu 0'),
      viol('R7', [3], 'softnet_cpu10.dropped is 1, but the trace shows 0 backlog drops on cpu 10'),
    ]);
    expect(
      linux(backlogDrop({ reason: 'flow_limit', qlenPackets: 65 }), counters({ 'softnet_cpu0.dropped': 1 })),
    ).toEqual([]);
  });

  it('U5 counters: RcvbufErrors, InErrors and each socket drops equal the rcvbuf drops', () => {
    const sockDrop = sockQueue({
      sock: 3,
      outcome: 'dropped',
      rmemBeforeBytes: 950,
      truesizeBytes: 100,
      rcvbufBytes: 1000,
    });
    const ok = { 'Udp.RcvbufErrors': 1, 'Udp.InErrors': 1, 'udp_sock3.drops': 1, 'udp_sock13.drops': 0 };
    expect(linux(sockDrop, counters(ok))).toEqual([]);
    const bad = { 'Udp.RcvbufErrors': 0, 'Udp.InErrors': 2, 'udp_sock3.drops': 0, 'udp_sock13.drops': 1 };
    expect(linux(sockDrop, counters(bad))).toEqual([
      viol('U5', [1], 'udp_sock3.drops is 0, but the trace shows 1 drops on socket 3'),
      viol('U5', [1], 'udp_sock13.drops is 1, but the trace shows 0 drops on socket 13'),
      viol('U5', [1], 'Udp.RcvbufErrors is 0, but the trace shows 1 socket receive buffer drops'),
      viol(
        'U5',
        [1],
        'Udp.InErrors is 2, but the trace shows 1 socket receive buffer drops (an ENOMEM is charged twice)',
      ),
    ]);
  });

  it('U8 counters: InDatagrams equals the datagrams read from udp sockets', () => {
    const reads = [deliver({ layer: 'udp:0' }), deliver({ layer: 'udp' }), deliver({ layer: 'tcp:udp:' })];
    expect(linux(...reads, counters({ 'Udp.InDatagrams': 1 }))).toEqual([]);
    expect(linux(...reads, counters({ 'Udp.InDatagrams': 3 }))).toEqual([
      viol('U8', [3], 'Udp.InDatagrams is 3, but the trace shows 1 datagrams read'),
    ]);
  });

  it('U5 / U8 on the Udp6 row: the drop and read of an IPv6 datagram count there, not in Udp', () => {
    const v6 = [
      sockQueue({
        pkt: 7,
        family: 'inet6',
        outcome: 'dropped',
        rmemBeforeBytes: 950,
        truesizeBytes: 100,
        rcvbufBytes: 1000,
      }),
      sockQueue({ pkt: 8, family: 'inet6', outcome: 'queued', rmemBeforeBytes: 0, rcvbufBytes: 1000 }),
      deliver({ pkt: 8, layer: 'udp:0' }),
    ];
    const ok = {
      'Udp6.RcvbufErrors': 1,
      'Udp6.InErrors': 1,
      'Udp6.InDatagrams': 1,
      'Udp.RcvbufErrors': 0,
      'Udp.InDatagrams': 0,
    };
    expect(linux(...v6, counters(ok))).toEqual([]);
    // Counted in the IPv4 row instead: both rows are wrong.
    const swapped = {
      'Udp6.RcvbufErrors': 0,
      'Udp6.InErrors': 0,
      'Udp6.InDatagrams': 0,
      'Udp.RcvbufErrors': 1,
      'Udp.InDatagrams': 1,
    };
    expect(linux(...v6, counters(swapped))).toEqual([
      viol('U5', [3], 'Udp.RcvbufErrors is 1, but the trace shows 0 socket receive buffer drops'),
      viol('U8', [3], 'Udp.InDatagrams is 1, but the trace shows 0 datagrams read'),
      viol('U5', [3], 'Udp6.RcvbufErrors is 0, but the trace shows 1 IPv6 socket receive buffer drops'),
      viol(
        'U5',
        [3],
        'Udp6.InErrors is 0, but the trace shows 1 IPv6 socket receive buffer drops (an ENOMEM is charged twice)',
      ),
      viol('U8', [3], 'Udp6.InDatagrams is 0, but the trace shows 1 IPv6 datagrams read'),
    ]);
  });

  it('near miss for the counters: absent counters, lookalike names, a snapshot without Linux counters', () => {
    expect(linux(counters({ 'softnet_cpu0.time_squeeze': 4 }))).toEqual([]);
    expect(
      linux(counters({ 'softnet_cpu0.drops': 4, 'xsoftnet_cpu0.dropped': 1, 'softnet_cpu0.droppedx': 1 })),
    ).toEqual([]);
    expect(
      linux(counters({ 'Udp.x': 0, 'udp_sock3.dropsx': 1, 'xudp_sock3.drops': 1, 'udp_sockx.drops': 1 })),
    ).toEqual([]);
    expect(linux(counters({ 'udp_sock3.drops': 1, Udp: 1 }))).toEqual([]);
    expect(linux(counters({ 'udp_sock3.drops': 1, 'Udp.': 1 }))).toHaveLength(1);
    expect(linux(counters({ 'udp_sock3.drops': 1, softnet: 0 }))).toHaveLength(1);
    expect(linux(counters({ 'udp_sock3.drops': 1, xsoftnet: 0 }))).toEqual([]);
  });

  it('skips holes in a trace', () => {
    expect(checkLinuxNoDropBelowLimit(withHole(enq(1, 3), ipi()))[0]?.events).toEqual([1]);
  });

  it('stops at VIOLATIONS_MAX even when the last event shows two faults', () => {
    const bad = Array.from({ length: 70 }, (_, k) => backlogDrop({ pkt: k }));
    expect(linux(...bad)).toHaveLength(64);
    const t = linux(...bad.slice(0, 63), enq(1, 5, 0));
    expect(t).toHaveLength(64);
    expect(t[63]?.message).toBe('cpu 0 backlog took packet 1 at qlen 0, over netdev_max_backlog -1');
  });
});
