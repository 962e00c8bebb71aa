/**
 * The RSS blog (seed 003, "UDP RSS update: ixgbe(4) turned out to have issues"): with a correct
 * flowid the NIC put packets on the wrong receive ring, because the driver set up the flow director
 * and receive units overlapping in NIC memory; netisr then queued them across CPUs (lock contention).
 * Fixed in FreeBSD-HEAD by initialising the NIC correctly: the ring follows the bucket table.
 */
import { describe, expect, it } from 'vitest';
import { REASSEMBLY_PROPERTIES, type ReassemblyCase, runReassembly } from '../../harness/reassembly-run.ts';
import { findFlowSpec, packets, udpFlow } from '../../model/host/scenario.ts';
import { checkBucketAffinity } from '../../properties/bucket-affinity.ts';

/** 4 CPUs, 8 buckets, 4 rings bound to CPUs 0..3: bucket b is on CPU b % 4 and ring b % 4. */
const flow = findFlowSpec(udpFlow, (f) => ((f.hash2Tuple >>> 25) & 3) !== (f.hash2Tuple & 3));

const burst: ReassemblyCase = {
  config: { kernel: 'freebsd-rss', cpuCount: 4, rxRingCount: 4, sysctl: { 'net.isr.maxthreads': -1 } },
  workload: { flows: [flow], items: packets([0, 0, 0]) },
  schedule: [],
};

describe('regression: NIC receives on the wrong rx ring (ixgbe, RSS blog)', () => {
  it('fixed: the ring, ether and ip all on the bucket CPU, ip dispatched inline', () => {
    const trace = runReassembly(burst);
    const arrive = trace.find((e) => e.kind === 'arrive');
    expect(arrive?.kind === 'arrive' && arrive.cpu === arrive.bucketCpu).toBe(true);
    expect(
      trace
        .filter((e) => e.kind === 'dispatch' && e.proto === 'ip')
        .map((e) => (e.kind === 'dispatch' ? e.mode : '')),
    ).toEqual(['hybrid', 'hybrid', 'hybrid']);
    expect(REASSEMBLY_PROPERTIES.flatMap((p) => p.check(trace))).toEqual([]);
  });

  it('pre-fix: packets land on another CPU, caught by bucket-affinity (R-6)', () => {
    const trace = runReassembly(burst, ['nic-wrong-rx-ring']);
    // The bug's path: ip is still placed on the bucket CPU, but through a cross-CPU netisr queue.
    expect(
      trace
        .filter((e) => e.kind === 'dispatch' && e.proto === 'ip')
        .map((e) => (e.kind === 'dispatch' ? e.mode : '')),
    ).toEqual(['queued', 'queued', 'queued']);
    const rules = checkBucketAffinity(trace).map((v) => v.rule);
    expect(rules.filter((r) => r === 'R-6')).toHaveLength(3);
    expect(rules).toContain('R-10');
  });
});
