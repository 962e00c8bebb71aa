/**
 * The Toeplitz hash as RSS NICs and FreeBSD compute it (sys/net/toeplitz.c toeplitz_hash, R-1):
 * a 32-bit window slides over the key one bit per input bit; every 1 bit of the input XORs the
 * window into the result. Inputs longer than key - 4 bytes shift in zero key bits, as the kernel
 * does, instead of failing.
 */

/** The Microsoft verification key, FreeBSD's default `rss_key` (rss_config.c), 40 bytes. */
export const RSS_DEFAULT_KEY: readonly number[] = [
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca,
  0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b,
  0xbe, 0xac, 0x01, 0xfa,
];

/**
 * Hashes `input` (network byte order) with `key`; returns an unsigned 32-bit value. `length`
 * hashes only the first bytes (a 4-tuple's input starts with its 2-tuple's).
 */
export function toeplitzHash(
  input: ArrayLike<number>,
  key: ArrayLike<number> = RSS_DEFAULT_KEY,
  length: number = input.length,
): number {
  if (key !== RSS_DEFAULT_KEY) return toeplitzBits(input, key, length);
  // The default key (every flow of every run): one table lookup per input byte, same value.
  let result = 0;
  for (let p = 0; p < length; p++) result ^= defaultKeyTable(p)[(input[p] ?? 0) & 0xff] ?? 0;
  return result >>> 0;
}

/**
 * Per input byte position, the XOR of the windows its set bits select, for every byte value:
 * byte p = b contributes table[p][b], so the hash is the XOR over positions. Built on first use.
 */
const defaultKeyTables: Uint32Array[] = [];

function defaultKeyTable(p: number): Uint32Array {
  while (defaultKeyTables.length <= p) defaultKeyTables.push(defaultKeyByteTable(defaultKeyTables.length));
  return defaultKeyTables[p] as Uint32Array;
}

/** The table of input byte position `p` for the default key, built anew (the hash caches them). */
export function defaultKeyByteTable(p: number): Uint32Array {
  const windows = Array.from({ length: 8 }, (_, j) => keyWindow(RSS_DEFAULT_KEY, 8 * p + j));
  // table[b] is the XOR of the windows of b's set bits: b's lowest set bit added to a smaller entry
  // (one XOR per entry; built at a fuzz worker's start, where it runs interpreted).
  const table = new Uint32Array(256);
  for (let b = 1; b < 256; b++) {
    const low = b & -b;
    table[b] = ((table[b ^ low] ?? 0) ^ (windows[7 - (31 - Math.clz32(low))] ?? 0)) >>> 0;
  }
  return table;
}

/**
 * The 32-bit window input bit `bitIndex` (most significant bit of byte 0 first) XORs into the
 * result when set: key bits [bitIndex, bitIndex + 32), zero past the key's end.
 */
export function keyWindow(key: ArrayLike<number>, bitIndex: number): number {
  let w = 0;
  for (let t = 0; t < 32; t++) {
    const n = bitIndex + t;
    // Past the key's end the byte is missing: a zero bit.
    const bit = ((key[n >> 3] ?? 0) >> (7 - (n & 7))) & 1;
    w = ((w << 1) | bit) >>> 0;
  }
  return w;
}

/** The kernel's loop, bit by bit: any key. */
export function toeplitzBits(
  input: ArrayLike<number>,
  key: ArrayLike<number>,
  length: number = input.length,
): number {
  let result = 0;
  // The window holds key bits [i, i+32) for input bit i; bit 31 of the window is key bit i.
  let window = (((key[0] ?? 0) << 24) | ((key[1] ?? 0) << 16) | ((key[2] ?? 0) << 8) | (key[3] ?? 0)) >>> 0;
  for (let byteIndex = 0; byteIndex < length; byteIndex++) {
    const inputByte = input[byteIndex] ?? 0;
    const nextKeyByte = key[byteIndex + 4] ?? 0;
    for (let bit = 7; bit >= 0; bit--) {
      if ((inputByte >> bit) & 1) result = (result ^ window) >>> 0;
      window = ((window << 1) | ((nextKeyByte >> bit) & 1)) >>> 0;
    }
  }
  return result >>> 0;
}
