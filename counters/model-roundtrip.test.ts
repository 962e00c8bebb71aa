import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinPolicy, builtinPolicyNameArb, runCaseArb } from '../harness/arbitraries/run-case.ts';
import { fcRuns } from '../harness/fc-runs.ts';
import { hostNetstatQ } from '../model/host/config.ts';
import { type RunResult, runHost } from '../model/host/run.ts';
import { unwrap } from '../model/result.ts';
import type { NetisrWorkRow } from '../model/trace.ts';
import { checkCounters } from './index.ts';
import type { NetstatQSection } from './netstat-q.ts';
import type { CounterRuleId } from './rules.ts';

/** The model's own `netstat -Q` of some rows, as usr.bin/netstat would print it (as run.ts does). */
function render(r: RunResult, rows: readonly NetisrWorkRow[]): string {
  return hostNetstatQ(r.config, rows);
}

/** Every counter snapshot of a run, rendered. */
function renderedSnapshots(r: RunResult): { text: string; rows: readonly NetisrWorkRow[] }[] {
  return r.trace.flatMap((ev) =>
    ev.kind === 'counters' ? [{ text: render(r, ev.netisr), rows: ev.netisr }] : [],
  );
}

const runArb = fc.tuple(runCaseArb({ cpuCountMax: 8 }), builtinPolicyNameArb).map(([c, name]) => {
  const r = unwrap(runHost({ ...c, policy: builtinPolicy(name, c.config) }));
  return r;
});

const asNumbers = (s: NetstatQSection) =>
  s.table.workstreams.map((w) =>
    [
      w.cpu,
      w.proto,
      w.lenPackets,
      w.watermarkPackets,
      w.dispatched,
      w.hybridDispatched,
      w.qdrops,
      w.queued,
      w.handled,
    ].map(String),
  );
const fromModel = (rows: readonly NetisrWorkRow[]) =>
  rows.map((w) =>
    [
      w.cpu,
      w.proto,
      w.lenPackets,
      w.watermarkPackets,
      w.dispatched,
      w.hybridDispatched,
      w.qdrops,
      w.queued,
      w.handled,
    ].map(String),
  );

describe("the model's rendered netstat -Q through check-counters", () => {
  it('round-trips every snapshot of a run and every identity holds (mid-run batches in flight included)', () => {
    fc.assert(
      fc.property(runArb, (r) => {
        for (const snap of renderedSnapshots(r)) {
          const v = checkCounters(snap.text, { json: false, qlimitsFixed: true });
          expect(v.stderr).toBe('');
          expect(v.exitCode, v.stdout).toBe(0);
          const section = v.checked[0]?.section;
          expect(section?.format).toBe('netstat-q');
          if (section?.format === 'netstat-q') expect(asNumbers(section)).toEqual(fromModel(snap.rows));
        }
      }),
      { numRuns: Math.max(20, Math.floor(fcRuns() / 4)) },
    );
  });

  /** A corruption of one Workstreams row and the rule that must catch it. */
  const corruptions: readonly [CounterRuleId, (w: NetisrWorkRow) => NetisrWorkRow | undefined][] = [
    ['I-1', (w) => ({ ...w, watermarkPackets: w.qlimitPackets + 1 })],
    ['I-2', (w) => ({ ...w, lenPackets: w.watermarkPackets + 1 })],
    [
      'I-4',
      (w) =>
        w.dispatched + w.hybridDispatched > 0
          ? { ...w, handled: w.dispatched + w.hybridDispatched - 1 }
          : { ...w, dispatched: w.handled + 1 },
    ],
    ['N-17', (w) => ({ ...w, queued: w.queued + w.qlimitPackets + 1 })],
    ['N-9', (w) => (w.watermarkPackets < w.qlimitPackets ? { ...w, qdrops: w.qdrops + 1 } : undefined)],
  ];

  it.each(corruptions)('catches a corrupted copy with %s', (rule, corrupt) => {
    fc.assert(
      fc.property(runArb, fc.nat(), (r, pick) => {
        const last = renderedSnapshots(r).at(-1);
        if (last === undefined) return;
        const rows = [...last.rows];
        const k = pick % rows.length;
        const bad = corrupt(rows[k] as NetisrWorkRow);
        if (bad === undefined) return;
        rows[k] = bad;
        const v = checkCounters(render(r, rows), { json: false, qlimitsFixed: true });
        expect(v.exitCode).toBe(1);
        expect(v.checked.flatMap((c) => c.result.findings.map((f) => f.rule))).toContain(rule);
      }),
      { numRuns: Math.max(10, Math.floor(fcRuns() / 10)) },
    );
  });

  it('catches a workstream that lost a protocol row (Q-3)', () => {
    fc.assert(
      fc.property(runArb, fc.nat(), (r, pick) => {
        const last = renderedSnapshots(r).at(-1);
        if (last === undefined) return;
        const lines = last.text.split('\n');
        const rowLines = lines.flatMap((l, i) => (/^\s+\d+\s+\d+\s+\S+(\s+\d+){7}$/.test(l) ? [i] : []));
        lines.splice(rowLines[pick % rowLines.length] ?? 0, 1);
        const v = checkCounters(lines.join('\n'), { json: false, qlimitsFixed: true });
        expect(v.checked.flatMap((c) => c.result.findings.map((f) => f.rule))).toContain('Q-3');
      }),
      { numRuns: Math.max(10, Math.floor(fcRuns() / 10)) },
    );
  });
});
