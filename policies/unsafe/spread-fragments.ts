import type { DispatchContext, DispatchPolicy, PacketView, PolicyFactory } from '../../model/policy.ts';

/**
 * UNSAFE: per-bucket placement like policies/flow-hash.ts, except that IP fragments, which cost
 * the most to reassemble, are spread over the netisr threads by fragment offset "to share the
 * work". The fragments of one datagram then wait in the reassembly queues of several CPUs and
 * none of them completes, or completes on a CPU that does not own the bucket: the fuzzer reports
 * reassembly-cpu (F-29) on an RSS host with two netisr threads.
 */
function bucketWorkstream(pkt: PacketView, ctx: DispatchContext) {
  const nws = ctx.workstreamCpus;
  const cpu = ctx.bucketCpu(ctx.bucketOf(pkt.hash));
  return nws[cpu % nws.length] ?? ctx.cpu;
}

const spreadFragments: PolicyFactory = (): DispatchPolicy => ({
  name: 'spread-fragments',
  place(pkt, ctx) {
    if (pkt.isFragment) {
      const nws = ctx.workstreamCpus;
      const cpu = nws[(pkt.fragmentOffsetBytes / 8) % nws.length] ?? ctx.cpu;
      return { cpu, mode: 'queue' };
    }
    return { cpu: bucketWorkstream(pkt, ctx), mode: 'queue' };
  },
});

export default spreadFragments;
