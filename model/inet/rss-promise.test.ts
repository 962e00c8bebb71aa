import { describe, expect, it } from 'vitest';
import { cpuId } from '../brand.ts';
import { FREEBSD_PROTOCOLS, FREEBSD_RSS_2015_PROTOCOLS, FREEBSD_RSS_PROTOCOLS } from '../netisr/protocols.ts';
import { makeBucketTable } from '../rss/buckets.ts';
import { RssPromise, type RssPromiseSetup } from './rss-promise.ts';

/** Four buckets owned by CPUs 2, 3, 0, 1; rings 0..3 interrupt CPUs 0..3, ring = hash & 3. */
function promise(over: Partial<RssPromiseSetup> = {}): RssPromise {
  return new RssPromise({
    rss: true,
    buckets: makeBucketTable([2, 3, 0, 1].map(cpuId)),
    protocols: FREEBSD_RSS_PROTOCOLS.map((reg) => ({ reg })),
    workstreamCpus: [0, 1, 2, 3].map(cpuId),
    ringCpus: [0, 1, 2, 3].map(cpuId),
    ringOf: (hash) => (hash + 2) & 3,
    ...over,
  });
}

describe('the RSS promise (R-5 .. R-10, F-27)', () => {
  it('R-5/R-7: an arrival of an RSS hash type is promised its bucket CPU when its ring is there (R-6)', () => {
    expect(promise().arrival('inet', 5, 'rss-ipv4')).toBe(3);
    expect(promise().arrival('inet6', 6, 'rss-tcp-ipv6')).toBe(0);
    // The NIC put the bucket's packets on another CPU's ring: no promise.
    expect(promise({ ringOf: (hash) => hash & 3 }).arrival('inet', 5, 'rss-ipv4')).toBeUndefined();
  });

  it('no promise without options RSS, for a hash without bucket affinity, or a CPU without a netisr thread', () => {
    expect(promise({ rss: false }).arrival('inet', 5, 'rss-ipv4')).toBeUndefined();
    expect(promise().arrival('inet', 5, 'opaque-hash')).toBeUndefined();
    expect(promise({ workstreamCpus: [0, 1, 2].map(cpuId) }).arrival('inet', 5, 'rss-ipv4')).toBeUndefined();
    expect(promise({ workstreamCpus: [0, 1, 2].map(cpuId) }).arrival('inet', 6, 'rss-ipv4')).toBe(0);
  });

  it('only protocols that place by CPU promise anything', () => {
    const generic = promise({ protocols: FREEBSD_PROTOCOLS.map((reg) => ({ reg })) });
    expect(generic.arrival('inet', 5, 'rss-ipv4')).toBeUndefined();
    expect(generic.arrival('inet6', 5, 'rss-ipv6')).toBeUndefined();
    // The 2015 RSS table: ip by CPU, ip6 still by flow.
    const rss2015 = promise({ protocols: FREEBSD_RSS_2015_PROTOCOLS.map((reg) => ({ reg })) });
    expect(rss2015.arrival('inet', 5, 'rss-ipv4')).toBe(3);
    expect(rss2015.arrival('inet6', 5, 'rss-ipv6')).toBeUndefined();
  });

  it('F-27: a re-injected datagram is promised its bucket CPU whatever ring brought its fragments', () => {
    const p = promise({ ringOf: () => 0 });
    expect(p.direct('ip_direct', 5, 'rss-tcp-ipv4')).toBe(3);
    expect(p.direct('ip6_direct', 4, 'rss-tcp-ipv6')).toBe(2);
    expect(p.direct(undefined, 5, 'rss-tcp-ipv4')).toBeUndefined();
    expect(p.direct('ether', 5, 'rss-tcp-ipv4')).toBe(3);
    expect(p.direct('arp', 5, 'rss-tcp-ipv4')).toBeUndefined();
  });
});
