import { describe, expect, it } from 'vitest';
import type { NetisrWorkRow, TraceEvent } from '../model/trace.ts';
import { checkCounterConsistency } from './counters.ts';
import { batch, counters, dispatch, enqueue, handle, row, withHole } from './test/trace-builder.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'counter-consistency',
  rule,
  events,
  message,
});
const check = (...events: TraceEvent[]) => checkCounterConsistency(events);
/** A snapshot taken while the SWI may be mid-batch (in flight 0..qlimit allowed by the row identities). */
const snap = (...rows: NetisrWorkRow[]) => counters({}, { quiescent: false, netisr: rows });
const enq = (pkt: number, qlenBeforePackets = 0, proto: 'ip' | 'ip6' = 'ip') =>
  enqueue({ pkt, proto, qlenBeforePackets, qlimitPackets: 10 });
/** pkt 1 enqueued on ip of cpu 0, taken in a batch and handled: Queued 1, WMark 1, Handled 1. */
const handled = [enq(1), batch({ packets: 1 }), handle({ pkt: 1 })];
const handledRow = (f: Parameters<typeof row>[0] = {}) =>
  row({ queued: 1, watermarkPackets: 1, handled: 1, ...f });
/** pkt 1 still in the queue: Queued 1, Len 1, WMark 1. */
const waiting = [enq(1)];
const waitingRow = (f: Parameters<typeof row>[0] = {}) =>
  row({ queued: 1, lenPackets: 1, watermarkPackets: 1, ...f });
const at = (column: string, counted: number, traced: number) =>
  `ip on cpu 0: ${column} ${counted}, but the trace's events count ${traced}`;

describe('counter-consistency rules (ledger columns, N-17)', () => {
  it('an empty trace passes; rows agreeing with the events pass', () => {
    expect(check()).toEqual([]);
    expect(check(...handled, snap(handledRow()))).toEqual([]);
    expect(check(...waiting, snap(waitingRow()))).toEqual([]);
    expect(check(...handled, counters({}, { quiescent: true, netisr: [handledRow()] }))).toEqual([]);
  });

  it('inline dispatches count in Handled, not in the batch in flight', () => {
    const direct = [dispatch({ pkt: 1, mode: 'direct' }), handle({ pkt: 1 })];
    expect(check(...direct, snap(row({ dispatched: 1, handled: 1 })))).toEqual([]);
    const hybrid = [dispatch({ pkt: 1, mode: 'hybrid' }), handle({ pkt: 1 })];
    expect(check(...hybrid, snap(row({ hybridDispatched: 1, handled: 1 })))).toEqual([]);
  });

  it('skips holes in a trace', () => {
    expect(checkCounterConsistency(withHole(batch({ packets: 1 })))[0]?.events).toEqual([1]);
  });

  it("each column is compared with the trace's count, one fault each", () => {
    expect(check(...handled, snap(handledRow({ dispatched: 1 })))).toEqual([
      viol('N-15', [3], at("Disp'd", 1, 0)),
    ]);
    expect(check(...handled, snap(handledRow({ hybridDispatched: 1 })))).toEqual([
      viol('N-15', [3], at("HDisp'd", 1, 0)),
    ]);
    expect(check(...handled, snap(handledRow({ queued: 2 })))).toEqual([
      viol('N-8', [3], at('Queued', 2, 1)),
    ]);
    expect(check(...handled, snap(handledRow({ qdrops: 1 })))).toEqual([
      viol('I-3', [3], at('QDrops', 1, 0)),
    ]);
    expect(check(...waiting, snap(waitingRow({ lenPackets: 0 })))).toEqual([
      viol('N-8', [1], at('Len', 0, 1)),
    ]);
    expect(check(...handled, snap(handledRow({ watermarkPackets: 2 })))).toEqual([
      viol('I-2', [3], at('WMark', 2, 1)),
    ]);
    expect(check(...handled, snap(handledRow({ handled: 0 })))).toEqual([
      viol('I-4', [3], at('Handled', 0, 1)),
    ]);
  });

  it('the row identities are reported beside the ledger', () => {
    expect(check(snap(row({ watermarkPackets: 0, lenPackets: 1, queued: 1 })))).toEqual([
      viol('I-2', [0], 'ip on cpu 0: WMark 0 below Len 1'),
      viol('N-8', [0], at('Queued', 1, 0)),
      viol('N-8', [0], at('Len', 1, 0)),
    ]);
  });

  it('N-17: the batch a row implies is the one the SWI has open', () => {
    const open = [enq(1), batch({ packets: 1 })];
    expect(check(...open, snap(row({ queued: 1, watermarkPackets: 1 })))).toEqual([]);
    // An ip6 batch on the same CPU: the SWI now has ip6's batch open, not ip's.
    const other = [...open, enq(2, 0, 'ip6'), batch({ proto: 'ip6', packets: 1 })];
    expect(check(...other, snap(row({ queued: 1, watermarkPackets: 1 })))).toEqual([
      viol('N-17', [4], 'ip on cpu 0: the row implies a batch of 1 in flight, the SWI has 0 open'),
    ]);
    expect(check(...open, snap(row({ cpu: 1 })))).toEqual([]);
  });

  it('N-17: the in-flight check waits until the columns agree', () => {
    const open = [enq(1), batch({ packets: 1 })];
    expect(check(...open, snap(row({ queued: 1, watermarkPackets: 1, qdrops: 1 })))).toEqual([
      viol('I-3', [2], at('QDrops', 1, 0)),
    ]);
  });

  it('N-17: a batch takes the whole queue', () => {
    expect(check(enq(1), enq(2, 1), batch({ packets: 1 }))).toEqual([
      viol('N-17', [2], 'ip on cpu 0: batch of 1 taken from a queue of 2'),
    ]);
    expect(check(enq(1), enq(2, 1), batch({ packets: 2 }))).toEqual([]);
    expect(check(batch({ packets: 0 }))).toEqual([]);
  });

  it('stops at VIOLATIONS_MAX even when the last event shows two faults', () => {
    const bad = Array.from({ length: 70 }, () => batch({ packets: 1 }));
    expect(check(...bad)).toHaveLength(64);
    const t = check(...bad.slice(0, 63), snap(row({ dispatched: 1, hybridDispatched: 1, handled: 2 })));
    expect(t).toHaveLength(64);
    expect(t[63]?.message).toBe(at("Disp'd", 1, 0));
  });
});

