import { describe, expect, it } from 'vitest';
import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';
import { NULL_HEARTBEAT } from './heartbeat.ts';
import { caseAtPath, type SearchJob, type SearchResult, search } from './search.ts';

/** Sprays packets over the netisr threads one by one: breaks flow order with two threads. */
const sprayFactory: PolicyFactory = (): DispatchPolicy => {
  let next = 0;
  return {
    name: 'spray',
    place: (_pkt, ctx) => ({
      cpu: ctx.workstreamCpus[next++ % ctx.workstreamCpus.length] ?? ctx.cpu,
      mode: 'queue',
    }),
  };
};

const job: SearchJob = {
  seed: 77,
  runs: 100,
  path: undefined,
  cpuCountMin: 1,
  cpuCountMax: 4,
  // Two properties keep the test quick; the search treats any list alike.
  properties: ['flow-order', 'policy-conformance'],
};

/** The spray policy's violation for `job`, searched once for the tests that only read it. */
let sprayFound: SearchResult | undefined;
function foundBySpray(): SearchResult {
  sprayFound ??= search(job, sprayFactory, 'spray', NULL_HEARTBEAT);
  return sprayFound;
}

describe('fuzz search', () => {
  it('tracks the fast-check path of every run and shrink candidate, so a stopped run can be replayed', () => {
    const seen: { path: string; cpuCount: number; bucketCount: number }[] = [];
    let current = '';
    const beat = {
      ...NULL_HEARTBEAT,
      runStarts: (path: readonly number[]) => {
        current = path.join(':');
      },
    };
    const recording: PolicyFactory = (cfg) => {
      seen.push({ path: current, cpuCount: cfg.cpuCount, bucketCount: cfg.bucketCount });
      return sprayFactory(cfg);
    };
    const result = search(job, recording, 'spray', beat);
    expect(result.kind).toBe('violated');
    if (result.kind !== 'violated') return;
    expect(result.property).toBe('flow-order');
    expect(seen.map((s) => s.path)).toContain(result.path);
    expect(caseAtPath(job, result.path)).toEqual(result.runCase);
    // Every run, including the shrink candidates that passed: the case at its tracked path is the
    // case it ran (spot-checked by what the policy factory was told).
    const step = Math.ceil(seen.length / 8);
    for (const s of seen.filter((_, i) => i % step === 0)) {
      const rc = caseAtPath(job, s.path);
      expect({ path: s.path, cpuCount: rc.config.cpuCount }).toEqual({ path: s.path, cpuCount: s.cpuCount });
    }
  });

  it('runs every generated case on the pinned deployment (--kernel, --sysctl)', () => {
    const deployment = { kernel: 'freebsd-rss' as const, sysctl: { 'net.isr.maxthreads': -1 } };
    for (const path of ['0', '3', '17', '42']) {
      const rc = caseAtPath({ ...job, deployment }, path);
      expect(rc.config.kernel).toBe('freebsd-rss');
      expect((rc.config.sysctl as Readonly<Record<string, number>> | undefined)?.['net.isr.maxthreads']).toBe(
        -1,
      );
    }
  });

  it('replays a reported path as that single case, and holds where the policy keeps every promise', () => {
    const found = foundBySpray();
    if (found.kind !== 'violated') throw new Error('spray should break flow order');
    const replay = search(
      { ...job, path: found.path, properties: [found.property] },
      sprayFactory,
      'spray',
      NULL_HEARTBEAT,
    );
    expect(replay).toMatchObject({ kind: 'violated', path: found.path, runCase: found.runCase, shrinks: 0 });
    const byBucket: DispatchPolicy = {
      name: 'by-bucket',
      place: (p, ctx) => {
        const nws = ctx.workstreamCpus;
        return { cpu: nws[ctx.bucketCpu(ctx.bucketOf(p.hash)) % nws.length] ?? ctx.cpu, mode: 'queue' };
      },
    };
    expect(search({ ...job, runs: 100 }, byBucket, 'by-bucket', NULL_HEARTBEAT)).toMatchObject({
      kind: 'held',
      runs: 100,
      policyName: 'by-bucket',
      exercised: { 'flow-order': expect.any(Number), 'policy-conformance': expect.any(Number) },
    });
  });

  it('counts the failing run as judged only by the property it violated', () => {
    const found = foundBySpray();
    if (found.kind !== 'violated') throw new Error('spray should break flow order');
    // policy-conformance held on the runs before the failing one, and was not judged in it.
    expect(found.exercised['policy-conformance']).toBeLessThanOrEqual(found.runs - 1);
    expect(found.exercised['flow-order']).toBeGreaterThan(0);
    expect(found.exercised['flow-order']).toBeLessThanOrEqual(found.runs);
  });

  it('starts no run past its time limit once runsMin are made, and counts only the runs made', () => {
    let factoryCalls = 0;
    const counting: PolicyFactory = (cfg) => {
      factoryCalls++;
      return sprayFactory(cfg);
    };
    const late = { runsEndEpochMs: 0, shrinkEndEpochMs: 0 };
    const one = search({ ...job, properties: ['policy-conformance'] }, counting, 'spray', NULL_HEARTBEAT, {
      ...late,
      runsMin: 1,
    });
    expect(one).toMatchObject({ kind: 'held', runs: 1 });
    expect(factoryCalls).toBe(1);
    const none = search({ ...job, properties: ['policy-conformance'] }, counting, 'spray', NULL_HEARTBEAT, {
      ...late,
      runsMin: 0,
    });
    expect(none).toMatchObject({ kind: 'held', runs: 0 });
    expect(factoryCalls).toBe(1);
  });

  it('stops shrinking at its time limit and reports the failing case it has, replayable by its path', () => {
    const found = foundBySpray();
    if (found.kind !== 'violated') throw new Error('spray should break flow order');
    const cut = search(job, sprayFactory, 'spray', NULL_HEARTBEAT, {
      runsEndEpochMs: Number.MAX_SAFE_INTEGER,
      shrinkEndEpochMs: 0,
      runsMin: 0,
    });
    expect(cut).toMatchObject({ kind: 'violated', property: found.property, shrinks: 0, shrinkCut: true });
    if (cut.kind !== 'violated') return;
    // The run that failed first, unshrunk: found's path starts with it.
    expect(cut.path).toBe(found.path.split(':')[0]);
    expect(caseAtPath(job, cut.path)).toEqual(cut.runCase);
    expect(found).not.toHaveProperty('shrinkCut');
  });
});
