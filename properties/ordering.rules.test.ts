import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../model/trace.ts';
import { checkDispatchOrder, checkFlowOrder } from './ordering.ts';
import { arrive, deliver, dispatch, enqueue, handle, withHole } from './test/trace-builder.ts';
import { VIOLATIONS_MAX } from './violation.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'flow-order',
  rule,
  events,
  message,
});
/** Packets 0..n-1 of flow 0 arrive in order (seq = pkt) on ring 0 with NIC hash 5. */
const arrivals = (n: number, f: Parameters<typeof arrive>[0] = {}): TraceEvent[] =>
  Array.from({ length: n }, (_, pkt) => arrive({ pkt, seq: pkt, hash: 5, ...f }));
const h = (pkt: number, proto = 'ip') => handle({ pkt, seq: pkt, proto: proto as 'ip' });
const d = (pkt: number, proto = 'ip') => dispatch({ pkt, proto: proto as 'ip' });
const late = (at: string, seq: number, after: number) =>
  `flow 0 at ${at} on cpu 0: got seq ${seq} after seq ${after}`;
const overtaken = (seq: number, after: number) =>
  `flow 0 at ip_input on cpu 0: seq ${seq} handled after seq ${after}, which was dispatched later`;

describe('flow-order rules (N-20, INV-ORDER): arrival order', () => {
  it('an empty trace passes', () => {
    expect(checkFlowOrder([])).toEqual([]);
  });

  it('N-20: a handler gets a flow out of arrival order; in order, or the same seq twice, passes', () => {
    expect(checkFlowOrder([...arrivals(2), h(1), h(0)])).toEqual([
      viol('N-20', [2, 3], late('ip_input', 0, 1)),
    ]);
    expect(checkFlowOrder([...arrivals(2), h(0), h(1)])).toEqual([]);
    const twice = [...arrivals(2), h(0), handle({ pkt: 1, seq: 0 })];
    expect(checkFlowOrder(twice)).toEqual([]);
  });

  it('INV-ORDER: delivery out of arrival order; other events of the packets are not deliveries', () => {
    const t = [...arrivals(2), enqueue({ pkt: 1 }), deliver({ pkt: 1, seq: 1 }), deliver({ pkt: 0, seq: 0 })];
    expect(checkFlowOrder(t)).toEqual([viol('INV-ORDER', [3, 4], late('deliver', 0, 1))]);
    expect(
      checkFlowOrder([...arrivals(2), deliver({ pkt: 0, seq: 0 }), deliver({ pkt: 1, seq: 1 })]),
    ).toEqual([]);
  });

  it('the order is kept per flow, hash, ring and stage: across them no reorder', () => {
    const cross = (a: TraceEvent, b: TraceEvent, ...rest: TraceEvent[]) => checkFlowOrder([a, b, ...rest]);
    expect(cross(arrive({ pkt: 0, hash: 5 }), arrive({ pkt: 1, seq: 1, hash: 6 }), h(1), h(0))).toEqual([]);
    expect(
      cross(arrive({ pkt: 0, hash: 5 }), arrive({ pkt: 1, seq: 1, hash: 5, ring: 1 }), h(1), h(0)),
    ).toEqual([]);
    const otherFlow = [arrive({ pkt: 0, hash: 5 }), arrive({ pkt: 1, seq: 1, flow: 1, hash: 5 })];
    expect(checkFlowOrder([...otherFlow, handle({ pkt: 1, seq: 1, flow: 1 }), h(0)])).toEqual([]);
    expect(checkFlowOrder([...arrivals(2), h(1, 'ip6'), h(0)])).toEqual([]);
    expect(checkFlowOrder([...arrivals(2), h(1), deliver({ pkt: 0, seq: 0 })])).toEqual([]);
  });

  it('hashes and rings that would share a packed key stay apart', () => {
    const pair = (a: { hash: number; ring?: number }, b: { hash: number; ring?: number }) =>
      checkFlowOrder([arrive({ pkt: 0, ...a }), arrive({ pkt: 1, seq: 1, ...b }), h(1), h(0)]);
    expect(pair({ hash: -1 }, { hash: 2 ** 32 - 1 })).toEqual([]);
    expect(pair({ hash: 0 }, { hash: 2 ** 32 })).toEqual([]);
    expect(pair({ hash: 0 }, { hash: 0.5 })).toEqual([]);
    expect(pair({ hash: -1 }, { hash: -2 })).toEqual([]);
    expect(pair({ hash: 1 }, { hash: 0, ring: 128 })).toEqual([]);
    expect(pair({ hash: 0, ring: 127 }, { hash: 1, ring: -1 })).toEqual([]);
    expect(pair({ hash: 2 ** 32 }, { hash: 2 ** 33 })).toEqual([]);
    expect(pair({ hash: -(2 ** 32) }, { hash: -(2 ** 33) })).toEqual([]);
    expect(pair({ hash: 0, ring: 256 }, { hash: 1, ring: 128 })).toEqual([]);
    expect(pair({ hash: 0, ring: -128 }, { hash: 1, ring: -256 })).toEqual([]);
    expect(pair({ hash: 5, ring: 1 }, { hash: 133, ring: 0 })).toEqual([]);
    // The same odd hash and ring is one domain.
    expect(pair({ hash: -1, ring: 200 }, { hash: -1, ring: 200 })).toEqual([
      viol('N-20', [2, 3], late('ip_input', 0, 1)),
    ]);
  });

  it('a packet is judged once per stage (re-injection), and one without an arrival is skipped', () => {
    expect(checkFlowOrder([...arrivals(2), h(0), h(1), h(0)])).toEqual([]);
    expect(checkFlowOrder([...arrivals(2), h(1), handle({ pkt: 7, seq: 0 })])).toEqual([]);
    expect(checkFlowOrder([handle({ pkt: 7, seq: 1 }), handle({ pkt: 8, seq: 0 })])).toEqual([]);
  });

  it('the highest seq so far is the mark: a late packet does not lower it', () => {
    expect(checkFlowOrder([...arrivals(3), h(0), h(2), h(1)])).toEqual([
      viol('N-20', [4, 5], late('ip_input', 1, 2)),
    ]);
    expect(checkFlowOrder([...arrivals(3), h(2), h(0), h(1)])).toEqual([
      viol('N-20', [3, 4], late('ip_input', 0, 2)),
      viol('N-20', [3, 5], late('ip_input', 1, 2)),
    ]);
  });

  it('of packets with the same seq, the first one seen stays the mark', () => {
    const t = [...arrivals(2), arrive({ pkt: 2, seq: 1, hash: 5 }), h(1), handle({ pkt: 2, seq: 1 }), h(0)];
    expect(checkFlowOrder(t)).toEqual([viol('N-20', [3, 5], late('ip_input', 0, 1))]);
  });

  it('a hole in the trace is skipped', () => {
    expect(checkFlowOrder(withHole(...arrivals(2), h(1), h(0)))).toEqual([
      viol('N-20', [3, 4], late('ip_input', 0, 1)),
    ]);
    expect(checkDispatchOrder(withHole(...arrivals(2), d(1), d(0), h(0), h(1)))).toEqual([
      viol('N-20', [5, 6], overtaken(1, 0)),
    ]);
  });

  it(`reports at most VIOLATIONS_MAX (${VIOLATIONS_MAX})`, () => {
    const n = VIOLATIONS_MAX + 2;
    const handles = Array.from({ length: n - 1 }, (_, pkt) => h(pkt));
    expect(checkFlowOrder([...arrivals(n), h(n - 1), ...handles])).toHaveLength(VIOLATIONS_MAX);
  });
});

