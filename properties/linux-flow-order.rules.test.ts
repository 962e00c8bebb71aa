import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../model/trace.ts';
import { checkLinuxFlowOrder } from './linux-flow-order.ts';
import { arrive, deliver, enqueue, handle, ipi, withHole } from './test/trace-builder.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'linux-flow-order',
  rule,
  events,
  message,
});
/** A Linux-only event at the end marks the trace as the Linux model's. */
const linux = (...events: TraceEvent[]) => checkLinuxFlowOrder([...events, ipi({ reason: 'rps' })]);
const twoPackets = [arrive({ pkt: 1, flow: 4, seq: 1 }), arrive({ pkt: 2, flow: 4, seq: 2 })];

describe('linux-flow-order rules (R4, INV-ORDER)', () => {
  it('an empty trace passes; a FreeBSD trace passes vacuously', () => {
    expect(checkLinuxFlowOrder([])).toEqual([]);
    expect(checkLinuxFlowOrder([handle({ flow: 4, seq: 2 }), handle({ flow: 4, seq: 1 })])).toEqual([]);
  });

  it('R4: a flow queued on a second backlog while packets wait in the first', () => {
    const t = linux(...twoPackets, enqueue({ pkt: 1, cpu: 0 }), enqueue({ pkt: 2, cpu: 1 }));
    expect(t).toEqual([
      viol('R4', [2, 3], "flow 4 queued on cpu 1 while 1 of its packets wait in cpu 0's backlog"),
    ]);
  });

  it('near miss: the first backlog drained first; the same backlog; not ip; an unknown packet', () => {
    expect(
      linux(
        ...twoPackets,
        enqueue({ pkt: 1, cpu: 0 }),
        handle({ pkt: 1, flow: 4, seq: 1 }),
        enqueue({ pkt: 2, cpu: 1 }),
      ),
    ).toEqual([]);
    expect(linux(...twoPackets, enqueue({ pkt: 1, cpu: 0 }), enqueue({ pkt: 2, cpu: 0 }))).toEqual([]);
    expect(
      linux(...twoPackets, enqueue({ pkt: 1, cpu: 0 }), enqueue({ pkt: 2, cpu: 1, proto: 'ip6' })),
    ).toEqual([]);
    expect(linux(...twoPackets, enqueue({ pkt: 9, cpu: 0 }), enqueue({ pkt: 2, cpu: 1 }))).toEqual([]);
    expect(linux(enqueue({ pkt: 8, cpu: 0 }), enqueue({ pkt: 9, cpu: 1 }))).toEqual([]);
  });

  it('R4 names the last enqueue on the old backlog and its count', () => {
    const three = [...twoPackets, arrive({ pkt: 3, flow: 4, seq: 3 })];
    const t = linux(
      ...three,
      enqueue({ pkt: 1, cpu: 0 }),
      enqueue({ pkt: 2, cpu: 0 }),
      enqueue({ pkt: 3, cpu: 1 }),
    );
    expect(t).toEqual([
      viol('R4', [4, 5], "flow 4 queued on cpu 1 while 2 of its packets wait in cpu 0's backlog"),
    ]);
  });

  it('R4: a flow handled inline while packets of it wait in a backlog', () => {
    const t = linux(...twoPackets, enqueue({ pkt: 1, cpu: 0 }), handle({ pkt: 2, flow: 4, seq: 2, cpu: 1 }));
    expect(t).toEqual([
      viol('R4', [2, 3], "flow 4 handled inline on cpu 1 while 1 of its packets wait in cpu 0's backlog"),
    ]);
  });

  it('near miss: inline once the backlog is drained, or for a flow never queued', () => {
    const drained = linux(
      ...twoPackets,
      enqueue({ pkt: 1, cpu: 0 }),
      handle({ pkt: 1, flow: 4, seq: 1, cpu: 0 }),
      handle({ pkt: 2, flow: 4, seq: 2, cpu: 1 }),
    );
    expect(drained).toEqual([]);
    expect(linux(...twoPackets, handle({ pkt: 2, flow: 4, seq: 2, cpu: 1 }))).toEqual([]);
    expect(
      linux(
        ...twoPackets,
        enqueue({ pkt: 1, cpu: 0 }),
        handle({ pkt: 2, flow: 4, seq: 2, proto: 'ip_direct' }),
      ),
    ).toEqual([]);
  });

  it('a packet leaves the backlog once: its second handle counts as inline', () => {
    const t = linux(
      ...twoPackets,
      arrive({ pkt: 3, flow: 4, seq: 3 }),
      enqueue({ pkt: 1, cpu: 0 }),
      enqueue({ pkt: 3, cpu: 0 }),
      handle({ pkt: 1, flow: 4, seq: 1, cpu: 0 }),
      handle({ pkt: 1, flow: 4, seq: 1, cpu: 0 }),
    );
    expect(t).toEqual([
      viol('R4', [4, 6], "flow 4 handled inline on cpu 0 while 1 of its packets wait in cpu 0's backlog"),
    ]);
  });

  it('INV-ORDER at ip_rcv: a lower seq after a higher one, against the highest seen', () => {
    const t = linux(handle({ flow: 4, seq: 3 }), handle({ flow: 4, seq: 1 }), handle({ flow: 4, seq: 2 }));
    expect(t).toEqual([
      viol('INV-ORDER', [0, 1], 'flow 4 at ip_rcv on cpu 0: got seq 1 after seq 3'),
      viol('INV-ORDER', [0, 2], 'flow 4 at ip_rcv on cpu 0: got seq 2 after seq 3'),
    ]);
  });

  it('near miss: equal or rising seqs, other flows, other protocols', () => {
    expect(
      linux(handle({ flow: 4, seq: 1 }), handle({ flow: 4, seq: 1 }), handle({ flow: 4, seq: 2 })),
    ).toEqual([]);
    expect(linux(handle({ flow: 4, seq: 2 }), handle({ flow: 5, seq: 1 }))).toEqual([]);
    expect(
      linux(handle({ flow: 4, seq: 2, proto: 'ip6' }), handle({ flow: 4, seq: 1, proto: 'ip6' })),
    ).toEqual([]);
  });

  it('INV-ORDER per socket reader: each layer in arrival order', () => {
    const t = linux(
      deliver({ flow: 4, seq: 2, layer: 'udp:1' }),
      deliver({ flow: 4, seq: 1, layer: 'udp:1', cpu: 1 }),
    );
    expect(t).toEqual([viol('INV-ORDER', [0, 1], 'flow 4 read from udp:1 on cpu 1: got seq 1 after seq 2')]);
    expect(
      linux(deliver({ flow: 4, seq: 2, layer: 'udp:1' }), deliver({ flow: 4, seq: 1, layer: 'udp:2' })),
    ).toEqual([]);
    expect(
      linux(deliver({ flow: 4, seq: 2, layer: 'udp:1' }), deliver({ flow: 4, seq: 2, layer: 'udp:1' })),
    ).toEqual([]);
    const equal = linux(
      deliver({ flow: 4, seq: 2 }),
      deliver({ flow: 4, seq: 2 }),
      deliver({ flow: 4, seq: 1 }),
    );
    expect(equal.map((v) => v.events)).toEqual([[0, 2]]);
  });

  it('skips holes in a trace', () => {
    expect(
      checkLinuxFlowOrder(withHole(handle({ flow: 4, seq: 2 }), handle({ flow: 4, seq: 1 }), ipi()))[0]
        ?.events,
    ).toEqual([1, 2]);
  });

  it('stops at VIOLATIONS_MAX', () => {
    const late = Array.from({ length: 70 }, () => deliver({ flow: 4, seq: 1 }));
    expect(linux(deliver({ flow: 4, seq: 9 }), ...late)).toHaveLength(64);
  });

  it('stops at VIOLATIONS_MAX even when the last event shows two faults', () => {
    const late = Array.from({ length: 62 }, () => deliver({ flow: 9, seq: 1 }));
    const t = linux(
      deliver({ flow: 9, seq: 9 }),
      ...late,
      ...twoPackets,
      arrive({ pkt: 3, flow: 4, seq: 3 }),
      enqueue({ pkt: 1, cpu: 0 }),
      enqueue({ pkt: 2, cpu: 1 }),
      handle({ pkt: 3, flow: 4, seq: 3, cpu: 2 }),
    );
    expect(t).toHaveLength(64);
    expect(t[63]?.message).toBe(
      "flow 4 handled inline on cpu 2 while 1 of its packets wait in cpu 0's backlog",
    );
  });
});
