import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketId, cpuId, flowId, packetId, virtualNs } from '../../model/brand.ts';
import type { DispatchContext, PacketView, PolicyFactory } from '../../model/policy.ts';
import flowHash from '../../policies/flow-hash.ts';
import cpuOffByOne from '../../policies/unsafe/cpu-off-by-one.ts';
import hashScaledByMax from '../../policies/unsafe/hash-scaled-by-max.ts';
import inlineOnOwnCpu from '../../policies/unsafe/inline-on-own-cpu.ts';
import inlineWhenBusy from '../../policies/unsafe/inline-when-busy.ts';
import migratingFlows from '../../policies/unsafe/migrating-flows.ts';
import roundRobin from '../../policies/unsafe/round-robin.ts';
import spinsOnUdp from '../../policies/unsafe/spins-on-udp.ts';
import spreadFragments from '../../policies/unsafe/spread-fragments.ts';
import throwsOnIpv6 from '../../policies/unsafe/throws-on-ipv6.ts';
import { PROPERTIES } from '../../properties/index.ts';
import { FLOW_ORDER } from '../../properties/ordering.ts';
import { POLICY_CONFORMANCE, policyConformance } from '../../properties/policy-conformance.ts';
import { REASSEMBLY_CPU, reassemblyCpu } from '../../properties/reassembly-cpu.ts';
import { shrinkingByItems } from '../arbitraries/item-shrink.ts';
import { fuzzCaseArb, runCaseArb } from '../arbitraries/run-case.ts';
import { describeViolations } from '../check-run.ts';
import { fcParams } from '../fc-runs.ts';
import { mustCheck, packetCount } from './helpers.ts';

const SEARCH_RUNS_MAX = 2_000;

interface Unsafe {
  readonly file: string;
  readonly factory: PolicyFactory;
  readonly property: string;
  /** Any of these rules shows the fault. */
  readonly rules: readonly string[];
  readonly packetsMax: number;
}

/** What each example in policies/unsafe/ breaks, as its header comment says. */
const UNSAFE: readonly Unsafe[] = [
  { file: 'round-robin.ts', factory: roundRobin, property: FLOW_ORDER, rules: ['N-20'], packetsMax: 8 },
  {
    file: 'inline-when-busy.ts',
    factory: inlineWhenBusy,
    property: FLOW_ORDER,
    rules: ['N-20'],
    packetsMax: 2,
  },
  {
    file: 'migrating-flows.ts',
    factory: migratingFlows,
    property: FLOW_ORDER,
    rules: ['N-20'],
    packetsMax: 24,
  },
  {
    file: 'inline-on-own-cpu.ts',
    factory: inlineOnOwnCpu,
    property: FLOW_ORDER,
    rules: ['N-20'],
    packetsMax: 6,
  },
  {
    file: 'cpu-off-by-one.ts',
    factory: cpuOffByOne,
    property: POLICY_CONFORMANCE,
    rules: ['policy:cpu-out-of-range', 'policy:no-workstream'],
    packetsMax: 1,
  },
  {
    file: 'hash-scaled-by-max.ts',
    factory: hashScaledByMax,
    property: POLICY_CONFORMANCE,
    rules: ['policy:cpu-not-integer'],
    packetsMax: 1,
  },
  {
    file: 'throws-on-ipv6.ts',
    factory: throwsOnIpv6,
    property: POLICY_CONFORMANCE,
    rules: ['policy:threw'],
    packetsMax: 2,
  },
];

