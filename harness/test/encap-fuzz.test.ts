import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import flowHash from '../../policies/flow-hash.ts';
import inlineDecapsulated from '../../policies/unsafe/inline-decapsulated.ts';
import { BUFFER_BALANCE } from '../../properties/buffer-balance.ts';
import { PROPERTIES } from '../../properties/index.ts';
import { STACK_DEPTH } from '../../properties/stack-depth.ts';
import { isEncapCase } from '../arbitraries/case-kind.ts';
import { encapCaseArb } from '../arbitraries/encap-case.ts';
import { fuzzCaseArb } from '../arbitraries/run-case.ts';
import { describeViolations } from '../check-run.ts';
import { fcParams, fcRuns } from '../fc-runs.ts';
import { NULL_HEARTBEAT } from '../fuzz/heartbeat.ts';
import { caseAtPath, type SearchJob, search } from '../fuzz/search.ts';
import { mustCheck, packetCount } from './helpers.ts';

/** What `npm run fuzz -- <policy>` searches with by default: every property, 1..64 CPUs. */
const fuzzJob = (seed: number, runs: number, properties = PROPERTIES.map((p) => p.name)): SearchJob => ({
  seed,
  runs,
  path: undefined,
  cpuCountMin: 1,
  cpuCountMax: 64,
  properties,
});

describe('the fuzz command generates encapsulated traffic (gif/gre/IPsec, nested 1..4)', () => {
  it('in about one case in five, every layer kind, nesting 1..4, use_netisr on and off, both stack sizes', () => {
    const cases = fc.sample(fuzzCaseArb(), { numRuns: 1_000, seed: 1 }).filter(isEncapCase);
    expect(cases.length / 1_000).toBeGreaterThan(0.15);
    const layers = cases.flatMap((c) => c.encap.inbound.map((l) => (l.kind === 'sa' ? l.proto : l.type)));
    expect(new Set(layers)).toEqual(new Set(['gif', 'gre', 'esp', 'ah', 'ipcomp']));
    expect(new Set(cases.map((c) => c.encap.inbound.length))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(cases.map((c) => c.encap.ipsec['net.inet.ipsec.use_netisr']))).toEqual(
      new Set([true, false]),
    );
    expect(new Set(cases.map((c) => c.config.sysctl?.['kern.kstack_pages']))).toEqual(new Set([2, 4]));
    // A counterexample reads as script lines, layers included.
    expect(fc.stringify(cases[0])).toMatch(/\ninbound \S+.*\noutbound /);
  });

  it('policies/flow-hash.ts keeps every promise on them: a busy workstream queues the inner packet', () => {
    fc.assert(
      fc.property(encapCaseArb(), (c) => {
        const { violations } = mustCheck(c, flowHash);
        if (violations.length > 0) throw new Error(describeViolations(violations));
      }),
      fcParams(),
    );
  });

  it('fuzzing policies/flow-hash.ts exercises stack-depth and buffer-balance', () => {
    const runs = fcRuns();
    const result = search(
      fuzzJob(1, runs, [STACK_DEPTH, BUFFER_BALANCE]),
      flowHash,
      'flow-hash',
      NULL_HEARTBEAT,
    );
    expect(result.kind).toBe('held');
    if (result.kind !== 'held') return;
    expect(result.exercised[STACK_DEPTH]).toBeGreaterThanOrEqual(runs / 10);
    expect(result.exercised[BUFFER_BALANCE]).toBeGreaterThanOrEqual(runs / 10);
  });
});

describe('policies/unsafe/inline-decapsulated.ts', () => {
  it('is caught by stack-depth within 300 runs at default settings, shrunk to one packet, replayable by path', () => {
    const job = fuzzJob(1, 300);
    const result = search(job, inlineDecapsulated, 'inline-decapsulated', NULL_HEARTBEAT);
    expect(result).toMatchObject({ kind: 'violated', property: STACK_DEPTH });
    if (result.kind !== 'violated') return;
    expect(result.runs).toBeLessThanOrEqual(300);
    const shrunk = result.runCase;
    if (!isEncapCase(shrunk)) throw new Error('the counterexample is not an encapsulated case');
    expect(packetCount(shrunk)).toBe(1);
    expect(shrunk.config.cpuCount).toBe(1);
    // A tunnel whose inner packet ran inline, on a 2-page stack; the same case with the flow-hash
    // answer holds.
    expect(shrunk.encap.inbound.filter((l) => l.kind === 'tunnel').length).toBeGreaterThan(0);
    expect(shrunk.config.sysctl?.['kern.kstack_pages']).toBe(2);
    const [v] = mustCheck(shrunk, inlineDecapsulated).violations;
    expect(v).toMatchObject({ property: STACK_DEPTH, rule: 'INV-DEPTH' });
    expect(v?.message).toMatch(/kernel stack 8192/);
    expect(mustCheck(shrunk, flowHash).violations).toEqual([]);
    expect(caseAtPath(job, result.path)).toEqual(shrunk);
  });
});
