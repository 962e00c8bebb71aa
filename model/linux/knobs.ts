import type { KnobSpec } from '../knobs.ts';

/**
 * Linux receive-path tunables (section 2-4 of linux-rx.md), with the defaults of a 64-bit
 * kernel between 5.19 and 6.18: the same on both modelled versions (linux-6.6, linux-6.18); the
 * rules that differ between them are in versions.ts. `net.core.*` are sysctls; `rx-N/*` are the per-queue sysfs files
 * under /sys/class/net/<dev>/queues/rx-N/ (one value for every queue here); `kernel.HZ` and the
 * driver weight are build-time or driver constants, listed so they have one home.
 */
export const linuxKnobs = {
  'net.core.netdev_budget': {
    default: 300,
    min: 1,
    max: 100_000,
    unit: 'packets',
    source: 'net/core/hotdata.c net_hotdata.netdev_budget; net/core/dev.c net_rx_action (N1)',
  },
  'net.core.netdev_budget_usecs': {
    default: 2000,
    min: 1,
    max: 1_000_000,
    unit: 'us',
    source: 'net/core/hotdata.c 2 * USEC_PER_SEC / HZ (2000 at HZ=1000); net_rx_action time_limit (N1)',
  },
  'net.core.dev_weight': {
    default: 64,
    min: 1,
    max: 1024,
    unit: 'packets',
    source: 'net/core/hotdata.c dev_rx_weight = dev_weight * dev_weight_rx_bias; process_backlog quota (N5)',
  },
  'net.core.netdev_max_backlog': {
    default: 1000,
    min: 0,
    max: 1_000_000,
    unit: 'packets',
    source: 'net/core/hotdata.c max_backlog; net/core/dev.c enqueue_to_backlog admits while qlen <= it (R7)',
  },
  'net.core.skb_defer_max': {
    default: 64,
    min: 0,
    max: 100_000,
    unit: 'skbs',
    source: 'net/core/hotdata.c sysctl_skb_defer_max (64 from 39564c3fdc66 to 6.18, 128 after); D3',
  },
  'net.core.rps_sock_flow_entries': {
    default: 0,
    min: 0,
    max: 1 << 29,
    unit: 'entries',
    source: 'net/core/sysctl_net_core.c rps_sock_flow_sysctl: rounded up to a power of two; 0 = RFS off',
  },
  'net.core.flow_limit_cpu_bitmap': {
    default: 0,
    min: 0,
    max: 0xffff_ffff,
    unit: 'cpu mask',
    source: 'net/core/sysctl_net_core.c flow_limit_cpu_sysctl; default no CPU (R8)',
  },
  'net.core.flow_limit_table_len': {
    default: 4096,
    min: 1,
    max: 1 << 20,
    unit: 'buckets',
    source: 'net/core/dev.c netdev_flow_limit_table_len (R8); a power of two',
  },
  'net.core.rmem_default': {
    default: 212_992,
    min: 2304,
    max: 0x7fff_ffff,
    unit: 'bytes',
    source: 'include/net/sock.h SK_RMEM_DEFAULT = SKB_TRUESIZE(256) * 256 on 64-bit (linux-rx.md 4)',
  },
  'rx-N/rps_cpus': {
    default: 0,
    min: 0,
    max: 0xffff_ffff,
    unit: 'cpu mask',
    source: 'net/core/net-sysfs.c store_rps_map; default empty = RPS off (section 3)',
  },
  'rx-N/rps_flow_cnt': {
    default: 0,
    min: 0,
    max: 1 << 29,
    unit: 'entries',
    source: 'net/core/net-sysfs.c store_rps_dev_flow_table_cnt: rounded up to a power of two; 0 = off',
  },
  'driver.napi_weight': {
    default: 64,
    min: 1,
    max: 1024,
    unit: 'packets',
    source: 'include/linux/netdevice.h NAPI_POLL_WEIGHT (N3); drivers pass it to netif_napi_add',
  },
  'driver.rx_ring_entries': {
    default: 512,
    min: 1,
    max: 65_536,
    unit: 'descriptors',
    source: 'ixgbe IXGBE_DEFAULT_RXD (ethtool -g); a full ring drops at the NIC (rx_missed_errors)',
  },
  'kernel.HZ': {
    default: 1000,
    min: 100,
    max: 1000,
    unit: 'ticks/s',
    source: 'CONFIG_HZ: jiffies advance every 1e9/HZ ns; net_rx_action compares jiffies (N1)',
  },
} as const satisfies Record<string, KnobSpec>;

/** sizeof(struct sk_buff) and sizeof(struct skb_shared_info), SKB_DATA_ALIGNed, x86_64. */
export const SKB_HEAD_OVERHEAD_BYTES = 256 + 320;
/** SMP_CACHE_BYTES: SKB_DATA_ALIGN rounds up to it. */
export const SMP_CACHE_BYTES = 64;
/** Ethernet + IPv4 + UDP headers carried in the skb data with the payload. */
export const UDP4_HEADERS_BYTES = 14 + 20 + 8;
/** rps_dev_flow.cpu of an entry never set (RPS_NO_CPU). */
export const RPS_NO_CPU = 0xffff;
/** FLOW_LIMIT_HISTORY (include/linux/netdevice.h): the sliding window of skb_flow_limit. */
export const FLOW_LIMIT_HISTORY = 128;

/** SKB_TRUESIZE(X) = X + SKB_DATA_ALIGN(sizeof sk_buff) + SKB_DATA_ALIGN(sizeof skb_shared_info). */
export function skbTruesizeBytes(dataBytes: number): number {
  const aligned = Math.ceil(dataBytes / SMP_CACHE_BYTES) * SMP_CACHE_BYTES;
  return aligned + SKB_HEAD_OVERHEAD_BYTES;
}