/**
 * An ip batch the SWI of cpu 0 took and then left for an empty ip6 batch: the ledger loses its
 * packet (Queued 3 = Handled-from-queue 1 + Len 1 + 1 nowhere), so a row can satisfy the in-flight
 * sum while one column disagrees with the trace, and the columns can all agree while the in-flight
 * sum does not.
 */
const abandoned = [
  dispatch({ pkt: 5, mode: 'direct' }),
  dispatch({ pkt: 6, mode: 'hybrid' }),
  enq(2),
  batch({ packets: 1 }),
  handle({ pkt: 2 }),
  enq(0),
  batch({ packets: 1 }),
  batch({ proto: 'ip6', packets: 0 }),
  enq(1),
];
const ledgerRow = (f: Parameters<typeof row>[0] = {}) =>
  row({
    dispatched: 1,
    hybridDispatched: 1,
    queued: 3,
    handled: 3,
    lenPackets: 1,
    watermarkPackets: 1,
    ...f,
  });
/** The ledger's own findings (the row identities of model/rules are judged beside them). */
const ledgerOnly = (...events: TraceEvent[]) =>
  check(...events).filter(
    (v) => v.message.includes("the trace's events") || v.message.includes('the SWI has'),
  );

describe('counter-consistency rules: each column on its own against the trace', () => {
  it('N-17: the columns agree, the in-flight sum does not', () => {
    expect(ledgerOnly(...abandoned, snap(ledgerRow()))).toEqual([
      viol('N-17', [9], 'ip on cpu 0: the row implies a batch of 1 in flight, the SWI has 0 open'),
    ]);
  });

  it('N-17: two packets left behind, beside one inline dispatch of either kind', () => {
    const left = (mode: 'direct' | 'hybrid') => [
      dispatch({ pkt: 5, mode }),
      enq(0),
      enq(1, 1),
      batch({ packets: 2 }),
      batch({ proto: 'ip6', packets: 0 }),
    ];
    const base = { queued: 2, handled: 1, watermarkPackets: 2 };
    const n17 = viol('N-17', [5], 'ip on cpu 0: the row implies a batch of 2 in flight, the SWI has 0 open');
    expect(ledgerOnly(...left('direct'), snap(row({ ...base, dispatched: 1 })))).toEqual([n17]);
    expect(ledgerOnly(...left('hybrid'), snap(row({ ...base, hybridDispatched: 1 })))).toEqual([n17]);
  });

  it('one column off while the in-flight sum holds is still reported', () => {
    const off = (
      f: Parameters<typeof row>[0],
      rule: string,
      column: string,
      counted: number,
      traced: number,
    ) =>
      expect(ledgerOnly(...abandoned, snap(ledgerRow(f)))).toEqual([
        viol(rule, [9], at(column, counted, traced)),
      ]);
    off({ dispatched: 0 }, 'N-15', "Disp'd", 0, 1);
    off({ hybridDispatched: 0 }, 'N-15', "HDisp'd", 0, 1);
    off({ queued: 2 }, 'N-8', 'Queued', 2, 3);
    off({ lenPackets: 2 }, 'N-8', 'Len', 2, 1);
    off({ handled: 4 }, 'I-4', 'Handled', 4, 3);
  });

  it('a column fault is reported without the in-flight one', () => {
    expect(ledgerOnly(...abandoned, snap(ledgerRow({ watermarkPackets: 5 })))).toEqual([
      viol('I-2', [9], at('WMark', 5, 1)),
    ]);
  });
});
