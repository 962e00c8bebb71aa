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

/** Bit `bitIndex` of a byte string, most significant bit of byte 0 first (the order the hash reads). */
function flipBit(bytes: number[], bitIndex: number): void {
  const byte = bitIndex >> 3;
  bytes[byte] = ((bytes[byte] ?? 0) ^ (0x80 >> (bitIndex & 7))) & 0xff;
}

/**
 * The system of one key and one list of free bits, eliminated once: the matrix depends on nothing
 * else, so each input and target costs only the right-hand side's reduction. Per pivot (by its
 * leading hash bit) a window combination and which free bits (by their index in the list, a bit
 * set per index) XOR to it.
 */
export class ToeplitzSystem {
  readonly #key: ArrayLike<number>;
  readonly #freeBits: readonly number[];
  /** The free bit with the highest index: the input must reach it. */
  readonly #lastBit: number;
  readonly #windows = new Uint32Array(HASH_BITS);
  /** Pivot p's free-bit set: words [p * #words, (p + 1) * #words); a zero window is no pivot. */
  readonly #flips: Uint32Array;
  readonly #words: number;
  /** The free-bit set of one solution, reused: a solve is never re-entered. */
  readonly #want: Uint32Array;

  constructor(freeBits: readonly number[], key: ArrayLike<number> = RSS_DEFAULT_KEY) {
    for (const bit of freeBits)
      if (!Number.isInteger(bit) || bit < 0) throw new RangeError(`free bit ${bit} outside any input`);
    this.#key = key;
    this.#freeBits = [...freeBits];
    this.#lastBit = Math.max(-1, ...freeBits);
    this.#words = (freeBits.length + 31) >> 5;
    this.#flips = new Uint32Array(HASH_BITS * this.#words);
    this.#want = new Uint32Array(this.#words);
    for (let k = 0, rank = 0; k < freeBits.length && rank < HASH_BITS; k++) {
      this.#want.fill(0);
      this.#want[k >> 5] = 1 << (k & 31);
      const rest = this.#reduce(keyWindow(key, freeBits[k] ?? 0));
      if (rest === 0) continue;
      const pivot = 31 - Math.clz32(rest);
      this.#windows[pivot] = rest;
      this.#flips.set(this.#want, pivot * this.#words);
      rank++;
    }
  }

  /** Folds `window` by the pivots, highest bit first, their flips into #want: what no pivot could remove. */
  #reduce(window: number): number {
    let rest = window >>> 0;
    for (let bit = HASH_BITS - 1; bit >= 0 && rest !== 0; bit--) {
      const w = this.#windows[bit] ?? 0;
      if (w === 0 || ((rest >>> bit) & 1) === 0) continue;
      rest = (rest ^ w) >>> 0;
      for (let j = 0, at = bit * this.#words; j < this.#words; j++)
        this.#want[j] = (this.#want[j] ?? 0) ^ (this.#flips[at + j] ?? 0);
    }
    return rest;
  }

  /**
   * `input` with some of the free bits flipped so that its Toeplitz hash is `target`, or undefined
   * when the free bits' windows do not span the difference. Bits outside the free ones never
   * change; of the free bits at most 32 flip, the earliest independent ones in the list, so the
   * answer stays close to the input it started from (a shrunk input gives a small answer).
   */
  solve(input: readonly number[], target: number): number[] | undefined {
    if (this.#lastBit >= 8 * input.length) {
      const bit = this.#freeBits.find((b) => b >= 8 * input.length);
      throw new RangeError(`free bit ${bit} outside the ${input.length}-byte input`);
    }
    this.#want.fill(0);
    if (this.#reduce((toeplitzHash(input, this.#key) ^ target) >>> 0) !== 0) return undefined;
    const out = input.slice();
    for (let k = 0; k < this.#freeBits.length; k++)
      if ((((this.#want[k >> 5] ?? 0) >>> (k & 31)) & 1) === 1) flipBit(out, this.#freeBits[k] ?? 0);
    return out;
  }
}

/** `ToeplitzSystem.solve` for one input: the system built for it alone. */
export function solveToeplitz(
  input: readonly number[],
  freeBits: readonly number[],
  target: number,
  key: ArrayLike<number> = RSS_DEFAULT_KEY,
): number[] | undefined {
  for (const bit of freeBits)
    if (!Number.isInteger(bit) || bit < 0 || bit >= 8 * input.length)
      throw new RangeError(`free bit ${bit} outside the ${input.length}-byte input`);
  return new ToeplitzSystem(freeBits, key).solve(input, target);
}

/** `count` consecutive bit indexes from `first`: the free bits of whole bytes or fields. */
export function bitRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => first + k);
}
