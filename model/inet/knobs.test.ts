import { describe, expect, it } from 'vitest';
import {
  IP_HEADER_BYTES,
  IP_MAXPACKET_BYTES,
  IP6REASS_NHASH,
  IPV6_FRAGTTL_SLOW_TICKS,
  inetKnobs,
  PR_SLOWHZ,
} from './knobs.ts';

describe('the reassembly knobs (reference section 6.1)', () => {
  it('each sysctl names its unit and cites the kernel file that declares it', () => {
    const rows = Object.entries(inetKnobs).map(([name, k]) => [name, k.unit, k.source.split(' ')[0]]);
    expect(rows).toEqual([
      ['net.inet.ip.maxfrags', 'fragments', 'sys/netinet/ip_reass.c'],
      ['net.inet.ip.maxfragpackets', 'queues', 'sys/netinet/ip_reass.c'],
      ['net.inet.ip.maxfragbucketsize', 'queues', 'sys/netinet/ip_reass.c'],
      ['net.inet.ip.maxfragsperpacket', 'fragments', 'sys/netinet/ip_reass.c'],
      ['net.inet.ip.fragttl', 'seconds', 'sys/netinet/ip_reass.c'],
      ['net.inet.ip.reass_hashsize', 'buckets', 'sys/netinet/ip_reass.c'],
      ['net.inet6.ip6.maxfrags', 'fragments', 'sys/netinet6/frag6.c'],
      ['net.inet6.ip6.maxfragpackets', 'queues', 'sys/netinet6/frag6.c'],
      ['net.inet6.ip6.maxfragbucketsize', 'queues', 'sys/netinet6/frag6.c'],
      ['net.inet6.ip6.maxfragsperpacket', 'fragments', 'sys/netinet6/frag6.c'],
    ]);
    for (const k of Object.values(inetKnobs)) expect(k.source.length).toBeGreaterThan(25);
  });

  it('F-21 and IPV6_FRAGTTL: 60 and 120 slow ticks at PR_SLOWHZ 2 are 30 s and 60 s', () => {
    expect(inetKnobs['net.inet.ip.fragttl'].default).toBe(30);
    expect(IPV6_FRAGTTL_SLOW_TICKS / PR_SLOWHZ).toBe(60);
    expect([IP6REASS_NHASH, IP_MAXPACKET_BYTES, IP_HEADER_BYTES]).toEqual([1024, 65535, 20]);
  });
});
