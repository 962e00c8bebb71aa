import { runHost } from '../model/host/run.ts';
import { builtinNetisrPolicies } from '../model/netisr/policies.ts';
import { FREEBSD_RSS_PROTOCOLS } from '../model/netisr/protocols.ts';
import { unwrap } from '../model/result.ts';
import type { Trace } from '../model/trace.ts';
import { PROPERTIES } from '../properties/index.ts';
import { benchConfig, benchSchedule, benchWorkload } from './scenario.ts';
import { interleavedMedianMs } from './timing.ts';

/** A trace of the bench scenario with FLOW placement and hybrid dispatch (queues and inline). */
export function benchTrace(packets: number): Trace {
  const policy = builtinNetisrPolicies(FREEBSD_RSS_PROTOCOLS).find((p) => p.name === 'freebsd-flow-hybrid');
  if (policy === undefined) throw new Error('no built-in freebsd-flow-hybrid');
  const result = unwrap(
    runHost({
      config: benchConfig,
      workload: benchWorkload(packets),
      schedule: benchSchedule(packets * 4),
      policy: policy.factory,
    }),
  );
  return result.trace;
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
    ms: interleavedMedianMs(traces.map((t) => () => spec.check(t))),
  }));
}

export function checkerTable(rows: readonly CheckerRow[], traces: readonly Trace[]): string {
  const lengths = traces.map((t) => t.length);
  const steps = lengths.slice(1).map((n, i) => `x${(n / (lengths[i] ?? 1)).toFixed(1)} events`);
  const width = Math.max(12, ...rows.map((r) => r.property.length));
  const lines = [
    `trace lengths: ${lengths.join(', ')} events; CPU time per event, median of 7 alternating rounds`,
    `${'property'.padEnd(width)} ${lengths.map((n) => `ns/ev @${n}`.padStart(14)).join('')}   time ratios (${steps.join(', ')})`,
  ];
  for (const r of rows) {
    const perEvent = r.ms.map((ms, i) => ((ms * 1e6) / (lengths[i] ?? 1)).toFixed(1).padStart(14)).join('');
    const ratios = r.ms.slice(1).map((ms, i) => `x${(ms / (r.ms[i] ?? 1)).toFixed(1)}`);
    lines.push(`${r.property.padEnd(width)} ${perEvent}   ${ratios.join('  ')}`);
  }
  const total = lengths.map((n, i) =>
    ((rows.reduce((s, r) => s + (r.ms[i] ?? 0), 0) * 1e6) / n).toFixed(1).padStart(14),
  );
  lines.push(`${'all checkers'.padEnd(width)} ${total.join('')}`);
  return lines.join('\n');
}
