import type { KernelName } from '../model/kernels.ts';
import type { CounterFormat } from './types.ts';

/**
 * The identities check-counters applies to real output, one line each, with the rule id a finding
 * names. Ids with a letter and a number (I-4, N-17, U5, F10 ...) are those of the reference notes
 * that the model follows; `C-n` ids are identities of the printing tools themselves.
 */
export const COUNTER_RULES = {
  'I-4': {
    format: 'netstat-q',
    statement: "Handled >= Disp'd + HDisp'd: inline dispatches are handled where they are counted",
    source: 'sys/net/netisr.c netisr_dispatch_src (nw_handled++ with nw_dispatched / nw_hybrid_dispatched)',
  },
  'N-17': {
    format: 'netstat-q',
    statement:
      "Queued - (Handled - Disp'd - HDisp'd) - Len is the batch in flight: 0 .. QLimit (0 .. max(QLimit, WMark) unless --qlimits-fixed)",
    source: 'sys/net/netisr.c netisr_process_workstream_proto (takes the whole queue, counts it when done)',
  },
  'I-1': {
    format: 'netstat-q',
    statement:
      'WMark <= QLimit: no enqueue succeeds on a full queue (WMark <= maxqlimit unless --qlimits-fixed: netisr_setqlimit keeps WMark)',
    source: 'sys/net/netisr.c netisr_queue_workstream, netisr_setqlimit',
  },
  'I-2': {
    format: 'netstat-q',
    statement: 'Len <= WMark: the watermark is the highest Len seen',
    source: 'sys/net/netisr.c netisr_queue_workstream',
  },
  'N-9': {
    format: 'netstat-q',
    statement:
      'QDrops > 0 only at the limit: a queue that dropped has WMark = QLimit (WMark >= 1 unless --qlimits-fixed: a raised qlimit keeps WMark)',
    source:
      'sys/net/netisr.c netisr_queue_workstream (nw_qdrops++ iff nw_len >= nw_qlimit), netisr_setqlimit',
  },
  'Q-1': {
    format: 'netstat-q',
    statement: 'every protocol QLimit is 1 .. maxqlimit (the Limit of Default queue limit)',
    source: 'sys/net/netisr.c netisr_register, netisr_setqlimit',
  },
  'Q-4': {
    format: 'netstat-q',
    statement: 'every Workstreams counter is a non-negative integer',
    source: 'usr.bin/netstat/netisr.c (u64 counters printed with %ju)',
  },
  'Q-5': {
    format: 'netstat-q',
    statement: 'Thread count is 1 .. maxthreads, Default queue limit <= maxqlimit',
    source: 'sys/net/netisr.c netisr_init, sysctl_netisr_defaultqlimit',
  },
  'Q-3': {
    format: 'netstat-q',
    statement:
      'Workstreams rows = (CPU with a netisr thread) x (registered protocol), in CPU order, WSID = CPU, Thread count workstreams',
    source: 'usr.bin/netstat/netisr.c netisr_print_workstream',
  },
  'C-1': {
    format: 'netstat-s',
    statement:
      'udp "delivered" = received - incomplete header - bad data length - bad checksum - no socket - broadcast/multicast undelivered - full socket buffers',
    source:
      'usr.bin/netstat/inet.c udp_stats (netstat prints the difference, in u_long before FreeBSD 10: modulo 2^32 on i386, a note unless --counters-64bit)',
  },
  'F-20': {
    format: 'netstat-s',
    statement:
      'ip fragments received >= fragments dropped (less size/length rejects) + dropped after timeout + packets reassembled (short by what a read while fragments arrive or a 32-bit wrap explains: a note unless --quiescent, --counters-64bit)',
    source:
      'sys/netinet/ip_reass.c ip_reass (every admitted fragment ends in one datagram, a drop or a timeout; ips_fragments is counted first)',
  },
  U5: {
    format: 'proc-net-snmp',
    statement:
      'Udp (and Udp6) InErrors >= RcvbufErrors + MemErrors + InCsumErrors: each of these drops is charged to InErrors too (short by what a read while drops are counted or a 32-bit wrap explains: a note unless --quiescent, --counters-64bit)',
    source:
      'net/ipv4/udp.c __udp_queue_rcv_skb, __udp4_lib_rcv, udp_recvmsg; net/ipv6/udp.c __udpv6_queue_rcv_skb',
  },
  F10: {
    format: 'proc-net-snmp',
    statement:
      'Ip ReasmReqds >= 2 x ReasmOKs + ReasmTimeout (Ip6: 1 x ReasmOKs, an atomic fragment is one request and one OK), and ReasmTimeout <= ReasmFails',
    source:
      'net/ipv4/ip_fragment.c ip_defrag, ip_expire, ip_frag_reasm; net/ipv6/reassembly.c ipv6_frag_rcv, ip6frag_expire_frag_queue',
  },
  'C-2': {
    format: 'softnet-stat',
    statement:
      'the columns the kernel prints as constant 0 (was fastroute, was cpu_collision) are 0 (9 columns: column 4, throttled before 2.6.14, <= dropped; all 0 with --linux-release 2.6.14 or later)',
    source: 'net/core/net-procfs.c softnet_seq_show (net/core/dev.c before 3.9)',
  },
  'C-3': {
    format: 'softnet-stat',
    statement: 'backlog_len (column 12) = input_pkt_queue length + process_queue length (columns 14, 15)',
    source: 'net/core/net-procfs.c softnet_seq_show',
  },
  'C-4': {
    format: 'softnet-stat',
    statement:
      'the CPU index (column 13) rises row by row and is at least the row number (offline CPUs are skipped)',
    source: 'net/core/net-procfs.c softnet_get_online',
  },
  R8: {
    format: 'softnet-stat',
    statement:
      'total flow_limit_count <= total dropped: a flow-limit drop is a backlog drop too, counted on the target CPU (checked with --all-cpus-online, as an offline CPU is not listed, past what a read in flight misses unless --quiescent; a u32 dropped wraps after 2^32 drops)',
    source: 'net/core/dev.c enqueue_to_backlog, skb_flow_limit',
  },
} as const;

export type CounterRuleId = keyof typeof COUNTER_RULES;

/**
 * The kernel version each format's explanations assume (model/kernels.ts): the defaults they quote
 * (netdev_budget 300, netdev_max_backlog 1000, the netisr qlimits) and the rules behind them are
 * those of this version; the identities themselves hold on every version the layouts cover.
 */
export const EXPLANATION_KERNEL = {
  'netstat-q': 'freebsd-14',
  'netstat-s': 'freebsd-14',
  'proc-net-snmp': 'linux-6.18',
  'softnet-stat': 'linux-6.18',
} as const satisfies Record<CounterFormat, KernelName>;

/** The statement and source of a rule id, for findings that cite one. */
export function ruleText(id: string): string {
  const r = (COUNTER_RULES as Readonly<Record<string, { statement: string; source: string }>>)[id];
  return r === undefined ? id : `${r.statement} (${r.source})`;
}
