import { describe, expect, it } from 'vitest';
import { knobDefaults } from '../knobs.ts';
import { inetKnobs } from './knobs.ts';
import { type InetSysctls, ip6ReassLimits, ipReassLimits, REASS_HASH_SEED } from './reass-limits.ts';

const sysctls = (over: Partial<InetSysctls> = {}): InetSysctls => ({ ...knobDefaults(inetKnobs), ...over });

describe('reassembly limits at boot (ipreass_vnet_init, frag6_init; F-1, F-23)', () => {
  it('the defaults for nmbclusters 1,000,000: 31250 fragments and queues, 61 per bucket, 16 per datagram', () => {
    expect(ipReassLimits(sysctls())).toEqual({
      maxfrags: 31250,
      maxfragpackets: 31250,
      maxfragbucketsize: 61,
      maxfragsperpacket: 16,
      hashsize: 1024,
      hashSeed: REASS_HASH_SEED,
      fragttlSeconds: 30,
    });
    expect(ip6ReassLimits(sysctls())).toEqual({
      maxfrags: 31250,
      maxfragpackets: 31250,
      maxfragbucketsize: 61,
      maxfragsperpacket: 64,
      hashsize: 1024,
      hashSeed: REASS_HASH_SEED,
    });
  });

  it('F-1: reass_hashsize is taken down to a power of two', () => {
    const size = (n: number) => ipReassLimits(sysctls({ 'net.inet.ip.reass_hashsize': n })).hashsize;
    expect([1, 2, 3, 1000, 1024, 1025].map(size)).toEqual([1, 2, 2, 512, 1024, 1024]);
  });

  it('F-23: a default bucket size follows max(maxfragpackets / (hashsize / 2), 1)', () => {
    const v4 = (over: Partial<InetSysctls>) => ipReassLimits(sysctls(over)).maxfragbucketsize;
    expect(v4({ 'net.inet.ip.maxfragpackets': 51200 })).toBe(100);
    expect(v4({ 'net.inet.ip.maxfragpackets': 100 })).toBe(1);
    expect(v4({ 'net.inet.ip.maxfragpackets': 0 })).toBe(1);
    // With one bucket hashsize / 2 is a half: the divisor is held at 1.
    expect(v4({ 'net.inet.ip.maxfragpackets': 40, 'net.inet.ip.reass_hashsize': 1 })).toBe(40);
    expect(v4({ 'net.inet.ip.maxfragpackets': 40, 'net.inet.ip.reass_hashsize': 4 })).toBe(20);
    const v6 = (over: Partial<InetSysctls>) => ip6ReassLimits(sysctls(over)).maxfragbucketsize;
    expect(v6({ 'net.inet6.ip6.maxfragpackets': 51200 })).toBe(100);
    expect(v6({ 'net.inet6.ip6.maxfragpackets': 1023 })).toBe(1);
  });

  it('F-23: an explicit bucket size stays; maxfragpackets -1 lifts the bucket limit too', () => {
    expect(ipReassLimits(sysctls({ 'net.inet.ip.maxfragbucketsize': 7 })).maxfragbucketsize).toBe(7);
    expect(ip6ReassLimits(sysctls({ 'net.inet6.ip6.maxfragbucketsize': 9 })).maxfragbucketsize).toBe(9);
    expect(ipReassLimits(sysctls({ 'net.inet.ip.maxfragpackets': -1 })).maxfragbucketsize).toBe(-1);
    const v6 = sysctls({ 'net.inet6.ip6.maxfragpackets': -1, 'net.inet6.ip6.maxfragbucketsize': 9 });
    expect(ip6ReassLimits(v6).maxfragbucketsize).toBe(-1);
  });

  it('each family reads its own knobs', () => {
    const s = sysctls({
      'net.inet.ip.maxfrags': 1,
      'net.inet.ip.maxfragsperpacket': 2,
      'net.inet.ip.fragttl': 3,
      'net.inet6.ip6.maxfrags': 4,
      'net.inet6.ip6.maxfragpackets': 5,
      'net.inet6.ip6.maxfragsperpacket': 6,
    });
    expect(ipReassLimits(s)).toMatchObject({ maxfrags: 1, maxfragsperpacket: 2, fragttlSeconds: 3 });
    expect(ip6ReassLimits(s)).toMatchObject({ maxfrags: 4, maxfragpackets: 5, maxfragsperpacket: 6 });
  });
});
