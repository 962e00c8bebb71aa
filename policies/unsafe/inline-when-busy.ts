import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';

/**
 * UNSAFE: hybrid dispatch that runs directly while packets are queued. "The flow's netisr thread
 * is busy, so save the wait and run the packet here": the inline dispatch overtakes the packets of
 * the same flow already queued behind the busy thread, which FreeBSD's hybrid dispatch avoids by
 * queueing whenever the workstream is running, dispatching or scheduled (N-13c). The fuzzer
 * reports flow-order (N-20), even on one CPU.
 */
const inlineWhenBusy: PolicyFactory = (): DispatchPolicy => ({
  name: 'inline-when-busy',
  place(pkt, ctx) {
    const cpus = ctx.workstreamCpus;
    const target = cpus[ctx.bucketCpu(ctx.bucketOf(pkt.hash)) % cpus.length] ?? ctx.cpu;
    if (ctx.busy(target)) return { cpu: ctx.cpu, mode: 'hybrid' };
    return { cpu: target, mode: 'queue' };
  },
});

export default inlineWhenBusy;
