import type { KnobValues } from '../knobs.ts';
import type { IpReassLimits } from './ip_reass.ts';
import { IP6REASS_NHASH, inetKnobs } from './knobs.ts';
import type { ReassLimits } from './reass-types.ts';

export type InetSysctls = KnobValues<typeof inetKnobs>;

/**
 * The jenkins_hash32 seed of the reassembly tables. The kernel draws it with arc4random per VNET
 * (F-1); the model fixes it so that runs replay. Which bucket a key lands in does not change any
 * rule, only which keys share a bucket.
 */
export const REASS_HASH_SEED = 0;

/** Largest power of two <= n (>= 1): the hash mask needs one (IPREASS_HMASK = hashsize - 1). */
function powerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/**
 * F-23, frag6_set_bucketsize: left at its default, maxfragbucketsize follows maxfragpackets,
 * max(maxfragpackets / (hashsize / 2), 1); with maxfragpackets -1 there is no bucket limit (-1).
 */
function bucketsize(explicit: number, knobDefault: number, maxfragpackets: number, hashsize: number): number {
  if (maxfragpackets < 0) return -1;
  if (explicit !== knobDefault) return explicit;
  return Math.max(Math.floor(maxfragpackets / Math.max(hashsize / 2, 1)), 1);
}

/** ipreass_vnet_init: the IPv4 limits in effect. */
export function ipReassLimits(s: InetSysctls): IpReassLimits {
  const hashsize = powerOfTwoAtMost(s['net.inet.ip.reass_hashsize']);
  const maxfragpackets = s['net.inet.ip.maxfragpackets'];
  return {
    maxfrags: s['net.inet.ip.maxfrags'],
    maxfragpackets,
    maxfragbucketsize: bucketsize(
      s['net.inet.ip.maxfragbucketsize'],
      inetKnobs['net.inet.ip.maxfragbucketsize'].default,
      maxfragpackets,
      hashsize,
    ),
    maxfragsperpacket: s['net.inet.ip.maxfragsperpacket'],
    hashsize,
    hashSeed: REASS_HASH_SEED,
    fragttlSeconds: s['net.inet.ip.fragttl'],
  };
}

/** frag6_init: the IPv6 limits in effect (1024 buckets, fixed). */
export function ip6ReassLimits(s: InetSysctls): ReassLimits {
  const maxfragpackets = s['net.inet6.ip6.maxfragpackets'];
  return {
    maxfrags: s['net.inet6.ip6.maxfrags'],
    maxfragpackets,
    maxfragbucketsize: bucketsize(
      s['net.inet6.ip6.maxfragbucketsize'],
      inetKnobs['net.inet6.ip6.maxfragbucketsize'].default,
      maxfragpackets,
      IP6REASS_NHASH,
    ),
    maxfragsperpacket: s['net.inet6.ip6.maxfragsperpacket'],
    hashsize: IP6REASS_NHASH,
    hashSeed: REASS_HASH_SEED,
  };
}
