import { type EndEvent, packetText, type Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { NetisrLedger } from './netisr-ledger.ts';
import { PacketTable } from './packet-table.ts';
import type { PropertySpec } from './registry.ts';
import { packetsNumbered } from './trace-kinds.ts';
import type { Violation } from './violation.ts';

export const LIVENESS = 'liveness';

const v = (events: number[], message: string): Violation => ({
  property: LIVENESS,
  rule: 'INV-PROGRESS',
  events,
  message,
});

/**
 * Liveness (INV-PROGRESS, N-8 wakeup): a run ends quiescent, within its step and trace budgets;
 * then no workstream is busy, nothing waits on a ring, every netisr queue is empty both in the
 * final snapshot and as the trace's events rebuild it. A lost wakeup shows as a queue left full
 * with nothing runnable. Passes vacuously on a trace without an `end` event.
 */
export function checkLiveness(trace: Trace): readonly Violation[] {
  const ledger = new NetisrLedger(packetsNumbered(trace));
  /** Packet id -> its latest enqueue event, to show where a stuck packet was queued. */
  const enqueuedAt = new PacketTable<number>(packetsNumbered(trace));
  let lastSnapshot = -1;
  for (let i = 0; i < trace.length; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'counters') lastSnapshot = i;
    else if (kind === 'enqueue') enqueuedAt.set(ev.pkt, i);
    else if (kind === 'end') return endViolations(trace, ev, i, lastSnapshot, ledger, enqueuedAt);
    ledger.apply(ev);
  }
  return [];
}

function endViolations(
  trace: Trace,
  end: EndEvent,
  endIndex: number,
  lastSnapshot: number,
  ledger: NetisrLedger,
  enqueuedAt: PacketTable<number>,
): Violation[] {
  if (end.outcome !== 'quiescent') {
    return [v([endIndex], `run ended ${end.outcome} after ${end.steps} steps, want quiescent`)];
  }
  const out: Violation[] = [];
  if (end.busyCpus.length > 0) {
    out.push(v([endIndex], `workstreams still busy or pending on cpu ${end.busyCpus.join(', ')}`));
  }
  if (end.pendingPackets > 0) {
    out.push(v([endIndex], `${end.pendingPackets} workload items never reached the stack`));
  }
  const snap = trace[lastSnapshot];
  if (snap?.kind === 'counters') {
    for (const row of snap.netisr) {
      if (row.lenPackets > 0) {
        out.push(v([lastSnapshot], `${row.proto} on cpu ${row.cpu}: ${row.lenPackets} packets left queued`));
      }
    }
  }
  for (const w of ledger.works()) {
    const first = w.queue[0];
    if (first === undefined) continue;
    const at = enqueuedAt.get(first);
    out.push(
      v(
        at === undefined ? [endIndex] : [at, endIndex],
        `${w.proto} on cpu ${w.cpu}: the trace leaves packet ${packetText(first)} and ${w.queue.length - 1} more queued`,
      ),
    );
  }
  for (const cpu of new Set([...ledger.works()].map((w) => w.cpu))) {
    const batch = ledger.openBatch(cpu);
    if (batch !== undefined) {
      out.push(v([endIndex], `cpu ${cpu}: a ${batch.proto} batch of ${batch.packets} was never finished`));
    }
  }
  return out;
}

export const liveness: PropertySpec = {
  name: LIVENESS,
  rules: ['INV-PROGRESS', 'N-8'],
  summary: summaryOf(LIVENESS),
  check: checkLiveness,
};
