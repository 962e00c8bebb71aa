import { describe, expect, it } from 'vitest';
import { cpuId } from '../../model/brand.ts';
import { runHost } from '../../model/host/run.ts';
import { packets, tcpFlow } from '../../model/host/scenario.ts';
import { unwrap } from '../../model/result.ts';
import type { EndEvent, Trace, TraceEvent } from '../../model/trace.ts';
import { checkLiveness } from '../../properties/liveness.ts';
import { builtinPolicy } from '../arbitraries/run-case.ts';

/**
 * Each way liveness sees a stuck run, alone: the model's own variant (netisr-thread-stalls) trips
 * several at once, so each branch is shown here on a real trace edited to break only it.
 */
const config = { cpuCount: 2, sysctl: { 'net.isr.dispatch': 'deferred' as const, 'net.isr.maxthreads': -1 } };
const run = unwrap(
  runHost({
    config,
    workload: { flows: [tcpFlow(1)], items: [...packets([0, 0, 0]), { kind: 'snapshot' }] },
    schedule: [],
    policy: builtinPolicy('registered', config),
  }),
);
const trace: Trace = run.trace;
const endIndex = trace.findIndex((e) => e.kind === 'end');
const end = trace[endIndex] as EndEvent;
const lastSnapshot = trace.reduce((last, e, k) => (e.kind === 'counters' ? k : last), -1);

const withEnd = (patch: Partial<EndEvent>): Trace =>
  trace.map((e, k) => (k === endIndex ? ({ ...end, ...patch } as TraceEvent) : e));
const index = (p: (e: TraceEvent) => boolean): number => trace.findIndex(p);

describe('liveness (INV-PROGRESS): each stuck state on its own', () => {
  it('a clean run passes; a trace without an end passes vacuously', () => {
    expect(endIndex).toBeGreaterThan(0);
    expect(checkLiveness(trace)).toEqual([]);
    expect(checkLiveness(trace.slice(0, endIndex))).toEqual([]);
  });

  it('a run that ran out of steps', () => {
    expect(checkLiveness(withEnd({ outcome: 'steps-exhausted' }))).toEqual([
      {
        property: 'liveness',
        rule: 'INV-PROGRESS',
        events: [endIndex],
        message: `run ended steps-exhausted after ${end.steps} steps, want quiescent`,
      },
    ]);
  });

  it('a workstream left busy, and workload items that never reached the stack', () => {
    const vs = checkLiveness(withEnd({ busyCpus: [cpuId(1), cpuId(0)], pendingPackets: 2 }));
    expect(vs.map((v) => [v.events, v.message])).toEqual([
      [[endIndex], 'workstreams still busy or pending on cpu 1, 0'],
      [[endIndex], '2 workload items never reached the stack'],
    ]);
  });

  it('a queue the last snapshot shows non-empty', () => {
    const snap = trace[lastSnapshot];
    if (snap?.kind !== 'counters') throw new Error('no snapshot');
    const rows = snap.netisr.map((r) => (r.proto === 'ip' && r.cpu === 1 ? { ...r, lenPackets: 3 } : r));
    const edited = trace.map((e, k) => (k === lastSnapshot ? { ...snap, netisr: rows } : e));
    const vs = checkLiveness(edited);
    expect(vs.map((v) => [v.events, v.message])).toEqual([
      [[lastSnapshot], 'ip on cpu 1: 3 packets left queued'],
    ]);
  });

  it('a packet the trace leaves queued: its enqueue event is shown', () => {
    const enqueue = index((e) => e.kind === 'enqueue' && e.pkt === 2);
    const enqueued = trace[enqueue];
    if (enqueued?.kind !== 'enqueue') throw new Error('packet 2 was not queued');
    // Drop the batch that took packet 2 and what it handled: the packet stays queued.
    const batch = trace.findIndex((e, k) => k > enqueue && e.kind === 'batch' && e.cpu === enqueued.cpu);
    const edited = trace.filter(
      (e, k) => k !== batch && !(k > batch && e.kind === 'handle' && e.pkt === 2 && e.proto === 'ip'),
    );
    const shiftedEnd = edited.findIndex((e) => e.kind === 'end');
    const left = checkLiveness(edited).find((v) => /the trace leaves packet/.test(v.message));
    const [, pkt, more] =
      /^ip on cpu \d+: the trace leaves packet (\d+) and (\d+) more queued$/.exec(left?.message ?? '') ?? [];
    expect(left?.events).toHaveLength(2);
    expect(left?.events[1]).toBe(shiftedEnd);
    // The first event shown is where the first stuck packet was queued.
    expect(edited[left?.events[0] ?? -1]).toMatchObject({ kind: 'enqueue', pkt: Number(pkt) });
    // A batch takes the whole queue (N-17): what was queued after the last batch left stays.
    const lastBatch = edited.reduce(
      (last, e, k) => (e.kind === 'batch' && e.proto === 'ip' && e.cpu === enqueued.cpu ? k : last),
      -1,
    );
    const stuck = edited.filter(
      (e, k) => k > lastBatch && e.kind === 'enqueue' && e.proto === 'ip' && e.cpu === enqueued.cpu,
    );
    expect(Number(more)).toBe(stuck.length - 1);
    expect(left?.message).toContain(`ip on cpu ${enqueued.cpu}:`);
  });

  it('a batch taken off a queue but never finished', () => {
    const batch = index((e) => e.kind === 'batch');
    const taken = trace[batch];
    if (taken?.kind !== 'batch') throw new Error('no batch');
    const edited = trace.filter(
      (e, k) => !(k > batch && e.kind === 'handle' && e.proto === taken.proto && e.cpu === taken.cpu),
    );
    const shiftedEnd = edited.findIndex((e) => e.kind === 'end');
    expect(checkLiveness(edited).map((v) => [v.events, v.message])).toContainEqual([
      [shiftedEnd],
      `cpu ${taken.cpu}: a ${taken.proto} batch of ${taken.packets} was never finished`,
    ]);
  });
});
