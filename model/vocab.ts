/**
 * The trace's words: protocol, counter and drop-reason names, each from one `as const` table, so
 * a misspelt name does not compile and checkers test membership instead of matching patterns.
 * Part of the trace contract: checkers in properties/ import it beside model/trace.ts.
 */

/** netisr protocols (FreeBSD netisr_register names) and the Linux backlog's one protocol, `ip`. */
export const NETISR_PROTOCOLS = [
  'ip',
  'igmp',
  'rtsock',
  'arp',
  'ether',
  'ip6',
  'ip_direct',
  'ip6_direct',
  'ipsec',
] as const;
export type NetisrProtoName = (typeof NETISR_PROTOCOLS)[number];

/** ipstat / ip6stat / icmp6stat / in6_ifstat / if_data counters the model bumps, by kernel name. */
export const INET_COUNTERS = [
  'ips_total',
  'ips_delivered',
  'ips_forward',
  'ips_fragments',
  'ips_fragdropped',
  'ips_fragtimeout',
  'ips_reassembled',
  'ips_toolong',
  'ips_toosmall',
  'ips_out_bundlesa',
  'ip6s_total',
  'ip6s_delivered',
  'ip6s_forward',
  'ip6s_fragments',
  'ip6s_fragdropped',
  'ip6s_fragtimeout',
  'ip6s_reassembled',
  'ips6_out_bundlesa',
  'icp6s_error',
  'ifs6_reass_fail',
  'ifi_iqdrops',
  'ifi_opackets',
] as const;

/** The IPsec transforms (ahstat, espstat, ipcompstat) and the counters each keeps. */
export const IPSEC_XFORMS = ['ah', 'esp', 'ipcomp'] as const;
export const IPSEC_XFORM_COUNTERS = ['input', 'output', 'qfull'] as const;

/** /proc/net/snmp Udp columns (include/uapi/linux/snmp.h UDP_MIB_*). */
export const UDP_MIB_FIELDS = [
  'InDatagrams',
  'NoPorts',
  'InErrors',
  'OutDatagrams',
  'RcvbufErrors',
  'SndbufErrors',
  'InCsumErrors',
  'IgnoredMulti',
  'MemErrors',
] as const;

/** /proc/net/softnet_stat columns the model keeps, per CPU and (for two) in total. */
export const SOFTNET_COLUMNS = [
  'processed',
  'dropped',
  'time_squeeze',
  'received_rps',
  'flow_limit_count',
  'backlog_len',
] as const;

type InetCounter = (typeof INET_COUNTERS)[number];
type IpsecCounter = `${(typeof IPSEC_XFORMS)[number]}s_${(typeof IPSEC_XFORM_COUNTERS)[number]}`;
type SoftnetColumn = (typeof SOFTNET_COLUMNS)[number];

/**
 * Every counter a drop can name or a snapshot can hold. Per-instance counters carry their
 * instance in the name: `ip.QDrops` (netstat -Q), `softnet_cpu3.dropped`, `udp_sock0.drops`,
 * `gif0.oerrors` (IFCOUNTER_OERRORS of a tunnel interface).
 */
export type CounterName =
  | InetCounter
  | IpsecCounter
  | `${NetisrProtoName}.QDrops`
  | `${NetisrProtoName}.policy_errors`
  | `Udp.${(typeof UDP_MIB_FIELDS)[number]}`
  | `Udp6.${(typeof UDP_MIB_FIELDS)[number]}`
  | `softnet.${'time_squeeze' | 'received_rps'}`
  | `softnet_cpu${number}.${SoftnetColumn}`
  | `udp_sock${number}.${'drops' | 'rx_queue'}`
  | `${'gif' | 'gre'}${number}.oerrors`;

/**
 * What a drop names when the kernel bumps no counter for it: only a pre-fix variant does that
 * (netisr-qdrops-not-counted), and I-3 reports it.
 */
export const NO_COUNTER = 'none';
export type DropCounter = CounterName | typeof NO_COUNTER;

const INET_COUNTER_SET: ReadonlySet<string> = new Set(INET_COUNTERS);
const PER_INSTANCE_COUNTER = new RegExp(
  [
    `^(${NETISR_PROTOCOLS.join('|')})\\.(QDrops|policy_errors)$`,
    `^(${IPSEC_XFORMS.join('|')})s_(${IPSEC_XFORM_COUNTERS.join('|')})$`,
    `^Udp6?\\.(${UDP_MIB_FIELDS.join('|')})$`,
    '^softnet\\.(time_squeeze|received_rps)$',
    `^softnet_cpu\\d+\\.(${SOFTNET_COLUMNS.join('|')})$`,
    '^udp_sock\\d+\\.(drops|rx_queue)$',
    '^(gif|gre)\\d+\\.oerrors$',
  ].join('|'),
);

/** Whether `name` is a counter of the vocabulary (a trace read from elsewhere may hold anything). */
export function isCounterName(name: string): name is CounterName {
  return INET_COUNTER_SET.has(name) || PER_INSTANCE_COUNTER.test(name);
}

