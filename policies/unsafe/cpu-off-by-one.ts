import type { CpuId } from '../../model/brand.ts';
import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';

/**
 * UNSAFE: "CPUs are numbered from 1", so the bucket's CPU plus one. On the last CPU that is out of
 * range (on one CPU, always), and elsewhere it may be a CPU without a netisr thread: the fuzzer
 * reports policy-conformance (policy:cpu-out-of-range or policy:no-workstream) with the packet.
 */
const cpuOffByOne: PolicyFactory = (): DispatchPolicy => ({
  name: 'cpu-off-by-one',
  place(pkt, ctx) {
    return { cpu: (ctx.bucketCpu(ctx.bucketOf(pkt.hash)) + 1) as CpuId, mode: 'queue' };
  },
});

export default cpuOffByOne;
