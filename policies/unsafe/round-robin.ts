import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';

/**
 * UNSAFE: sprays packets over the netisr threads one by one for perfect balance. Two packets of
 * one flow land on two CPUs and the second can be handled first: the fuzzer reports flow-order
 * (N-20) as soon as there are two netisr threads and an interleaving that runs the later one first.
 */
const roundRobin: PolicyFactory = (): DispatchPolicy => {
  let next = 0;
  return {
    name: 'round-robin',
    place(_pkt, ctx) {
      const cpus = ctx.workstreamCpus;
      const cpu = cpus[next++ % cpus.length] ?? ctx.cpu;
      return { cpu, mode: 'queue' };
    },
  };
};

export default roundRobin;
