import type { CpuId } from '../../model/brand.ts';
import type { DispatchContext, DispatchPolicy, PacketView, PolicyFactory } from '../../model/policy.ts';

/** The flow's RSS bucket's CPU among the workstreams, as flow-hash places it. */
function homeOf(pkt: PacketView, ctx: DispatchContext): CpuId {
  const nws = ctx.workstreamCpus;
  return nws[ctx.bucketCpu(ctx.bucketOf(pkt.hash)) % nws.length] ?? ctx.cpu;
}

/** The CPU the flow's reader last ran on, from rps_sock_flow_table (R1), if the entry is this flow's. */
function readerCpu(pkt: PacketView, ctx: DispatchContext): number | undefined {
  const sn = ctx.softnet;
  const ident = sn?.sockFlowEntry(pkt.hash);
  if (sn === undefined || ident === undefined || ((ident ^ pkt.hash) & ~sn.rpsCpuMask) !== 0)
    return undefined;
  const cpu = ident & sn.rpsCpuMask;
  return cpu < ctx.cpuCount ? cpu : undefined;
}

/**
 * UNSAFE: RFS without last_qtail. On Linux it steers each flow to the backlog of the CPU its
 * reader last ran on (rps_sock_flow_table, as get_rps_cpu does), but moves the flow as soon as the
 * reader moves, without waiting until the old CPU's input_queue_head has passed the flow's last
 * queued packet (R4, net/core/dev.c get_rps_cpu; the reason rps_dev_flow.last_qtail exists). The
 * new CPU's backlog then runs the flow's next packet before the old backlog's earlier ones. The
 * fuzzer reports linux-flow-order (R4) with `--kernel linux`. Elsewhere (FreeBSD, no RFS table) it
 * queues on the flow's bucket CPU like flow-hash, which is safe.
 */
const rfsWithoutQtail: PolicyFactory = (): DispatchPolicy => ({
  name: 'rfs-without-qtail',
  place(pkt, ctx) {
    const home = homeOf(pkt, ctx);
    const reader = readerCpu(pkt, ctx);
    if (reader !== undefined) return { cpu: reader as CpuId, mode: 'queue' };
    if (home === ctx.cpu && !ctx.busy(home)) return { cpu: home, mode: 'hybrid' };
    return { cpu: home, mode: 'queue' };
  },
});

export default rfsWithoutQtail;
