import type { DispatchPolicy, PolicyFactory } from '../../model/policy.ts';

/**
 * UNSAFE: as RPS on Linux (ctx.softnet present), TCP and IPv6 packets are sprayed over the
 * backlogs by sequence number; everything else, and everything on FreeBSD, is placed like
 * flow-hash. Only a Linux case carrying an IPv6 flow shows it (linux-flow-order, R4).
 */
const spraysIpv6OnLinux: PolicyFactory = (): DispatchPolicy => ({
  name: 'sprays-ipv6-on-linux',
  place(pkt, ctx) {
    const cpus = ctx.workstreamCpus;
    const t = cpus[ctx.bucketCpu(ctx.bucketOf(pkt.hash)) % cpus.length] ?? ctx.cpu;
    if (ctx.softnet !== undefined && (pkt.ipProto === 6 || pkt.family === 'inet6'))
      return { cpu: cpus[(t + pkt.seq) % cpus.length] ?? ctx.cpu, mode: 'queue' };
    if (t === ctx.cpu && !ctx.busy(t)) return { cpu: t, mode: 'hybrid' };
    return { cpu: t, mode: 'queue' };
  },
});

export default spraysIpv6OnLinux;
