import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';

/**
 * UNSAFE: written for IPv4 only; it parses the source address as a dotted quad and throws on an
 * IPv6 packet. The fuzzer reports policy-conformance (policy:threw) with the packet, not a crash.
 */
const throwsOnIpv6: PolicyFactory = (): DispatchPolicy => ({
  name: 'throws-on-ipv6',
  place(pkt, ctx) {
    const octets = pkt.src.split('.').map(Number);
    if (octets.length !== 4) throw new TypeError(`not an IPv4 address: ${pkt.src}`);
    const cpus = ctx.workstreamCpus;
    return { cpu: cpus[(octets[3] ?? 0) % cpus.length] ?? ctx.cpu, mode: 'queue' };
  },
});

export default throwsOnIpv6;
