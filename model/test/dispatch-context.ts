import { bucketId, cpuId, virtualNs } from '../brand.ts';
import type { DispatchContext } from '../policy.ts';

/** A context on CPU 1 of 4, workstreams on CPUs 0 and 1, idle queues of 256: what the policy tests hand a policy. */
export const testContext = (over: Partial<DispatchContext> = {}): DispatchContext => ({
  cpuCount: 4,
  cpu: cpuId(1),
  nowNs: virtualNs(0),
  workstreamCpus: [cpuId(0), cpuId(1)],
  deferredOnly: false,
  queueLengthPackets: () => 0,
  queueLimitPackets: () => 256,
  busy: () => false,
  bucketCount: 1,
  bucketCpu: () => cpuId(0),
  bucketOf: () => bucketId(0),
  ...over,
});