describe('policies/unsafe: the fuzzer catches each with the property its header names', () => {
  it.each(UNSAFE)('$file breaks $property', ({ factory, property, rules, packetsMax }) => {
    // Judged by the property it names only, as the fuzz command judges its shrinks by the one it
    // latched (harness/fuzz/search.ts); the shrunk case is then judged by every property.
    const named = PROPERTIES.filter((p) => p.name === property);
    const details = fc.check(
      // The fuzz command's shrinking (item-shrink.ts) on a fixed seed: the shrunk size is a fact, not luck.
      fc.property(
        shrinkingByItems(runCaseArb()),
        (c) => mustCheck(c, factory, named).violations.length === 0,
      ),
      { numRuns: SEARCH_RUNS_MAX, seed: 1 },
    );
    expect(details.failed).toBe(true);
    const [shrunk] = details.counterexample ?? [];
    if (shrunk === undefined) throw new Error('no counterexample');
    const violations = mustCheck(shrunk, factory).violations;
    // The shrunk case shows this fault and no other: the right property is named.
    expect(new Set(violations.map((v) => v.property))).toEqual(new Set([property]));
    expect(
      violations.some((v) => rules.includes(v.rule)),
      describeViolations(violations),
    ).toBe(true);
    expect(packetCount(shrunk)).toBeLessThanOrEqual(packetsMax);
  });

  // Each way a flow comes to enter on a second CPU exposes it on its own, within 300 runs.
  it.each(['retable', 'migrate', 'failover'] as const)('inline-on-own-cpu.ts is caught after %s', (kind) => {
    const details = fc.check(
      fc.property(
        runCaseArb({ moveKinds: [kind], cpuCountMax: 8 }),
        (c) => mustCheck(c, inlineOnOwnCpu).violations.length === 0,
      ),
      { numRuns: 300, seed: 17, endOnFailure: true },
    );
    expect(details.failed).toBe(true);
    expect(details.counterexample?.[0]?.workload.items.some((it) => it.kind === kind)).toBe(true);
  });

  it('policy errors name the packet and the answer', () => {
    const c = {
      config: { cpuCount: 2, sysctl: { 'net.isr.maxthreads': -1 } },
      workload: {
        flows: [
          {
            family: 'inet6' as const,
            ipProto: 17,
            src: '2001:db8::1',
            dst: '2001:db8::2',
            sport: 1,
            dport: 2,
          },
        ],
        items: [{ kind: 'packet' as const, flow: 0 }],
      },
      schedule: [],
    };
    const [threw] = mustCheck(c, throwsOnIpv6).violations;
    expect(threw).toMatchObject({ property: POLICY_CONFORMANCE, rule: 'policy:threw' });
    expect(threw?.message).toMatch(
      /^policy throws-on-ipv6 on packet 0 \(flow 0, cpu 0\): threw TypeError: not an IPv4 address: 2001:db8::1$/,
    );
    const [outOfRange] = mustCheck({ ...c, config: { cpuCount: 1 } }, cpuOffByOne).violations;
    expect(outOfRange?.rule).toBe('policy:cpu-out-of-range');
    expect(outOfRange?.message).toContain('answered cpu 1, want 0..0');
  });
});

/** A context on one CPU whose thread reports busy for the first `busyCalls` questions. */
function busyContext(busyCalls: number): { ctx: DispatchContext; asked: () => number } {
  let calls = 0;
  const ctx: DispatchContext = {
    cpuCount: 1,
    cpu: cpuId(0),
    nowNs: virtualNs(0),
    workstreamCpus: [cpuId(0)],
    deferredOnly: false,
    queueLengthPackets: () => 1,
    queueLimitPackets: () => 256,
    busy: () => calls++ < busyCalls,
    bucketCount: 1,
    bucketCpu: () => cpuId(0),
    bucketOf: () => bucketId(0),
  };
  return { ctx, asked: () => calls };
}

const udpView: PacketView = {
  id: packetId(0),
  flow: flowId(0),
  seq: 0,
  protocol: 'ip',
  family: 'inet',
  ipProto: 17,
  src: '10.0.0.1',
  dst: '10.0.0.2',
  sport: 1,
  dport: 2,
  hash: 7,
  hashType: 'opaque-hash',
  isFragment: false,
  fragmentOffsetBytes: 0,
  rxRing: 0,
  rcvifIndex: 1,
  source: 0,
  encapDepth: 0,
};

