import type { CpuId } from '../../model/brand.ts';
import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';

/**
 * UNSAFE: "spread flows by their share of the hash range", scaled by `/ 0xffffffff` (the largest
 * hash) instead of `/ 2 ** 32`: hash 0xffffffff maps one past the last netisr thread, to an
 * undefined CPU. Every other hash lands in range, so only a flow hashing to exactly 0xffffffff
 * shows it; the fuzzer draws such flows on purpose (harness/arbitraries/boundary-hash.ts) and
 * reports policy-conformance (policy:cpu-not-integer). The split ignores the RSS buckets, so on
 * fragment cases it breaks reassembly-cpu too.
 */
const hashScaledByMax: PolicyFactory = (): DispatchPolicy => ({
  name: 'hash-scaled-by-max',
  place(pkt, ctx) {
    const threads = ctx.workstreamCpus;
    const index = Math.floor(((pkt.hash >>> 0) / 0xffff_ffff) * threads.length);
    return { cpu: threads[index] as CpuId, mode: 'queue' };
  },
});

export default hashScaledByMax;
