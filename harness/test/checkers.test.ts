import { describe, expect, it } from 'vitest';
import { runHost } from '../../model/host/run.ts';
import { packets, tcpFlow, udpFlow } from '../../model/host/scenario.ts';
import { unwrap } from '../../model/result.ts';
import type { Trace, TraceEvent } from '../../model/trace.ts';
import { checkCounterConsistency } from '../../properties/counters.ts';
import { checkTrace } from '../../properties/index.ts';
import { checkLiveness } from '../../properties/liveness.ts';
import { checkNoDropBelowLimit } from '../../properties/no-drop-below-limit.ts';
import { checkFlowOrder } from '../../properties/ordering.ts';
import { checkPolicyConformance } from '../../properties/policy-conformance.ts';
import { builtinPolicy } from '../arbitraries/run-case.ts';

/**
 * The checkers on a real trace edited by hand: each edit breaks one rule that no model variant
 * breaks (a packet lost or delivered twice, a drop counted twice, a row off by one), and the
 * checker must name it; the unedited trace passes.
 */
const config = { cpuCount: 2, sysctl: { 'net.isr.dispatch': 'deferred' as const, 'net.isr.maxthreads': -1 } };
const run = unwrap(
  runHost({
    config,
    workload: {
      flows: [tcpFlow(1), udpFlow(2)],
      items: [...packets([0, 0, 1, 0, 1, 1]), { kind: 'snapshot' }],
    },
    schedule: [],
    policy: builtinPolicy('registered', config),
  }),
);
const trace = run.trace;

const indexOf = (p: (e: TraceEvent) => boolean): number => {
  const i = trace.findIndex(p);
  if (i < 0) throw new Error('no such event');
  return i;
};
const without = (i: number): Trace => trace.filter((_, k) => k !== i);
const replaced = (i: number, ev: TraceEvent): Trace => trace.map((e, k) => (k === i ? ev : e));
const rules = (vs: readonly { property: string; rule: string }[]) => vs.map((v) => `${v.property} ${v.rule}`);

describe('checkers on edited traces', () => {
  it('the unedited trace passes every property, and an empty trace passes vacuously', () => {
    expect(checkTrace(trace)).toEqual([]);
    expect(checkTrace([])).toEqual([]);
  });

  it('flow-order: two handles of a flow swapped', () => {
    const a = indexOf((e) => e.kind === 'handle' && e.proto === 'ip' && e.flow === 0 && e.seq === 0);
    const b = indexOf((e) => e.kind === 'handle' && e.proto === 'ip' && e.flow === 0 && e.seq === 1);
    const swapped = trace.map((e, k) => (k === a ? trace[b] : k === b ? trace[a] : e)) as Trace;
    expect(rules(checkFlowOrder(swapped))).toEqual(['flow-order N-20']);
    expect(checkFlowOrder(swapped)[0]?.events).toEqual([a, b]);
  });

  it('no-drop-below-limit: a packet never delivered is lost (INV-CONSERVE)', () => {
    const i = indexOf((e) => e.kind === 'deliver' && e.flow === 1);
    const vs = checkNoDropBelowLimit(without(i));
    expect(rules(vs)).toEqual(['no-drop-below-limit INV-CONSERVE']);
    expect(vs[0]?.message).toMatch(/was never delivered, dropped or queued: lost/);
  });

  it('no-drop-below-limit: a packet delivered twice, and handled more often than dispatched', () => {
    const d = indexOf((e) => e.kind === 'deliver');
    const twice = [...trace.slice(0, d + 1), ...trace.slice(d)];
    expect(rules(checkNoDropBelowLimit(twice))).toEqual(['no-drop-below-limit INV-CONSERVE']);
    const h = indexOf((e) => e.kind === 'handle' && e.proto === 'ip');
    const handledTwice = [...trace.slice(0, h + 1), ...trace.slice(h)];
    expect(rules(checkNoDropBelowLimit(handledTwice))).toContain('no-drop-below-limit INV-CONSERVE');
  });

  it('no-drop-below-limit: a drop statistic bumped without its drop event (I-3)', () => {
    const s = indexOf((e) => e.kind === 'counters');
    const snap = trace[s];
    if (snap?.kind !== 'counters') throw new Error('no snapshot');
    const vs = checkNoDropBelowLimit(replaced(s, { ...snap, stats: { ...snap.stats, ifi_iqdrops: 1 } }));
    expect(rules(vs)).toEqual(['no-drop-below-limit I-3']);
  });

  it('no-drop-below-limit: a policy drop without its policy-error (I-3)', () => {
    const end = trace.length - 1;
    const arrive = trace.find((e) => e.kind === 'arrive');
    if (arrive?.kind !== 'arrive') throw new Error('no arrival');
    const drop: TraceEvent = {
      kind: 'drop',
      atNs: arrive.atNs,
      pkt: arrive.pkt,
      flow: arrive.flow,
      where: 'policy',
      reason: 'threw',
      counter: 'ip.policy_errors',
      cpu: arrive.cpu,
    };
    const edited = [...trace.slice(0, end), drop, ...trace.slice(end)];
    expect(rules(checkNoDropBelowLimit(edited))).toContain('no-drop-below-limit I-3');
  });

  it('counter-consistency: Handled one too high at a snapshot (I-4 against the trace, N-17 in the row)', () => {
    const s = indexOf((e) => e.kind === 'counters' && e.quiescent);
    const snap = trace[s];
    if (snap?.kind !== 'counters') throw new Error('no snapshot');
    const rows = snap.netisr.map((r) =>
      r.proto === 'ip' && r.cpu === 0 ? { ...r, handled: r.handled + 1 } : r,
    );
    expect(rules(checkCounterConsistency(replaced(s, { ...snap, netisr: rows })))).toEqual([
      'counter-consistency N-10',
      'counter-consistency I-4',
    ]);
  });

  it('liveness: an end that was not quiescent, or a packet left queued', () => {
    const endIndex = trace.length - 1;
    const end = trace[endIndex];
    if (end?.kind !== 'end') throw new Error('no end');
    expect(rules(checkLiveness(replaced(endIndex, { ...end, outcome: 'steps-exhausted' })))).toEqual([
      'liveness INV-PROGRESS',
    ]);
    const lastBatch = trace.map((e) => e.kind).lastIndexOf('batch');
    const vs = checkLiveness(trace.filter((e, k) => k < lastBatch || e.kind === 'end'));
    expect(rules(vs).length).toBeGreaterThan(0);
    expect(vs.every((v) => v.rule === 'INV-PROGRESS')).toBe(true);
  });

  it('policy-conformance: each policy-error is a violation of its kind with the arrival shown', () => {
    const arrive = indexOf((e) => e.kind === 'arrive');
    const ev = trace[arrive];
    if (ev?.kind !== 'arrive') throw new Error('no arrival');
    const error: TraceEvent = {
      kind: 'policy-error',
      atNs: ev.atNs,
      pkt: ev.pkt,
      flow: ev.flow,
      policy: 'p',
      error: 'timed-out',
      message: 'no answer within 1000 ms',
      cpu: ev.cpu,
    };
    const vs = checkPolicyConformance([...trace.slice(0, arrive + 1), error]);
    expect(vs).toEqual([
      {
        property: 'policy-conformance',
        rule: 'policy:timed-out',
        events: [arrive, arrive + 1],
        message: `policy p on packet ${ev.pkt} (flow ${ev.flow}, cpu ${ev.cpu}): no answer within 1000 ms`,
      },
    ]);
  });
});
