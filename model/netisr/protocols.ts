import type { NetisrProtoName } from '../vocab.ts';
import type { NetisrDispatchPolicy } from './knobs.ts';

/** NETISR_POLICY_* (sys/net/netisr.h). */
export type NetisrPolicy = 'source' | 'flow' | 'cpu';
/** A protocol's own nh_dispatch; `default` follows net.isr.dispatch (N-1). */
export type ProtocolDispatch = 'default' | NetisrDispatchPolicy;

/** A netisr protocol registration (struct netisr_handler), as `netstat -Q` shows it. */
export interface ProtocolRegistration {
  readonly name: NetisrProtoName;
  /** NETISR_* protocol number: the row order of netstat -Q and the pending-bit order (N-16). */
  readonly proto: number;
  readonly policy: NetisrPolicy;
  readonly dispatch: ProtocolDispatch;
  /** nh_qlimit; 0 means net.isr.defaultqlimit (netisr_register). */
  readonly qlimitPackets: number;
  /** The C, D, F flags: has nh_m2cpuid, nh_drainedcpu, nh_m2flow. */
  readonly m2cpuid: boolean;
  readonly drainedcpu: boolean;
  readonly m2flow: boolean;
}

function reg(
  name: NetisrProtoName,
  proto: number,
  policy: NetisrPolicy,
  dispatch: ProtocolDispatch,
  qlimitPackets = 0,
): ProtocolRegistration {
  return {
    name,
    proto,
    policy,
    dispatch,
    qlimitPackets,
    m2cpuid: policy === 'cpu',
    drainedcpu: false,
    m2flow: false,
  };
}

/**
 * A GENERIC kernel without `options RSS` (ip_input.c ip_nh, if_ethersubr.c ether_nh, rtsock.c):
 * the protocol table of the D9721 review's netstat -Q output (seed 000), without its ipsec row,
 * which model/ipsec registers when deferral is modelled.
 */
export const FREEBSD_PROTOCOLS: readonly ProtocolRegistration[] = [
  reg('ip', 1, 'flow', 'default'),
  reg('igmp', 2, 'source', 'default'),
  reg('rtsock', 3, 'source', 'default', 2048),
  reg('arp', 4, 'source', 'default'),
  reg('ether', 5, 'source', 'direct'),
  reg('ip6', 6, 'flow', 'default'),
];

/**
 * A kernel with `options RSS` as of the D9721 review (freebsd-rss-2015): ip and ether place by
 * CPU (rss_soft_m2cpuid_v4, rss_m2cpuid), ip is hybrid, and ip_direct (9) carries reassembled
 * datagrams to their bucket's CPU (F-27); ip6 still FLOW. The table of the RSS blog's netstat -Q
 * output (seed 003).
 */
export const FREEBSD_RSS_2015_PROTOCOLS: readonly ProtocolRegistration[] = [
  reg('ip', 1, 'cpu', 'hybrid'),
  reg('igmp', 2, 'source', 'default'),
  reg('rtsock', 3, 'source', 'default'),
  reg('arp', 4, 'source', 'default'),
  reg('ether', 5, 'cpu', 'direct'),
  reg('ip6', 6, 'flow', 'default'),
  reg('ip_direct', 9, 'cpu', 'hybrid'),
];

/**
 * A stable/14 kernel with `options RSS` (freebsd-14): as in 2015, and sys/netinet6/ip6_input.c
 * registers ip6 (ip6_nh) and ip6_direct (10, ip6_direct_nh) as CPU/HYBRID with
 * rss_soft_m2cpuid_v6, so IPv6 follows its bucket's CPU as IPv4 does.
 */
export const FREEBSD_RSS_PROTOCOLS: readonly ProtocolRegistration[] = [
  ...FREEBSD_RSS_2015_PROTOCOLS.map((r) => (r.name === 'ip6' ? reg('ip6', 6, 'cpu', 'hybrid') : r)),
  reg('ip6_direct', 10, 'cpu', 'hybrid'),
];

/** N-1 (netisr_get_dispatch): the protocol's own dispatch unless it is `default`. */
export function effectiveDispatch(
  reg: ProtocolRegistration,
  global: NetisrDispatchPolicy,
): NetisrDispatchPolicy {
  return reg.dispatch === 'default' ? global : reg.dispatch;
}

/** netisr_register: 0 -> defaultqlimit; above maxqlimit -> maxqlimit. */
export function effectiveQlimit(reg: ProtocolRegistration, defaultQlimit: number, maxQlimit: number): number {
  if (reg.qlimitPackets === 0) return defaultQlimit;
  return Math.min(reg.qlimitPackets, maxQlimit);
}
