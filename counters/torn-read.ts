import type { CounterReading } from './reading.ts';

/**
 * A sum read from a running kernel is no snapshot. The kernel charges one drop to two counters one
 * after the other (RcvbufErrors then InErrors in __udp_queue_rcv_skb; ips_fragments then
 * ips_fragdropped in ip_reass; fl->count then dropped in enqueue_to_backlog), and the reader adds
 * up each counter over the CPUs in turn: snmp_fold_field field by field before 4.9,
 * snmp_get_cpu_field_batch CPU by CPU since (net/ipv4/proc.c), counter_u64_fetch on FreeBSD 10 and
 * later (sys/kern/subr_counter.c), softnet_seq_show row by row. A drop counted between the two loads
 * is in the later counter only, so the earlier one reads short by the drops in flight.
 */

/**
 * The drops a read may miss, at least: a receive round run on the reader's own CPU between its two
 * loads (net_rx_action handles netdev_budget, 300 packets, per round), or one drop in flight on each
 * of a few hundred CPUs.
 */
const TORN_READ_DROPS_MIN = 300n;

/**
 * And at most 1/1024 of the count: a read takes microseconds (a sweep of the CPUs per counter before
 * 4.9 and on FreeBSD), so more would mean a thousandth of the drops since boot fell inside one read.
 * A drop path that misses the earlier counter leaves it short by every drop it took: past this once
 * that path took more than a thousandth of them.
 */
const TORN_READ_SHARE_SHIFT = 10n;

/** How far a read of counters that move may leave the earlier one short of `counted`. */
export function tornReadAllowance(counted: bigint, reading: CounterReading): bigint {
  if (reading.quiescent) return 0n;
  const share = counted >> TORN_READ_SHARE_SHIFT;
  return share > TORN_READ_DROPS_MIN ? share : TORN_READ_DROPS_MIN;
}
