import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';

/**
 * UNSAFE: "a decapsulated packet already sits on its flow's CPU, so run it right here". Plain
 * packets are placed as flow-hash places them (their bucket's workstream, inline only when it is
 * this CPU's and idle); an inner packet (encapDepth > 0: a gif/gre/IPsec layer came off) runs
 * directly on the current CPU. But gif_input and gre_input hand the inner packet straight back to
 * netisr_dispatch (S-5): run inline, each tunnel layer puts another ip_input -> encap4_input ->
 * in_gif_input -> gif_input on the stack that still holds the outer packet's, and the forwarding
 * path (IPsec output without use_netisr) then runs on top: the recursion the gif_input comment
 * says once overflowed the kernel stack. On a 2-page stack three nested gif layers and one ESP SA
 * out, or one gre layer and a two-SA bundle, run off the end; the fuzzer reports stack-depth
 * (INV-DEPTH). Queueing the inner packet whenever the current workstream is busy (as flow-hash
 * does, N-13c) starts every layer on a fresh netisr stack.
 */
const inlineDecapsulated: PolicyFactory = (): DispatchPolicy => ({
  name: 'inline-decapsulated',
  place(pkt, ctx) {
    if (pkt.encapDepth > 0) return { cpu: ctx.cpu, mode: 'direct' };
    const cpus = ctx.workstreamCpus;
    const target = cpus[ctx.bucketCpu(ctx.bucketOf(pkt.hash)) % cpus.length] ?? ctx.cpu;
    if (target === ctx.cpu && !ctx.busy(target)) return { cpu: target, mode: 'hybrid' };
    return { cpu: target, mode: 'queue' };
  },
});

export default inlineDecapsulated;
