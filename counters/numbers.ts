import { U64_MAX } from './types.ts';

/** 2^64: unsigned 64-bit arithmetic wraps modulo this. */
export const U64_MOD = 1n << 64n;

/** A decimal unsigned 64-bit counter (`%ju`, `%lu`), or undefined. */
export function parseU64(token: string): bigint | undefined {
  if (!/^\d{1,20}$/.test(token)) return undefined;
  const n = BigInt(token);
  return n <= U64_MAX ? n : undefined;
}

/** A signed decimal as /proc/net/snmp prints it (`Tcp: MaxConn` is -1), within 64 bits. */
export function parseS64(token: string): bigint | undefined {
  if (!/^-?\d{1,20}$/.test(token)) return undefined;
  const n = BigInt(token);
  return n <= U64_MAX && n >= -(1n << 63n) ? n : undefined;
}

/** One softnet_stat field: `%08x` of a 32-bit value, exactly eight hex digits. */
export function parseHex32(token: string): bigint | undefined {
  return /^[0-9a-fA-F]{8}$/.test(token) ? BigInt(`0x${token}`) : undefined;
}

/** 1234567 -> `1,234,567` for explanations. */
export function grouped(n: bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A share as a percentage, `part` of `whole`: one decimal, two significant digits below 1% (0 when whole is 0). */
export function percent(part: bigint, whole: bigint): string {
  if (whole === 0n || part === 0n) return '0%';
  const p = Number((part * 1_000_000n) / whole) / 10_000;
  return `${p >= 1 ? p.toFixed(1) : p.toPrecision(2)}%`;
}