describe('policies/unsafe/spread-fragments.ts', () => {
  // Only the fuzz command's cases carry fragments; judged by reassembly-cpu alone, the shrunk case
  // is a fragment held on a CPU that does not own its 2-tuple bucket.
  it("breaks reassembly-cpu (F-29) on the fuzz command's fragment cases", () => {
    const details = fc.check(
      fc.property(
        fuzzCaseArb(),
        (c) => mustCheck(c, spreadFragments, [reassemblyCpu]).violations.length === 0,
      ),
      { numRuns: SEARCH_RUNS_MAX, seed: 1 },
    );
    expect(details.failed).toBe(true);
    const [shrunk] = details.counterexample ?? [];
    if (shrunk === undefined) throw new Error('no counterexample');
    const [violation] = mustCheck(shrunk, spreadFragments, [reassemblyCpu]).violations;
    expect(violation).toMatchObject({ property: REASSEMBLY_CPU, rule: 'F-29' });
    expect(packetCount(shrunk)).toBeLessThanOrEqual(12);
  });
});

describe('policies/unsafe/spins-on-udp.ts', () => {
  // In a run nothing changes while place() loops, so the thread stays busy and it never returns;
  // the fuzz runner's watchdog turns that into policy:timed-out. Here the context lets go after
  // 10 000 questions, which shows the loop without hanging the suite.
  it('keeps asking while the thread is busy, and answers only once it is idle', () => {
    const policy = spinsOnUdp({ cpuCount: 1, workstreamCpus: [cpuId(0)], bucketCount: 1 });
    const { ctx, asked } = busyContext(10_000);
    expect(policy.place(udpView, ctx)).toEqual({ cpu: 0, mode: 'queue' });
    expect(asked()).toBe(10_001);
    const tcp = busyContext(Number.POSITIVE_INFINITY);
    expect(policy.place({ ...udpView, ipProto: 6 }, tcp.ctx)).toEqual({ cpu: 0, mode: 'queue' });
    expect(tcp.asked()).toBe(0);
  });
});

describe('policies/flow-hash.ts keeps every promise', () => {
  it("passes every property on the fuzz command's cases, fragments included", () => {
    fc.assert(
      fc.property(fuzzCaseArb(), (c) => {
        const { violations } = mustCheck(c, flowHash);
        if (violations.length > 0) throw new Error(describeViolations(violations));
      }),
      fcParams(),
    );
  });
});

describe('policies/unsafe/hash-scaled-by-max.ts', () => {
  // Random addresses and ports hash to 0xffffffff about once in 2^32 flows: the fuzz command's
  // flows solved onto hash edges (boundary-hash.ts) are what finds it.
  it('is caught on a flow hashing to 0xffffffff, and only there', () => {
    const details = fc.check(
      fc.property(
        shrinkingByItems(runCaseArb()),
        (c) => mustCheck(c, hashScaledByMax, [policyConformance]).violations.length === 0,
      ),
      { numRuns: SEARCH_RUNS_MAX, seed: 3 },
    );
    expect(details.failed, `not caught in ${SEARCH_RUNS_MAX} runs`).toBe(true);
    const [shrunk] = details.counterexample ?? [];
    if (shrunk === undefined) throw new Error('no counterexample');
    const { result, violations } = mustCheck(shrunk, hashScaledByMax, [policyConformance]);
    const faulted = new Set(
      violations
        .flatMap((v) => v.events.map((i) => result.trace[i]))
        .flatMap((ev) => (ev?.kind === 'policy-error' ? [ev.pkt] : [])),
    );
    expect(violations[0]?.rule).toBe('policy:cpu-not-integer');
    const hashes = result.trace.flatMap((ev) =>
      ev.kind === 'arrive' && faulted.has(ev.pkt) ? [ev.hash] : [],
    );
    expect(hashes.length).toBeGreaterThan(0);
    expect(new Set(hashes)).toEqual(new Set([0xffff_ffff]));
  });
});
