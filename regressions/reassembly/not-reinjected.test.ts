/**
 * FreeBSD D527 (2014, options RSS): a reassembled datagram kept the 2-tuple hash of its fragments and
 * went up on their CPU; the fix rehashes it (a TCP datagram on its 4-tuple) and re-injects it
 * through netisr (ip_direct) to the CPU of that bucket. https://reviews.freebsd.org/D527, F-26/F-27.
 */
import { describe, expect, it } from 'vitest';
import { REASSEMBLY_PROPERTIES, type ReassemblyCase, runReassembly } from '../../harness/reassembly-run.ts';
import { fragmentItems } from '../../model/host/scenario.ts';
import { checkBucketAffinity } from '../../properties/bucket-affinity.ts';
import { checkReassemblyContinuation } from '../../properties/reassembly-continuation.ts';

/** SC-14: TCP 10.0.0.1:12345 -> 10.0.0.2:80 in three fragments; 2-tuple bucket 1 (CPU 1), 4-tuple bucket 4 (CPU 0). */
const sc14: ReassemblyCase = {
  config: { kernel: 'freebsd-rss', cpuCount: 4, rxRingCount: 4, sysctl: { 'net.isr.maxthreads': -1 } },
  workload: {
    flows: [{ family: 'inet', ipProto: 6, src: '10.0.0.1', dst: '10.0.0.2', sport: 12345, dport: 80 }],
    items: fragmentItems(0, 7, 40, 16),
  },
  schedule: [],
};

describe('regression: reassembled datagram not re-injected (D527)', () => {
  it('fixed: rehashed on the 4-tuple and handled by ip_direct and tcp on CPU 0', () => {
    const trace = runReassembly(sc14);
    const done = trace.find((e) => e.kind === 'reassembled');
    expect(done).toMatchObject({
      cpu: 1,
      fullHash: 0xd9f84534,
      fullBucket: 4,
      fullBucketCpu: 0,
      continuation: 'reinject',
    });
    expect(trace.filter((e) => e.kind === 'deliver')).toMatchObject([{ cpu: 0, layer: 'tcp' }]);
    expect(REASSEMBLY_PROPERTIES.flatMap((p) => p.check(trace))).toEqual([]);
  });

  it('pre-fix: delivered inline on CPU 1, caught by reassembly-continuation (F-27)', () => {
    const trace = runReassembly(sc14, ['reass-no-reinject']);
    // The bug's path: the datagram goes up inline where it was reassembled, no ip_direct hop.
    expect(trace.some((e) => e.kind === 'dispatch' && e.proto === 'ip_direct')).toBe(false);
    expect(trace.filter((e) => e.kind === 'deliver')).toMatchObject([{ cpu: 1, layer: 'tcp' }]);
    const found = checkReassemblyContinuation(trace);
    expect(found.map((v) => v.rule)).toEqual(['F-27']);
    expect(found[0]?.message).toMatch(/reached the upper layer on cpu 1, want cpu 0/);
    expect(checkBucketAffinity(trace).map((v) => v.rule)).toEqual(['R-10']);
  });
});