describe('flow-order rules (N-20): dispatch order', () => {
  it('a packet handled before one of its flow dispatched earlier; in dispatch order passes', () => {
    const t = [...arrivals(2), d(1), d(0), h(0), h(1)];
    expect(checkFlowOrder(t)).toEqual([viol('N-20', [4, 5], overtaken(1, 0))]);
    expect(checkDispatchOrder(t)).toEqual([viol('N-20', [4, 5], overtaken(1, 0))]);
    expect(checkDispatchOrder([...arrivals(2), d(0), d(1), h(0), h(1)])).toEqual([]);
  });

  it('an arrival-order fault is reported alone', () => {
    expect(checkFlowOrder([...arrivals(2), d(0), d(1), h(1), h(0)])).toEqual([
      viol('N-20', [4, 5], late('ip_input', 0, 1)),
    ]);
  });

  it('the dispatch order is kept per flow, hash and protocol', () => {
    expect(checkDispatchOrder([...arrivals(2), d(1, 'ip6'), d(0), h(0), h(1, 'ip6')])).toEqual([]);
    const hashes = [arrive({ pkt: 0, hash: 5 }), arrive({ pkt: 1, seq: 1, hash: 6 })];
    expect(checkDispatchOrder([...hashes, d(1), d(0), h(0), h(1)])).toEqual([]);
    const flows = [arrive({ pkt: 0, hash: 5 }), arrive({ pkt: 1, seq: 1, flow: 1, hash: 5 })];
    expect(checkDispatchOrder([...flows, d(1), d(0), h(0), handle({ pkt: 1, seq: 1, flow: 1 })])).toEqual([]);
  });

  it('only a first dispatch and a first handling count; packets with no arrival or dispatch are skipped', () => {
    expect(checkDispatchOrder([...arrivals(2), d(0), d(1), d(0), h(0), h(1)])).toEqual([]);
    expect(checkDispatchOrder([...arrivals(2), d(0), d(1), h(0), h(1), h(0)])).toEqual([]);
    expect(checkDispatchOrder([d(1), d(0), h(0), h(1)])).toEqual([]);
    expect(checkDispatchOrder([...arrivals(3), d(2), d(1), h(0), h(1), h(2)])).toEqual([
      viol('N-20', [6, 7], overtaken(2, 1)),
    ]);
  });

  it('the mark rises with each later-dispatched packet handled', () => {
    expect(checkDispatchOrder([...arrivals(3), d(0), d(1), d(2), h(0), h(2), h(1)])).toEqual([
      viol('N-20', [7, 8], overtaken(1, 2)),
    ]);
  });

  it('the latest-dispatched packet handled so far is the mark', () => {
    expect(checkDispatchOrder([...arrivals(3), d(2), d(1), d(0), h(0), h(1), h(2)])).toEqual([
      viol('N-20', [6, 7], overtaken(1, 0)),
      viol('N-20', [6, 8], overtaken(2, 0)),
    ]);
  });

  it(`reports at most VIOLATIONS_MAX (${VIOLATIONS_MAX})`, () => {
    const n = VIOLATIONS_MAX + 2;
    const ds = Array.from({ length: n }, (_, i) => d(n - 1 - i));
    const hs = Array.from({ length: n }, (_, pkt) => h(pkt));
    expect(checkDispatchOrder([...arrivals(n), ...ds, ...hs])).toHaveLength(VIOLATIONS_MAX);
  });
});

