/**
 * mbuf hash types, symbolic (their numeric values changed across FreeBSD releases: the 0x80
 * HASHPROP bit is modern). `rss-*` types carry a Toeplitz hash with bucket affinity; `opaque`
 * orders only; `none` means the NIC gave no hash (sys/sys/mbuf.h M_HASHTYPE_*).
 */
export const HASH_TYPES = [
  'none',
  'rss-ipv4',
  'rss-tcp-ipv4',
  'rss-udp-ipv4',
  'rss-ipv6',
  'rss-tcp-ipv6',
  'rss-udp-ipv6',
  'opaque',
  'opaque-hash',
] as const;
export type HashType = (typeof HASH_TYPES)[number];

/**
 * R-7 (rss_config.c rss_hash2cpuid): only these types map to a bucket; any other type yields
 * NETISR_CPUID_NONE and netisr falls back to its own choice.
 */
export function hasBucketAffinity(type: HashType): boolean {
  switch (type) {
    case 'rss-ipv4':
    case 'rss-tcp-ipv4':
    case 'rss-udp-ipv4':
    case 'rss-ipv6':
    case 'rss-tcp-ipv6':
    case 'rss-udp-ipv6':
      return true;
    case 'none':
    case 'opaque':
    case 'opaque-hash':
      return false;
  }
}

/** Whether the hash covers ports (4-tuple) or addresses only (2-tuple). */
export function isFourTuple(type: HashType): boolean {
  return (
    type === 'rss-tcp-ipv4' || type === 'rss-udp-ipv4' || type === 'rss-tcp-ipv6' || type === 'rss-udp-ipv6'
  );
}
