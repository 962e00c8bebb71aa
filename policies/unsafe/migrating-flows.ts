import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';

/** Virtual time between two rotations of the bucket -> thread map. */
const REBALANCE_PERIOD_NS = 5_000;

/**
 * UNSAFE: rebalances by rotating every bucket to the next netisr thread every 5 us. A flow moves
 * while its old queue still holds packets, so its next packet can be handled first on the new CPU:
 * the migration rule Linux RFS keeps (move only once the old queue has passed the flow's last
 * packet) is missing. The fuzzer reports flow-order (N-20) once there are two netisr threads.
 */
const migratingFlows: PolicyFactory = (): DispatchPolicy => ({
  name: 'migrating-flows',
  place(pkt, ctx) {
    const cpus = ctx.workstreamCpus;
    const epoch = Math.floor(ctx.nowNs / REBALANCE_PERIOD_NS);
    const cpu = cpus[(ctx.bucketOf(pkt.hash) + epoch) % cpus.length] ?? ctx.cpu;
    return { cpu, mode: 'queue' };
  },
});

export default migratingFlows;