/** The netstat -Q protocol of a `<proto>.QDrops` counter, or undefined. */
export function qdropsProto(name: string): NetisrProtoName | undefined {
  const dot = name.indexOf('.');
  const proto = name.slice(0, dot);
  return name.slice(dot) === '.QDrops' && (NETISR_PROTOCOLS as readonly string[]).includes(proto)
    ? (proto as NetisrProtoName)
    : undefined;
}

const DROP_ONLY_INET_COUNTERS: ReadonlySet<string> = new Set([
  'ifi_iqdrops',
  'ips_fragdropped',
  'ip6s_fragdropped',
]);

/**
 * Counters whose only job is counting dropped packets, so each equals the drop events that name
 * it (I-3): the interface input drops, the reassembly drop counters, netstat -Q QDrops, a CPU's
 * softnet dropped column and a socket's drops.
 */
export function countsDrops(name: string): boolean {
  if (DROP_ONLY_INET_COUNTERS.has(name)) return true;
  return (
    qdropsProto(name) !== undefined ||
    /^softnet_cpu\d+\.dropped$/.test(name) ||
    /^udp_sock\d+\.drops$/.test(name)
  );
}

/**
 * Why a packet was dropped, as the model says it; `site` is where (the drop event's `where`),
 * `skbReason` the Linux kfree_skb reason (include/net/dropreason-core.h) a live trace shows for it.
 */
export const DROP_REASONS = {
  'no free rx descriptor': { site: 'rx-ring', source: 'the driver finds no free descriptor (ix rxeof)' },
  'queue full': { site: 'netisr-queue', source: 'sys/net/netisr.c netisr_queue_workstream' },
  'input_pkt_queue over netdev_max_backlog': {
    site: 'backlog',
    source: 'net/core/dev.c enqueue_to_backlog',
    skbReason: 'CPU_BACKLOG',
  },
  flow_limit: { site: 'backlog', source: 'net/core/dev.c skb_flow_limit', skbReason: 'CPU_BACKLOG' },
  'socket receive buffer full': {
    site: 'socket',
    source: 'net/ipv4/udp.c __udp_enqueue_schedule_skb',
    skbReason: 'SOCKET_RCVBUFF',
  },
  'no socket bound to the port': {
    site: 'socket',
    source: 'net/ipv4/udp.c __udp4_lib_rcv',
    skbReason: 'NO_SOCKET',
  },
  'reassembly disabled': { site: 'ip-input', source: 'maxfragpackets 0 (F-3)' },
  'reassembly off or maxfrags reached': { site: 'reassembly', source: 'ip_reass / frag6_input (F-3, F-23)' },
  'maxfrags reached': { site: 'reassembly', source: 'ip_reass maxfrags (F-23)' },
  'no reassembly queue': { site: 'reassembly', source: 'ip_reass bucket full (F-7)' },
  'more than maxfragsperpacket': { site: 'reassembly', source: 'maxfragsperpacket (F-17)' },
  'beyond the last fragment': { site: 'reassembly', source: 'ip_reass (F-9)' },
  'covered by queued data': { site: 'reassembly', source: 'ip_reass trimming (F-12)' },
  'covered by a later fragment': { site: 'reassembly', source: 'ip_reass trimming (F-13)' },
  'reassembled datagram would exceed 65535': { site: 'reassembly', source: 'ip_reass (F-18)' },
  'reassembled datagram beyond 65535': { site: 'reassembly', source: 'ip_reass (F-18)' },
  'fragment beyond 65535': { site: 'reassembly', source: 'ip_reass / frag6_input (F-18)' },
  'fragment too small': { site: 'reassembly', source: 'ip_reass (SC-12)' },
  'fragment length not a multiple of 8': { site: 'reassembly', source: 'frag6_input' },
  'zero-length fragment': { site: 'reassembly', source: 'frag6_input' },
  'duplicate fragment': { site: 'reassembly', source: 'frag6_input (RFC 5722)' },
  'overlapping fragment (RFC 5722)': { site: 'reassembly', source: 'frag6_input (RFC 5722)' },
  'datagram with overlapping fragments (RFC 5722)': { site: 'reassembly', source: 'frag6_input (RFC 5722)' },
  'reassembly timeout': { site: 'reassembly', source: 'ipreass_slowtimo / frag6_slowtimo (F-21)' },
  'queue reused for a new datagram': { site: 'reassembly', source: 'ip_reass bucket reuse (F-8)' },
} as const satisfies Record<string, { site: string; source: string; skbReason?: string }>;

/** A tunnel output refusing to nest deeper (if_tunnel_check_nesting): verdict, count, limit, errno. */
export type TunnelDropReason = `${'loop' | 'too-deep'} (nesting ${number} > ${number}, ${string})`;

/** A Linux kfree_skb reason (include/net/dropreason-core.h) as a trace recorded live names it. */
export type SkbDropReason = {
  [K in keyof typeof DROP_REASONS]: (typeof DROP_REASONS)[K] extends { readonly skbReason: infer R }
    ? R
    : never;
}[keyof typeof DROP_REASONS];

export type DropReason = keyof typeof DROP_REASONS | TunnelDropReason | SkbDropReason;
