import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FC_RUNS_CI, FC_RUNS_DEFAULT, fcParams, fcRuns } from '../fc-runs.ts';
import { mustCheck } from '../test/helpers.ts';
import { hostConfigArb } from './config.ts';
import { builtinPolicy, fuzzCaseArb, runCaseArb } from './run-case.ts';
import { scheduleArb } from './schedule.ts';
import { workloadArb } from './workload.ts';

/** A fixed seed: these are statements about the distribution, not properties of the model. */
const SAMPLE = { numRuns: 1_000, seed: 20_240_601 };

const share = <T>(xs: readonly T[], p: (x: T) => boolean) => xs.filter(p).length / xs.length;

describe('arbitraries reach the corners the properties need', () => {
  it('fuzz cases move flows between CPUs: table rewrites, tun0 writer migration, lagg failover', () => {
    // 2,000 cases (docs/fuzzing.md's sample): 600 left the share of one kind within noise of the bound.
    const cases = fc.sample(fuzzCaseArb(), { numRuns: 2_000, seed: 1 });
    for (const kind of ['retable', 'migrate', 'failover'] as const)
      expect(share(cases, (c) => c.workload.items.some((it) => it.kind === kind))).toBeGreaterThan(0.08);
  });

  const configs = fc.sample(hostConfigArb(), SAMPLE);

  it('CPU counts: 1..64, mostly small, non-powers of two included', () => {
    const cpus = configs.map((c) => c.cpuCount);
    expect(Math.min(...cpus)).toBe(1);
    expect(Math.max(...cpus)).toBeGreaterThan(32);
    expect(cpus.every((n) => n >= 1 && n <= 64)).toBe(true);
    expect(share(cpus, (n) => n <= 4)).toBeGreaterThan(0.5);
    expect(share(cpus, (n) => (n & (n - 1)) !== 0)).toBeGreaterThan(0.1);
  });

  it('qlimits 1 and 2, rings 1..4 on any CPU, tables that are not the identity, every dispatch', () => {
    const ipLimits = configs.map((c) => c.qlimits?.ip ?? 256);
    expect(share(ipLimits, (q) => q === 1)).toBeGreaterThan(0.05);
    expect(share(ipLimits, (q) => q === 2)).toBeGreaterThan(0.05);
    expect(new Set(configs.map((c) => c.rxRingCount))).toEqual(new Set([1, 2, 3, 4]));
    expect(configs.some((c) => c.bucketCpus?.some((cpu, b) => cpu !== b % c.cpuCount))).toBe(true);
    expect(new Set(configs.map((c) => c.sysctl?.['net.isr.dispatch']))).toEqual(
      new Set(['direct', 'hybrid', 'deferred']),
    );
    expect(new Set(configs.map((c) => c.kernel))).toEqual(new Set(['freebsd', 'freebsd-rss']));
    expect(configs.some((c) => (c.sysctl?.['hw.ix.rxd'] ?? 2048) <= 8)).toBe(true);
  });

  it('workloads: one flow, a few heavy, many mice; v4 and v6; TCP, UDP and other; bursts, pauses, snapshots', () => {
    const workloads = fc.sample(workloadArb(), SAMPLE);
    const flows = workloads.map((w) => w.flows.length);
    expect(share(flows, (n) => n === 1)).toBeGreaterThan(0.1);
    expect(share(flows, (n) => n >= 2 && n <= 4)).toBeGreaterThan(0.2);
    expect(share(flows, (n) => n >= 5)).toBeGreaterThan(0.1);
    const specs = workloads.flatMap((w) => w.flows);
    expect(new Set(specs.map((f) => f.family))).toEqual(new Set(['inet', 'inet6']));
    expect(new Set(specs.map((f) => f.ipProto))).toEqual(new Set([1, 6, 17, 47, 132]));
    const items = workloads.flatMap((w) => w.items);
    expect(new Set(items.map((i) => i.kind))).toEqual(new Set(['packet', 'pause', 'snapshot']));
    // A burst: one flow back to back, at least four packets long.
    const burst = (w: (typeof workloads)[number]) =>
      w.items.some(
        (it, k) => k >= 3 && [1, 2, 3].every((d) => JSON.stringify(w.items[k - d]) === JSON.stringify(it)),
      );
    expect(workloads.some(burst)).toBe(true);
  });

  it('schedules: any small integers, the empty one included', () => {
    const schedules = fc.sample(scheduleArb(), SAMPLE);
    expect(schedules.some((s) => s.length === 0)).toBe(true);
    expect(schedules.flat().every((c) => Number.isInteger(c) && c >= 0)).toBe(true);
  });

  it('runs exercise what the checkers judge: drops at qlimit, inline dispatch, batches cut by snapshots, several threads', () => {
    const runs = fc
      .sample(runCaseArb(), { numRuns: 300, seed: SAMPLE.seed })
      .map((c) => mustCheck(c, builtinPolicy('registered', c.config)).result.trace);
    const seen = (p: (t: (typeof runs)[number]) => boolean) => runs.filter(p).length;
    expect(seen((t) => t.some((e) => e.kind === 'drop' && e.where === 'netisr-queue'))).toBeGreaterThan(10);
    expect(seen((t) => t.some((e) => e.kind === 'drop' && e.where === 'rx-ring'))).toBeGreaterThan(0);
    expect(
      seen((t) => t.some((e) => e.kind === 'dispatch' && e.mode === 'hybrid' && e.proto !== 'ether')),
    ).toBeGreaterThan(10);
    expect(
      seen((t) =>
        t.some(
          (e) =>
            e.kind === 'counters' &&
            !e.quiescent &&
            e.netisr.some(
              (r) => r.queued - (r.handled - r.dispatched - r.hybridDispatched) - r.lenPackets > 0,
            ),
        ),
      ),
    ).toBeGreaterThan(0);
    expect(
      seen((t) => new Set(t.flatMap((e) => (e.kind === 'batch' ? [e.cpu] : []))).size > 1),
    ).toBeGreaterThan(10);
  });
});

describe('FC_RUNS profiles', () => {
  it('default, CI, and an explicit FC_RUNS; nonsense falls back to the profile', () => {
    expect(fcRuns({})).toBe(FC_RUNS_DEFAULT);
    expect(fcRuns({ CI: 'true' })).toBe(FC_RUNS_CI);
    expect(fcRuns({ FC_RUNS: '25', CI: 'true' })).toBe(25);
    expect(fcRuns({ FC_RUNS: '0' })).toBe(FC_RUNS_DEFAULT);
    expect(fcRuns({ FC_RUNS: 'lots' })).toBe(FC_RUNS_DEFAULT);
  });

  it('FC_SEED and FC_PATH replay a printed failure', () => {
    expect(fcParams({ FC_SEED: '42', FC_PATH: '3:1:0' })).toEqual({
      numRuns: FC_RUNS_DEFAULT,
      seed: 42,
      path: '3:1:0',
      endOnFailure: true,
    });
    expect(fcParams({ FC_PATH: '3:1' })).toEqual({ numRuns: FC_RUNS_DEFAULT });
  });
});
