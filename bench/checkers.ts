import { builtinNetisrPolicies } from '../model/netisr/policies.ts';
import { FREEBSD_RSS_PROTOCOLS } from '../model/netisr/protocols.ts';
import type { Trace } from '../model/trace.ts';
import { PROPERTIES } from '../properties/index.ts';
import { benchRun } from './scenario.ts';
import { interleavedFreshSamplesMs, median, spread } from './timing.ts';

/** A trace of the bench scenario with FLOW placement and hybrid dispatch (queues and inline). */
export function benchTrace(packets: number): Trace {
  const policy = builtinNetisrPolicies(FREEBSD_RSS_PROTOCOLS).find((p) => p.name === 'freebsd-flow-hybrid');
  if (policy === undefined) throw new Error('no built-in freebsd-flow-hybrid');
  return benchRun(packets, policy.factory);
}

export interface CheckerRow {
  readonly property: string;
  /** Median milliseconds of one check, per trace (traces growing x10 each). */
  readonly ms: readonly number[];
}

/**
 * Each checker on traces that grow ten times at each step (the same scenario with ten times the
 * packets): its cost per event at every size, and the time ratio beside the length ratio (a
 * linear checker: about equal; hash maps that outgrow the CPU caches add some on top).
 */
export function checkerCosts(traces: readonly Trace[]): CheckerRow[] {
  return PROPERTIES.map((spec) => ({
    property: spec.name,
    ms: interleavedFreshSamplesMs(traces.map(freshCopy), spec.check, { rounds: 5, sampleMsMin: 20 }).map(
      median,
    ),
  }));
}

/**
 * A fresh copy of the trace per call, as every fuzz run checks a new trace: nothing known about a
 * trace (its kernel and kinds, properties/trace-kinds.ts) carries over from the previous call. The
 * copies are made before the clock starts: copying a 300k-event array costs about as much as a
 * cheap checker, and is no checker's work.
 */
const freshCopy = (t: Trace) => () => t.slice();

/** Every checker on one trace, one after the other, as a fuzz run checks it: ms per round, per trace. */
export function allCheckersMs(traces: readonly Trace[], rounds: number): number[][] {
  const all = (fresh: Trace) => {
    for (const spec of PROPERTIES) spec.check(fresh);
  };
  return interleavedFreshSamplesMs(traces.map(freshCopy), all, { rounds, sampleMsMin: 50 });
}

export function checkerTable(
  rows: readonly CheckerRow[],
  traces: readonly Trace[],
  allMs: readonly (readonly number[])[],
): string {
  const lengths = traces.map((t) => t.length);
  const steps = lengths.slice(1).map((n, i) => `x${(n / (lengths[i] ?? 1)).toFixed(1)} events`);
  const width = Math.max(12, ...rows.map((r) => r.property.length));
  const lines = [
    `trace lengths: ${lengths.join(', ')} events; CPU time per event (each call on a fresh copy of the trace, made before the clock starts), median of alternating rounds (each checker: 5 of >= 20 ms; all together: ${allMs[0]?.length ?? 0} of >= 50 ms)`,
    `${'property'.padEnd(width)} ${lengths.map((n) => `ns/ev @${n}`.padStart(14)).join('')}   time ratios (${steps.join(', ')})`,
  ];
  for (const r of rows) {
    const perEvent = r.ms.map((ms, i) => ((ms * 1e6) / (lengths[i] ?? 1)).toFixed(1).padStart(14)).join('');
    const ratios = r.ms.slice(1).map((ms, i) => `x${(ms / (r.ms[i] ?? 1)).toFixed(1)}`);
    lines.push(`${r.property.padEnd(width)} ${perEvent}   ${ratios.join('  ')}`);
  }
  const perEvent = (ms: readonly number[], n: number) => ms.map((x) => (x * 1e6) / n);
  const total = lengths.map((n, i) =>
    median(perEvent(allMs[i] ?? [], n))
      .toFixed(1)
      .padStart(14),
  );
  const spreads = lengths.map((n, i) => spread(perEvent(allMs[i] ?? [], n)));
  lines.push(`${'all checkers'.padEnd(width)} ${total.join('')}   spread ${spreads.join(', ')}`);
  return lines.join('\n');
}
