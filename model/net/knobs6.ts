import type { KnobSpec } from '../knobs.ts';

/**
 * The IPv6 / neighbour discovery knobs beyond the ones the address code started with, as a
 * rump kernel boots them (netinet6/ip6_input.c, nd6.c, icmp6.c). Merged into netKnobs.
 */
export const inet6Knobs = {
  'net.inet6.ip6.neighborgcthresh': {
    default: 2048,
    min: -1,
    unit: 'entries',
    source: 'netinet6/nd6.c ip6_neighborgcthresh',
  },
  'net.inet6.ip6.hlim': {
    default: 64,
    min: 0,
    max: 255,
    unit: 'hops',
    source: 'netinet6/ip6_input.c ip6_defhlim',
  },
  'net.inet6.ip6.redirect': {
    default: 1,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet6/ip6_input.c ip6_sendredirects',
  },
  'net.inet6.ip6.accept_rtadv': {
    default: 0,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet6/ip6_input.c ip6_accept_rtadv',
  },
  'net.inet6.ip6.maxifprefixes': {
    default: 16,
    min: 0,
    unit: 'prefixes',
    source: 'netinet6/nd6.c ip6_maxifprefixes',
  },
  'net.inet6.ip6.maxifdefrouters': {
    default: 16,
    min: 0,
    unit: 'routers',
    source: 'netinet6/nd6.c ip6_maxifdefrouters',
  },
  'net.inet6.ip6.use_tempaddr': {
    default: 0,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet6/in6_ifattach.c ip6_use_tempaddr',
  },
  'net.inet6.ip6.prefer_tempaddr': {
    default: 0,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet6/in6_src.c ip6_prefer_tempaddr',
  },
  'net.inet6.icmp6.redirtimeout': {
    default: 600,
    min: 0,
    unit: 'seconds',
    source: 'netinet6/icmp6.c icmp6_redirtimeout',
  },
  'net.inet6.icmp6.rediraccept': {
    default: 1,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet6/icmp6.c icmp6_rediraccept',
  },
} as const satisfies Record<string, KnobSpec>;

/** Kernel constants of neighbour discovery (netinet6/nd6.h). */
export const ND6_REACHABLE_TIME_MS = 30_000;
export const ND6_RETRANS_TIMER_MS = 1_000;
export const ND6_DELAY_FIRST_PROBE_SECONDS = 5;
export const ND6_MMAXTRIES = 3;
export const ND6_UMAXTRIES = 3;
/** MAX_RTR_SOLICITATION_DELAY: the random delay before DAD of an autoconfigured address. */
export const ND6_MAX_RTR_SOLICITATION_DELAY_MS = 1_000;
/** ND_OPT_PI / hop limit every ND message carries (RFC 4861 6.1). */
export const ND6_HOP_LIMIT = 255;
