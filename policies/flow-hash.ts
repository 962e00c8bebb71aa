import type { CpuId } from '../model/brand.ts';
import type { DispatchContext, DispatchPolicy, PacketView, PolicyFactory } from '../model/policy.ts';

/**
 * SAFE: per-bucket placement with hybrid dispatch, as FreeBSD's RSS kernel runs ip (N-3, N-13).
 * The packet's hash picks its RSS bucket, the bucket's CPU picks the netisr thread
 * (nws_array[cpu % nws_count]), so every packet of a flow goes to one workstream. It runs inline
 * only when that workstream is the current CPU's and is neither running, dispatching nor
 * scheduled (N-13c): a queue that holds packets always has one of those flags set (N-14), so an
 * inline packet never overtakes a queued one. It keeps every promise: flow-order,
 * no-drop-below-limit, counter-consistency, liveness and policy-conformance all pass.
 */
function workstreamOf(pkt: PacketView, ctx: DispatchContext): CpuId {
  const nws = ctx.workstreamCpus;
  const cpu = ctx.bucketCpu(ctx.bucketOf(pkt.hash));
  return nws[cpu % nws.length] ?? ctx.cpu;
}

const flowHash: PolicyFactory = (): DispatchPolicy => ({
  name: 'flow-hash',
  place(pkt, ctx) {
    const target = workstreamOf(pkt, ctx);
    if (target === ctx.cpu && !ctx.busy(target)) return { cpu: target, mode: 'hybrid' };
    return { cpu: target, mode: 'queue' };
  },
});

export default flowHash;
