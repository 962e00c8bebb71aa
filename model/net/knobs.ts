import { type KnobSpec, type KnobValues, knobDefaults } from '../knobs.ts';
import { inet6Knobs } from './knobs6.ts';

/**
 * The sysctl knobs of the L2/L3 substrate, with the defaults of a rump kernel (the ATF
 * host). The rump netinet component is built with GATEWAY
 * (sys/rump/net/lib/libnetinet/opt/opt_gateway.h), so IPv4 forwarding starts on; IPv6
 * forwarding starts off.
 */
export const netKnobs = {
  'net.inet.ip.forwarding': {
    default: 1,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet/ip_input.c ipforwarding (GATEWAY in rump libnetinet opt_gateway.h)',
  },
  'net.inet.ip.redirect': {
    default: 1,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet/ip_input.c ipsendredirects',
  },
  'net.inet.ip.ttl': { default: 64, min: 0, max: 255, unit: 'hops', source: 'netinet/ip_input.c ip_defttl' },
  'net.inet.ip.directed-broadcast': {
    default: 0,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet/ip_input.c ip_directedbcast',
  },
  'net.inet.ip.dad_count': {
    default: 3,
    min: 0,
    max: 10,
    unit: 'probes',
    source: 'netinet/ip_input.c ip_dad_count',
  },
  'net.inet.icmp.redirtimeout': {
    default: 600,
    min: 0,
    unit: 'seconds',
    source: 'netinet/ip_icmp.c icmp_redirtimeout',
  },
  'net.inet.icmp.rediraccept': {
    default: 1,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet/ip_icmp.c icmp_rediraccept',
  },
  'net.inet.icmp.bmcastecho': {
    default: 0,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet/ip_icmp.c icmpbmcastecho',
  },
  'net.inet.arp.nd_reachable': {
    default: 30_000,
    min: 0,
    unit: 'ms',
    source: 'netinet/if_arp.c arp_nd_domain (ND_REACHABLE_TIME)',
  },
  'net.inet.arp.nd_retrans': {
    default: 1_000,
    min: 0,
    unit: 'ms',
    source: 'netinet/if_arp.c (RETRANS_TIMER)',
  },
  'net.inet.arp.nd_delay': {
    default: 5,
    min: 0,
    unit: 'seconds',
    source: 'netinet/if_arp.c (DELAY_FIRST_PROBE_TIME)',
  },
  'net.inet.arp.nd_bmaxtries': {
    default: 3,
    min: 1,
    unit: 'requests',
    source: 'netinet/if_arp.c nd_mmaxtries',
  },
  'net.inet.arp.nd_umaxtries': {
    default: 3,
    min: 1,
    unit: 'requests',
    source: 'netinet/if_arp.c nd_umaxtries',
  },
  'net.inet.arp.nd_maxnudhint': {
    default: 0,
    min: 0,
    unit: 'hints',
    source: 'netinet/if_arp.c nd_maxnudhint',
  },
  'net.inet6.ip6.forwarding': {
    default: 0,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet6/ip6_input.c ip6_forwarding',
  },
  'net.inet6.ip6.dad_count': {
    default: 1,
    min: 0,
    max: 10,
    unit: 'probes',
    source: 'netinet6/nd6.c ip6_dad_count',
  },
  'net.inet6.ip6.auto_linklocal': {
    default: 1,
    min: 0,
    max: 1,
    unit: 'bool',
    source: 'netinet6/in6.c ip6_auto_linklocal',
  },
  'net.inet6.icmp6.nd6_prune': { default: 1, min: 1, unit: 'seconds', source: 'netinet6/nd6.c nd6_prune' },
  ...inet6Knobs,
} as const satisfies Record<string, KnobSpec>;

export type NetKnobName = keyof typeof netKnobs;
export type NetSysctls = KnobValues<typeof netKnobs>;

export const netSysctlDefaults = (): NetSysctls => knobDefaults(netKnobs);

export function isNetKnob(name: string): name is NetKnobName {
  return Object.hasOwn(netKnobs, name);
}

/** Kernel constants that are not knobs (nd.c, if_arp.c). */
export const ND_GC_SECONDS = 86_400;
/** if_arp.c: RFC 5227 probe/announce timing. */
export const ARP_PROBE_WAIT_MS = 1_000;
export const ARP_PROBE_MIN_MS = 1_000;
export const ARP_PROBE_MAX_MS = 2_000;
export const ARP_ANNOUNCE_WAIT_MS = 2_000;
export const ARP_ANNOUNCE_NUM = 2;
export const ARP_ANNOUNCE_INTERVAL_MS = 2_000;
/** arp(8): a `temp` entry lives 20 minutes. */
export const ARP_TEMP_SECONDS = 20 * 60;