describe('flow-order: the pass over both orders', () => {
  it('deliveries out of order are capped at VIOLATIONS_MAX like handles', () => {
    const n = VIOLATIONS_MAX + 3;
    const delivers = Array.from({ length: n - 1 }, (_, pkt) => deliver({ pkt, seq: pkt }));
    expect(checkFlowOrder([...arrivals(n), deliver({ pkt: n - 1, seq: n - 1 }), ...delivers])).toHaveLength(
      VIOLATIONS_MAX,
    );
  });

  it('handling and delivery are judged apart: a packet handled is still judged when delivered', () => {
    const t = [...arrivals(2), h(0), h(1), deliver({ pkt: 1, seq: 1 }), deliver({ pkt: 0, seq: 0 })];
    expect(checkFlowOrder(t)).toEqual([viol('INV-ORDER', [4, 5], late('deliver', 0, 1))]);
  });

  it('a packet handled again is skipped, and judging goes on after it', () => {
    const t = [...arrivals(3), h(0), h(0), h(2), h(1)];
    expect(checkFlowOrder(t)).toEqual([viol('N-20', [5, 6], late('ip_input', 1, 2))]);
  });

  it('a packet handled under another flow than it arrived with is judged in that flow', () => {
    const t = [
      ...arrivals(2),
      arrive({ pkt: 2, seq: 2, hash: 5, flow: 1 }),
      handle({ pkt: 2, seq: 2, flow: 0 }),
      handle({ pkt: 0, seq: 0, flow: 0 }),
    ];
    expect(checkFlowOrder(t)).toEqual([viol('N-20', [3, 4], late('ip_input', 0, 2))]);
    // Handled under its arrival flow, the same packet is in another domain: no reorder.
    expect(
      checkFlowOrder([...t.slice(0, 3), handle({ pkt: 2, seq: 2, flow: 1 }), t[4] as TraceEvent]),
    ).toEqual([]);
  });

  it('dispatch order: a handling before any dispatch is no first handling', () => {
    const t = [...arrivals(2), h(0), d(0), d(1), h(1), h(0)];
    expect(checkDispatchOrder(t)).toEqual([viol('N-20', [5, 6], overtaken(0, 1))]);
  });
});
