import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';

/**
 * UNSAFE: "the packet is already on its flow's CPU, so run it here". It places by bucket like
 * flow-hash, but runs inline whenever the current CPU is the target, without asking whether that
 * CPU's queue still holds earlier packets of the flow. While a flow enters on one CPU that never
 * happens; once it enters on another (ethtool -X moves its bucket, its tun writer migrates, lagg
 * fails over), the packets queued from the old CPU are overtaken. FreeBSD's hybrid dispatch
 * queues whenever the workstream is running, dispatching or scheduled (N-13c). The fuzzer
 * reports flow-order (N-20); on some seeds first stack-depth (S-5), since it also runs the inner
 * packet of a nested tunnel inline on the CPU that decapsulated it.
 */
const inlineOnOwnCpu: PolicyFactory = (): DispatchPolicy => ({
  name: 'inline-on-own-cpu',
  place(pkt, ctx) {
    const cpus = ctx.workstreamCpus;
    const target = cpus[ctx.bucketCpu(ctx.bucketOf(pkt.hash)) % cpus.length] ?? ctx.cpu;
    return target === ctx.cpu ? { cpu: target, mode: 'direct' } : { cpu: target, mode: 'queue' };
  },
});

export default inlineOnOwnCpu;
