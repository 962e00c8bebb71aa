import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseIpv4, parseIpv6, portBytes } from './address.ts';
import { RSS_DEFAULT_KEY, toeplitzBits, toeplitzHash } from './toeplitz.ts';

// Microsoft "Verifying the RSS Hash Calculation" (reference linux-rx.md section 6): destination,
// source, address-only hash, hash with ports. Input order is source first.
const V4 = [
  ['161.142.100.80', 1766, '66.9.149.187', 2794, 0x323e8fc2, 0x51ccc178],
  ['65.69.140.83', 4739, '199.92.111.2', 14230, 0xd718262a, 0xc626b0ea],
  ['12.22.207.184', 38024, '24.19.198.95', 12898, 0xd2d0a5de, 0x5c2b394a],
  ['209.142.163.6', 2217, '38.27.205.30', 48228, 0x82989176, 0xafc7327f],
  ['202.188.127.2', 1303, '153.39.163.191', 44251, 0x5d1809c5, 0x10e828a2],
] as const;
const V6 = [
  ['3ffe:2501:200:3::1', 1766, '3ffe:2501:200:1fff::7', 2794, 0x2cc18cd5, 0x40207d3d],
  ['ff02::1', 4739, '3ffe:501:8::260:97ff:fe40:efab', 14230, 0x0f0c461c, 0xdde51bbf],
  ['fe80::200:f8ff:fe21:67cf', 38024, '3ffe:1900:4545:3:200:f8ff:fe21:67cf', 44251, 0x4b61e985, 0x02d1feef],
] as const;

function bytesOf(parse: (s: string) => number[] | undefined, s: string): number[] {
  const b = parse(s);
  if (b === undefined) throw new Error(`bad address ${s}`);
  return b;
}

describe('Toeplitz hash (R-1, R-2)', () => {
  for (const [parse, table, family] of [
    [parseIpv4, V4, 'IPv4'],
    [parseIpv6, V6, 'IPv6'],
  ] as const) {
    for (const [dst, dport, src, sport, addrOnly, withPorts] of table) {
      it(`${family} ${src}:${sport} -> ${dst}:${dport}`, () => {
        const base = [...bytesOf(parse, src), ...bytesOf(parse, dst)];
        expect(toeplitzHash(base)).toBe(addrOnly);
        expect(toeplitzHash([...base, ...portBytes(sport), ...portBytes(dport)])).toBe(withPorts);
      });
    }
  }

  it('is not symmetric with the standard key (R-18)', () => {
    const swapped = [...bytesOf(parseIpv4, '161.142.100.80'), ...bytesOf(parseIpv4, '66.9.149.187')];
    expect(toeplitzHash([...swapped, ...portBytes(1766), ...portBytes(2794)])).toBe(0xfde799b2);
  });

  it('hashes all-zero input to zero', () => {
    expect(toeplitzHash(new Array(36).fill(0))).toBe(0);
  });

  test.prop([
    fc
      .integer({ min: 1, max: 36 })
      .chain((n) =>
        fc.tuple(
          fc.uint8Array({ minLength: n, maxLength: n }),
          fc.uint8Array({ minLength: n, maxLength: n }),
        ),
      ),
  ])('is linear over GF(2): T(a ^ b) = T(a) ^ T(b)', ([a, b]) => {
    const xor = a.map((x, i) => x ^ (b[i] ?? 0));
    expect(toeplitzHash(xor)).toBe((toeplitzHash(a) ^ toeplitzHash(b)) >>> 0);
  });

  test.prop([fc.uint8Array({ maxLength: 48 })])(
    "the default key's byte tables give the bit-by-bit loop's value, also past the key's end",
    (input) => {
      expect(toeplitzHash(input)).toBe(toeplitzBits(input, RSS_DEFAULT_KEY));
      expect(toeplitzHash(input)).toBe(toeplitzBits(input, [...RSS_DEFAULT_KEY]));
    },
  );

  test.prop([fc.integer({ min: 0, max: 35 * 8 - 1 })])(
    'flipping input bit i XORs the key window at bit i',
    (bit) => {
      const input = new Array<number>(36).fill(0);
      input[bit >> 3] = 0x80 >> (bit & 7);
      let window = 0;
      for (let k = 0; k < 32; k++) {
        const keyBit = bit + k;
        const byte = RSS_DEFAULT_KEY[keyBit >> 3] ?? 0;
        window = ((window << 1) | ((byte >> (7 - (keyBit & 7))) & 1)) >>> 0;
      }
      expect(toeplitzHash(input)).toBe(window);
    },
  );
});

describe('address parsing', () => {
  it('rejects malformed addresses', () => {
    expect(parseIpv4('10.0.0')).toBeUndefined();
    expect(parseIpv4('10.0.0.256')).toBeUndefined();
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7')).toBeUndefined();
    expect(parseIpv6('fe80::1%shmif0')).toEqual([0xfe, 0x80, ...new Array(13).fill(0), 1]);
  });
});
