import { type CounterFault, type NetstatRuleId, netstatRowFaults } from '../model/rules/netstat-q.ts';
import type { CountersEvent, NetisrWorkRow, Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { emptyWorkLedger, NetisrLedger, type WorkLedger } from './netisr-ledger.ts';
import type { PropertySpec } from './registry.ts';
import { packetsNumbered } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const COUNTER_CONSISTENCY = 'counter-consistency';

/**
 * The row as the trace's own events count it (N-15, N-8, N-9, N-17). A snapshot is a step of its
 * own, so no inline dispatch is half done when it is taken: the counts must match exactly, and
 * the in-flight batch the row implies must be the one the SWI has open.
 */
function ledgerFaults(
  row: NetisrWorkRow,
  w: Readonly<WorkLedger>,
  openBatch: number,
): readonly CounterFault[] {
  const at = `${row.proto} on cpu ${row.cpu}`;
  const pairs: [NetstatRuleId, string, number, number][] = [
    ['N-15', "Disp'd", row.dispatched, w.dispatched],
    ['N-15', "HDisp'd", row.hybridDispatched, w.hybridDispatched],
    ['N-8', 'Queued', row.queued, w.queued],
    ['I-3', 'QDrops', row.qdrops, w.qdrops],
    ['N-8', 'Len', row.lenPackets, w.queue.length],
    ['I-2', 'WMark', row.watermarkPackets, w.watermarkPackets],
    ['I-4', 'Handled', row.handled, w.dispatched + w.hybridDispatched + w.handledFromQueue],
  ];
  const faults: CounterFault[] = [];
  for (const [rule, column, counted, traced] of pairs) {
    if (counted !== traced) {
      faults.push({ rule, message: `${at}: ${column} ${counted}, but the trace's events count ${traced}` });
    }
  }
  const inFlight = row.queued - (row.handled - row.dispatched - row.hybridDispatched) - row.lenPackets;
  if (faults.length === 0 && inFlight !== openBatch) {
    faults.push({
      rule: 'N-17',
      message: `${at}: the row implies a batch of ${inFlight} in flight, the SWI has ${openBatch} open`,
    });
  }
  return faults;
}

/**
 * Counter consistency: at every `counters` snapshot each netstat -Q row satisfies the identities
 * (netstatRowFaults: I-4, the in-flight batch N-17 / N-10, I-2, I-1) and agrees with the dispatch /
 * enqueue / batch / handle / drop events before it; a batch takes the whole queue (N-17).
 */
export function checkCounterConsistency(trace: Trace): readonly Violation[] {
  const ledger = new NetisrLedger(packetsNumbered(trace));
  const out: Violation[] = [];
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'counters') snapshotViolations(ev, ledger, i, out);
    else if (kind === 'batch') {
      const len = ledger.work(ev.cpu, ev.proto).queue.length;
      if (ev.packets !== len) {
        out.push({
          property: COUNTER_CONSISTENCY,
          rule: 'N-17',
          events: [i],
          message: `${ev.proto} on cpu ${ev.cpu}: batch of ${ev.packets} taken from a queue of ${len}`,
        });
      }
    }
    ledger.apply(ev);
  }
  return out.slice(0, VIOLATIONS_MAX);
}

/** Appends the snapshot's faults to `out` (no list per snapshot). */
function snapshotViolations(ev: CountersEvent, ledger: NetisrLedger, i: number, out: Violation[]): void {
  for (const row of ev.netisr) {
    const openBatch = ledger.openBatchPackets(row.cpu, row.proto);
    // A row no event has named (another protocol, an idle CPU) is judged against a blank ledger.
    const w = ledger.peek(row.cpu, row.proto) ?? BLANK_LEDGER;
    // The row's faults are none in the common case: nothing is built for it (no list, no iterator).
    const faults = netstatRowFaults(row, ev.quiescent);
    for (let k = 0; k < faults.length; k++) out.push(faultViolation(faults[k] as CounterFault, i));
    if (!ledgerAgrees(row, w, openBatch))
      for (const f of ledgerFaults(row, w, openBatch)) out.push(faultViolation(f, i));
  }
}

/** What the trace's events count for a queue none of them named: nothing (only counts are read). */
const BLANK_LEDGER: Readonly<WorkLedger> = Object.freeze(emptyWorkLedger(-1, ''));

const faultViolation = (f: CounterFault, i: number): Violation => ({
  property: COUNTER_CONSISTENCY,
  rule: f.rule,
  events: [i],
  message: f.message,
});

/** Whether ledgerFaults would find nothing, computed without building any text (the common case). */
function ledgerAgrees(row: NetisrWorkRow, w: Readonly<WorkLedger>, openBatch: number): boolean {
  const agrees =
    row.dispatched === w.dispatched &&
    row.hybridDispatched === w.hybridDispatched &&
    row.queued === w.queued &&
    row.qdrops === w.qdrops &&
    row.lenPackets === w.queue.length &&
    row.watermarkPackets === w.watermarkPackets &&
    row.handled === w.dispatched + w.hybridDispatched + w.handledFromQueue;
  const inFlight = row.queued - (row.handled - row.dispatched - row.hybridDispatched) - row.lenPackets;
  return agrees && inFlight === openBatch;
}

export const counterConsistency: PropertySpec = {
  name: COUNTER_CONSISTENCY,
  rules: ['I-1', 'I-2', 'I-3', 'I-4', 'N-8', 'N-10', 'N-15', 'N-17'],
  summary: summaryOf(COUNTER_CONSISTENCY),
  check: checkCounterConsistency,
};
