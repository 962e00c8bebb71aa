/**
 * Counters a 32-bit kernel keeps in a long wrap at 2^32: FreeBSD's `u_long` ipstat and udpstat
 * before counter(9) (sys/netinet/ip_var.h, udp_var.h; 64-bit from FreeBSD 10) on i386, and Linux's
 * `unsigned long` MIBs (include/net/snmp.h udp_mib) on a 32-bit build, which snmp_seq_show prints
 * with %lu. Such a table has every count below 2^32; a count at or past it is a 64-bit kernel.
 */
export const U32_MOD = 1n << 32n;
const U32_HALF = 1n << 31n;

/** `n` as unsigned arithmetic modulo `mod` leaves it. */
export const wrapped = (n: bigint, mod: bigint) => ((n % mod) + mod) % mod;

/** Every count printed fits in 32 bits: the table may come from a 32-bit kernel. */
export function fitIn32(values: Iterable<bigint | undefined>): boolean {
  for (const v of values) if (v !== undefined && (v < 0n || v >= U32_MOD)) return false;
  return true;
}

/**
 * How far `have` is behind `want` when each may have wrapped at 2^32: 0 when `have` is at or after
 * `want` in serial-number arithmetic, the signed 32-bit difference the kernel uses on wrapping
 * counters (time_after, TCP's before/after), else the distance. A counter that counts every event
 * of its parts wraps first, so it reads below them while it is less than half a lap ahead.
 */
export function behind32(have: bigint, want: bigint): bigint {
  const d = wrapped(have - want, U32_MOD);
  return d < U32_HALF ? 0n : U32_MOD - d;
}
