import type { KnobSpec } from '../knobs.ts';

/**
 * RSS configuration (sys/net/rss_config.c). `options RSS` is compile-time in FreeBSD; here the
 * kernel flavour ('freebsd' or 'freebsd-rss') selects it and these knobs shape it.
 */
export const rssKnobs = {
  'net.inet.rss.bits': {
    default: 0,
    min: 0,
    max: 7,
    unit: 'bits',
    source: 'sys/net/rss_config.c rss_init (0 = fls(ncpus - 1) + 1, R-4)',
  },
  'net.inet.rss.udp_4tuple': {
    default: false,
    unit: 'flag',
    source: 'sys/net/rss_config.c rss_gethashconfig (UDP_IPV4/UDP_IPV6 under #if 0, R-11)',
    doc: 'hash UDP over the 4-tuple; FreeBSD keeps it off so fragments and whole datagrams share a bucket',
  },
} as const satisfies Record<string, KnobSpec>;

/** RSS_MAXBITS and RSS_MAXCPUS (rss_config.h). */
export const RSS_MAXBITS = 7;
export const RSS_MAXCPUS = 64;
/** Entries in a NIC's redirection table (RSS_TABLE_MAXLEN). */
export const RSS_TABLE_ENTRIES = 128;
