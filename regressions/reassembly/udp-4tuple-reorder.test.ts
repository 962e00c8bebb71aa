/**
 * The RSS blog (seed 003, "figuring out how to handle IP fragments"): NICs hashed UDP on the
 * 4-tuple, but fragments carry no ports and are hashed on the 2-tuple, so fragmented and whole
 * datagrams of one flow landed on different rings and CPUs and were processed out of order. The
 * drivers and rss_gethashconfig turned IPv4+UDP hashing off.
 */
import { describe, expect, it } from 'vitest';
import { REASSEMBLY_PROPERTIES, type ReassemblyCase, runReassembly } from '../../harness/reassembly-run.ts';
import { findFlowSpec, fragmentItems, udpFlow } from '../../model/host/scenario.ts';
import { checkFragmentFlowOrder } from '../../properties/reassembly-flow-order.ts';

/** 4 CPUs, 8 buckets, 4 rings: a packet's ring is hash & 3. This flow's 4-tuple ring comes first. */
const flow = findFlowSpec(udpFlow, (f) => (f.hash4Tuple & 3) < (f.hash2Tuple & 3));

/** A datagram in two fragments (seq 0, 1), then a small one sent whole (seq 2). */
const mix: ReassemblyCase = {
  config: { kernel: 'freebsd-rss', cpuCount: 4, rxRingCount: 4, sysctl: { 'net.isr.maxthreads': -1 } },
  workload: {
    flows: [flow],
    items: [...fragmentItems(0, 1, 48, 24), { kind: 'packet', flow: 0, payloadBytes: 20 }],
  },
  // All zeros: the NIC fills the rings first, then the lowest-numbered ring's thread runs first.
  schedule: [],
};

const ipInputSeqs = (trace: ReturnType<typeof runReassembly>) =>
  trace.flatMap((e) => (e.kind === 'handle' && e.proto === 'ip' ? [e.seq] : []));

describe('regression: UDP hashed on the 4-tuple reorders fragments and whole datagrams (R-11)', () => {
  it('fixed: one 2-tuple ring and CPU for the whole flow, ip_input in arrival order', () => {
    const trace = runReassembly(mix);
    expect(new Set(trace.flatMap((e) => (e.kind === 'arrive' ? [e.ring] : []))).size).toBe(1);
    expect(ipInputSeqs(trace)).toEqual([0, 1, 2]);
    expect(REASSEMBLY_PROPERTIES.flatMap((p) => p.check(trace))).toEqual([]);
  });

  it('pre-fix: the whole datagram overtakes the fragments, caught by fragment-flow-order', () => {
    const trace = runReassembly(mix, ['rss-udp-4tuple-default']);
    // The bug's path: the whole datagram carries a UDP 4-tuple hash and arrives on another ring.
    const arrivals = trace.filter((e) => e.kind === 'arrive');
    expect(arrivals.map((e) => (e.kind === 'arrive' ? e.hashType : ''))).toEqual([
      'rss-ipv4',
      'rss-ipv4',
      'rss-udp-ipv4',
    ]);
    expect(ipInputSeqs(trace)).toEqual([2, 0, 1]);
    expect(checkFragmentFlowOrder(trace).map((v) => v.rule)).toEqual(['R-11', 'R-11']);
  });
});
