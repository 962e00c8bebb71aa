import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';

/**
 * UNSAFE: spins forever. It waits for the flow's netisr thread to go idle before queueing a UDP
 * packet, but nothing else runs while place() loops, so once a UDP packet meets a busy thread
 * place() never returns. The fuzz runner's watchdog reports policy-conformance (policy:timed-out)
 * with the packet instead of hanging; the suite's own tests show the loop with a context whose
 * thread stays busy.
 */
const spinsOnUdp: PolicyFactory = (): DispatchPolicy => ({
  name: 'spins-on-udp',
  place(pkt, ctx) {
    const cpus = ctx.workstreamCpus;
    const target = cpus[pkt.hash % cpus.length] ?? ctx.cpu;
    if (pkt.ipProto === 17) {
      while (ctx.busy(target)) {
        // waiting for the thread to go idle: nothing changes while this loop runs
      }
    }
    return { cpu: target, mode: 'queue' };
  },
});

export default spinsOnUdp;
