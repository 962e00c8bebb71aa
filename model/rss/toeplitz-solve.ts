import { keyWindow, RSS_DEFAULT_KEY, toeplitzHash } from './toeplitz.ts';

/**
 * The Toeplitz hash run backwards: which input gives a chosen hash. The hash is linear over GF(2)
 * in the input bits (each set bit XORs its key window into the result, R-1), so with some bits
 * left free the target is a linear system of 32 equations, solved by Gaussian elimination. Used to
 * draw flows whose hash sits where policies mis-scale it (0, 0xffffffff, the bucket mask edge),
 * which random addresses and ports practically never give.
 */

/** The bits of a 32-bit value, the hash's width: the rows of the system. */
const HASH_BITS = 32;

/** A basis vector: a window combination and which free bits (by their index in the list) XOR to it. */
interface Pivot {
  window: number;
  readonly flips: Uint8Array;
}

/** Bit `bitIndex` of a byte string, most significant bit of byte 0 first (the order the hash reads). */
function flipBit(bytes: number[], bitIndex: number): void {
  const byte = bitIndex >> 3;
  bytes[byte] = ((bytes[byte] ?? 0) ^ (0x80 >> (bitIndex & 7))) & 0xff;
}

/** Folds `window` (and its flips) by the pivots, highest bit first: what no pivot could remove. */
function reduce(pivots: readonly (Pivot | undefined)[], window: number, flips: Uint8Array): number {
  let rest = window >>> 0;
  for (let bit = HASH_BITS - 1; bit >= 0 && rest !== 0; bit--) {
    const p = pivots[bit];
    if (p === undefined || ((rest >>> bit) & 1) === 0) continue;
    rest = (rest ^ p.window) >>> 0;
    for (let k = 0; k < flips.length; k++) flips[k] = (flips[k] ?? 0) ^ (p.flips[k] ?? 0);
  }
  return rest;
}

/**
 * `input` with some of `freeBits` flipped so that its Toeplitz hash under `key` is `target`, or
 * undefined when the free bits' windows do not span the difference. Bits outside `freeBits` never
 * change; of the free bits at most 32 flip, the earliest independent ones in the list, so the
 * answer stays close to the input it started from (a shrunk input gives a small answer).
 */
export function solveToeplitz(
  input: readonly number[],
  freeBits: readonly number[],
  target: number,
  key: ArrayLike<number> = RSS_DEFAULT_KEY,
): number[] | undefined {
  for (const bit of freeBits)
    if (!Number.isInteger(bit) || bit < 0 || bit >= 8 * input.length)
      throw new RangeError(`free bit ${bit} outside the ${input.length}-byte input`);
  const n = freeBits.length;
  const pivots: (Pivot | undefined)[] = new Array(HASH_BITS).fill(undefined);
  for (let k = 0, rank = 0; k < n && rank < HASH_BITS; k++) {
    const flips = new Uint8Array(n);
    flips[k] = 1;
    const rest = reduce(pivots, keyWindow(key, freeBits[k] ?? 0), flips);
    if (rest === 0) continue;
    pivots[31 - Math.clz32(rest)] = { window: rest, flips };
    rank++;
  }
  const flips = new Uint8Array(n);
  const want = (toeplitzHash(input, key) ^ target) >>> 0;
  if (reduce(pivots, want, flips) !== 0) return undefined;
  const out = [...input];
  for (let k = 0; k < n; k++) if (flips[k] === 1) flipBit(out, freeBits[k] ?? 0);
  return out;
}

/** `count` consecutive bit indexes from `first`: the free bits of whole bytes or fields. */
export function bitRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => first + k);
}
