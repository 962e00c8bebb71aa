import type { KnobSpec } from '../knobs.ts';

/**
 * IPv4 and IPv6 reassembly knobs (sys/netinet/ip_reass.c, sys/netinet6/frag6.c; reference notes
 * section 6). Defaults derived from kern.ipc.nmbclusters are given for nmbclusters = 1,000,000:
 * maxfrags = nmbclusters / 32 = 31250, maxfragpackets = min(maxfrags, 1024 * 50) = 31250,
 * maxfragbucketsize = max(maxfragpackets / (1024 / 2), 1) = 61.
 */
export const inetKnobs = {
  'net.inet.ip.maxfrags': {
    default: 31250,
    min: -1,
    max: 1_000_000,
    unit: 'fragments',
    source: 'sys/netinet/ip_reass.c ipreass_init (nmbclusters / 32; -1 = no global cap, F-3)',
  },
  'net.inet.ip.maxfragpackets': {
    default: 31250,
    min: -1,
    max: 1_000_000,
    unit: 'queues',
    source: 'sys/netinet/ip_reass.c IP_MAXFRAGPACKETS (0 disables reassembly, -1 unlimited, F-23)',
  },
  'net.inet.ip.maxfragbucketsize': {
    default: 61,
    min: 1,
    max: 1_000_000,
    unit: 'queues',
    source: 'sys/netinet/ip_reass.c ipreass_init (max(maxfragpackets / (hashsize / 2), 1), F-7)',
  },
  'net.inet.ip.maxfragsperpacket': {
    default: 16,
    min: 0,
    max: 65535,
    unit: 'fragments',
    source: 'sys/netinet/ip_reass.c maxfragsperpacket (F-17)',
  },
  'net.inet.ip.fragttl': {
    default: 30,
    min: 1,
    max: 255,
    unit: 'seconds',
    source: 'sys/netinet/ip_reass.c sysctl_fragttl (IPFRAGTTL 60 slow ticks = 30 s, F-21)',
  },
  'net.inet.ip.reass_hashsize': {
    default: 1024,
    min: 1,
    max: 65536,
    unit: 'buckets',
    source: 'sys/netinet/ip_reass.c IPREASS_NHASH (boot tunable, power of two, F-1)',
  },
  'net.inet6.ip6.maxfrags': {
    default: 31250,
    min: -1,
    max: 1_000_000,
    unit: 'fragments',
    source: 'sys/netinet6/frag6.c IP6_MAXFRAGS (nmbclusters / 32; -1 = no cap)',
  },
  'net.inet6.ip6.maxfragpackets': {
    default: 31250,
    min: -1,
    max: 1_000_000,
    unit: 'queues',
    source: 'sys/netinet6/frag6.c IP6_MAXFRAGPACKETS (0 = never reassemble, -1 = unlimited)',
  },
  'net.inet6.ip6.maxfragbucketsize': {
    default: 61,
    min: 1,
    max: 1_000_000,
    unit: 'queues',
    source: 'sys/netinet6/frag6.c frag6_set_bucketsize (max(maxfragpackets / 512, 1))',
  },
  'net.inet6.ip6.maxfragsperpacket': {
    default: 64,
    min: 0,
    max: 65535,
    unit: 'fragments',
    source: 'sys/netinet6/frag6.c frag6_init (V_ip6_maxfragsperpacket = 64)',
  },
} as const satisfies Record<string, KnobSpec>;

/** IPV6_FRAGTTL (ip6.h): 120 slow-timeout ticks at PR_SLOWHZ 2 = 60 s; not a sysctl. */
export const IPV6_FRAGTTL_SLOW_TICKS = 120;
export const PR_SLOWHZ = 2;
/** IP6REASS_NHASH (frag6.c): fixed at 1024 buckets. */
export const IP6REASS_NHASH = 1024;
/** IP_MAXPACKET / IPV6_MAXPACKET. */
export const IP_MAXPACKET_BYTES = 65535;
/** The IPv4 header the model assumes (no options). */
export const IP_HEADER_BYTES = 20;
