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

/** Hashes `input` (network byte order) with `key`; returns an unsigned 32-bit value. */
export function toeplitzHash(input: ArrayLike<number>, key: ArrayLike<number> = RSS_DEFAULT_KEY): number {
  let result = 0;
  // The window holds key bits [i, i+32) for input bit i; bit 31 of the window is key bit i.
  let window = (((key[0] ?? 0) << 24) | ((key[1] ?? 0) << 16) | ((key[2] ?? 0) << 8) | (key[3] ?? 0)) >>> 0;
  for (let byteIndex = 0; byteIndex < input.length; byteIndex++) {
    const inputByte = input[byteIndex] ?? 0;
    const nextKeyByte = key[byteIndex + 4] ?? 0;
    for (let bit = 7; bit >= 0; bit--) {
      if ((inputByte >> bit) & 1) result = (result ^ window) >>> 0;
      window = ((window << 1) | ((nextKeyByte >> bit) & 1)) >>> 0;
    }
  }
  return result >>> 0;
}
