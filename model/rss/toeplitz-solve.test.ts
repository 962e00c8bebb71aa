import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyWindow, toeplitzBits, toeplitzHash } from './toeplitz.ts';
import { bitRange, solveToeplitz, ToeplitzSystem } from './toeplitz-solve.ts';

/** Bit `i` of a byte string, most significant first. */
const bitOf = (bytes: readonly number[], i: number) => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;

const hash32Arb = fc.nat({ max: 0xffff_ffff });

/** Whether `v` is an XOR of some of `vectors` (a basis kept by smallest XOR, unlike the solver's). */
function inSpan(vectors: readonly number[], v: number): boolean {
  const basis: number[] = [];
  for (const x of vectors) {
    let r = x;
    for (const b of basis) r = Math.min(r, (r ^ b) >>> 0);
    if (r !== 0) basis.push(r);
    basis.sort((a, b) => b - a);
  }
  let r = v >>> 0;
  for (const b of basis) r = Math.min(r, (r ^ b) >>> 0);
  return r === 0;
}

describe('solveToeplitz', () => {
  // Plain fc.assert (not test.prop): stable test names for the mutation run.
  it('gives an input that hashes to the target, keeps every other bit, and fails only out of reach', () => {
    // A random key and input (2-tuple and 4-tuple lengths), about half of the bits free.
    const caseArb = fc.record({
      key: fc.array(fc.nat({ max: 255 }), { minLength: 40, maxLength: 40 }),
      input: fc
        .constantFrom(8, 12, 32, 36)
        .chain((n) => fc.array(fc.nat({ max: 255 }), { minLength: n, maxLength: n })),
      freeSeed: fc.array(fc.boolean(), { minLength: 288, maxLength: 288 }),
      target: hash32Arb,
    });
    fc.assert(
      fc.property(caseArb, ({ key, input, freeSeed, target }) => {
        const free = bitRange(0, 8 * input.length).filter((i) => freeSeed[i] === true);
        const solved = solveToeplitz(input, free, target, key);
        const difference = (toeplitzBits(input, key) ^ target) >>> 0;
        if (solved === undefined) {
          expect(
            inSpan(
              free.map((i) => keyWindow(key, i)),
              difference,
            ),
          ).toBe(false);
          return;
        }
        expect(toeplitzBits(solved, key)).toBe(target);
        const freeSet = new Set(free);
        for (let i = 0; i < 8 * input.length; i++)
          if (!freeSet.has(i)) expect(bitOf(solved, i)).toBe(bitOf(input, i));
      }),
    );
  });

  it('always solves with 32 consecutive free bits of a key whose windows there are independent', () => {
    // Input bit j meets the window of key bits [j, j + 32): with only key bit 31 set, that window
    // is 1 << j, so bits 0..31 give the identity matrix.
    const key = [0, 0, 0, 1, 0, 0, 0, 0];
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 255 }), { minLength: 4, maxLength: 4 }),
        hash32Arb,
        (input, target) => {
          const solved = solveToeplitz(input, bitRange(0, 32), target, key);
          expect(solved).toBeDefined();
          expect(toeplitzBits(solved ?? [], key)).toBe(target);
        },
      ),
    );
  });

  it('reaches every target with the default key over the generator free bits of both families', () => {
    // harness/arbitraries/boundary-hash.ts leans on these ranks: the 2-tuple over address bits.
    const v4 = [...bitRange(8, 24), ...bitRange(48, 8)];
    const v6 = [...bitRange(32, 16), ...bitRange(112, 16), ...bitRange(240, 16)];
    fc.assert(
      fc.property(
        fc.boolean(),
        hash32Arb,
        fc.array(fc.nat({ max: 255 }), { minLength: 32, maxLength: 32 }),
        (six, target, bytes) => {
          const input = six ? bytes : bytes.slice(0, 8);
          const solved = solveToeplitz(input, six ? v6 : v4, target);
          expect(solved).toBeDefined();
          expect(toeplitzHash(solved ?? [])).toBe(target);
        },
      ),
    );
  });

  it('answers undefined when the target is out of reach, the input itself when it is already there', () => {
    const input = [10, 1, 2, 3, 192, 168, 4, 1];
    const hash = toeplitzHash(input);
    expect(solveToeplitz(input, [], (hash ^ 1) >>> 0)).toBeUndefined();
    expect(solveToeplitz(input, [], hash)).toEqual(input);
    expect(solveToeplitz(input, bitRange(8, 24), hash)).toEqual(input);
  });

  it('flips at most 32 free bits, so a solved input stays near its start', () => {
    const input = new Array(36).fill(0);
    const solved = solveToeplitz(input, bitRange(0, 288), 0xffff_ffff) ?? [];
    const flipped = bitRange(0, 288).filter((i) => bitOf(solved, i) === 1).length;
    expect(toeplitzHash(solved)).toBe(0xffff_ffff);
    expect(flipped).toBeLessThanOrEqual(32);
  });

  it('answers from a system eliminated once as from one built for the input alone', () => {
    // The generator reuses one system per address family: nothing of one solve may leak into the next.
    const free = [...bitRange(3, 20), ...bitRange(40, 9), 70, 71];
    const system = new ToeplitzSystem(free);
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 255 }), { minLength: 12, maxLength: 12 }),
        hash32Arb,
        (input, target) => {
          expect(system.solve(input, target)).toEqual(solveToeplitz(input, free, target));
        },
      ),
    );
  });

  it('refuses a free bit outside the input', () => {
    expect(() => solveToeplitz([1, 2], [16], 0)).toThrow('free bit 16 outside the 2-byte input');
    expect(() => solveToeplitz([1, 2], [-1], 0)).toThrow('free bit -1 outside the 2-byte input');
    expect(() => new ToeplitzSystem([8, 40]).solve([1, 2, 3, 4], 0)).toThrow(
      'free bit 40 outside the 4-byte input',
    );
  });
});
