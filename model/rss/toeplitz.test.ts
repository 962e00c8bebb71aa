import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv4, parseIpv6, portBytes } from './address.ts';
import { defaultKeyByteTable, RSS_DEFAULT_KEY, toeplitzBits, toeplitzHash } from './toeplitz.ts';

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

  // Plain fc.assert (not test.prop): the test names stay the same from run to run, which the
  // mutation run needs to find a test again (test.prop names carry a fresh seed).
  it('is linear over GF(2): T(a ^ b) = T(a) ^ T(b)', () => {
    const pair = fc
      .integer({ min: 1, max: 36 })
      .chain((n) =>
        fc.tuple(
          fc.uint8Array({ minLength: n, maxLength: n }),
          fc.uint8Array({ minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const xor = a.map((x, i) => x ^ (b[i] ?? 0));
        expect(toeplitzHash(xor)).toBe((toeplitzHash(a) ^ toeplitzHash(b)) >>> 0);
      }),
    );
  });

  it("the default key's byte tables give the bit-by-bit loop's value, also past the key's end", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (input) => {
        expect(toeplitzHash(input)).toBe(toeplitzBits(input, RSS_DEFAULT_KEY));
        expect(toeplitzHash(input)).toBe(toeplitzBits(input, [...RSS_DEFAULT_KEY]));
      }),
    );
  });

  it('flipping input bit i XORs the key window at bit i', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 35 * 8 - 1 }), (bit) => {
        const input = new Array<number>(36).fill(0);
        input[bit >> 3] = 0x80 >> (bit & 7);
        expect(toeplitzHash(input)).toBe(keyWindow(bit));
        expect(toeplitzBits(input, RSS_DEFAULT_KEY)).toBe(keyWindow(bit));
      }),
    );
  });

  it('a byte table entry is the XOR of the windows of its set bits, zero key bits past the end', () => {
    // Built anew here: the hash builds each table once per process and keeps it.
    for (const p of [0, 1, 17, 36, 39, 40, 47]) {
      const table = defaultKeyByteTable(p);
      expect(table).toHaveLength(256);
      for (const b of [0, 1, 0x80, 0x81, 0x5a, 0xff]) {
        let want = 0;
        for (let j = 0; j < 8; j++) if ((b >> (7 - j)) & 1) want ^= keyWindow(8 * p + j);
        expect(table[b], `position ${p} byte ${b}`).toBe(want >>> 0);
      }
    }
    expect(defaultKeyByteTable(0)[0x80]).toBe(0x6d5a56da);
    // Byte 38 is 0x01 and byte 39 0xfa: its last bit, then 0xfa, then zeros.
    expect(defaultKeyByteTable(38)[0x01]).toBe(0xfd000000);
    expect(defaultKeyByteTable(40)[0xff]).toBe(0);
  });

  it('takes any key: the window starts at key bit 0 and shifts in key byte i + 4 (rss_key of another NIC)', () => {
    const ones = new Array<number>(40).fill(0xff);
    expect(toeplitzHash([0x01], ones)).toBe(0xffffffff);
    expect(toeplitzHash([0x03], ones)).toBe(0);
    const bit0 = [0x80, 0, 0, 0, 0, 0, 0, 0];
    expect(toeplitzHash([0x80], bit0)).toBe(0x80000000);
    expect(toeplitzHash([0x40], bit0)).toBe(0);
    // Key bit 32 reaches the window of input bit 7 at offset 25.
    expect(toeplitzHash([0x01], [0, 0, 0, 0, 0x80])).toBe(0x40);
    expect(toeplitzHash([0x00, 0x80], [0x12, 0x34, 0x56, 0x78, 0x9a])).toBe(0x3456789a);
    expect(toeplitzHash([0x80, 0x00], [0x12, 0x34, 0x56, 0x78, 0x9a])).toBe(0x12345678);
    expect(toeplitzHash([], ones)).toBe(0);
    expect(toeplitzHash([0x01], [])).toBe(0);
  });
});

/** Key bits [i, i + 32) of the default key, zero past its end. */
function keyWindow(i: number): number {
  let window = 0;
  for (let k = 0; k < 32; k++) {
    const keyBit = i + k;
    const byte = RSS_DEFAULT_KEY[keyBit >> 3] ?? 0;
    window = ((window << 1) | ((byte >> (7 - (keyBit & 7))) & 1)) >>> 0;
  }
  return window;
}

describe('address parsing', () => {
  it('rejects malformed addresses', () => {
    expect(parseIpv4('10.0.0')).toBeUndefined();
    expect(parseIpv4('10.0.0.256')).toBeUndefined();
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7')).toBeUndefined();
    expect(parseIpv6('fe80::1%shmif0')).toEqual([0xfe, 0x80, ...new Array(13).fill(0), 1]);
  });
});

describe('Toeplitz hash of a prefix', () => {
  it('hashing the first k bytes equals hashing a copy cut at k, for the default key and any key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 36 }),
        fc.uint8Array({ minLength: 40, maxLength: 40 }),
        fc.nat({ max: 36 }),
        (input, key, cut) => {
          const k = Math.min(cut, input.length);
          const bytes = [...input];
          expect(toeplitzHash(bytes, RSS_DEFAULT_KEY, k)).toBe(toeplitzHash(bytes.slice(0, k)));
          expect(toeplitzHash(bytes, [...key], k)).toBe(toeplitzBits(bytes.slice(0, k), [...key]));
          expect(toeplitzBits(bytes, [...key], k)).toBe(toeplitzBits(bytes.slice(0, k), [...key]));
        },
      ),
    );
  });

  it('a 4-tuple input and its 2-tuple prefix: the two hashes of one flow (R-2)', () => {
    const v4 = [...(parseIpv4('66.9.149.187') ?? []), ...(parseIpv4('161.142.100.80') ?? [])];
    const withPorts = [...v4, ...portBytes(2794), ...portBytes(1766)];
    expect(toeplitzHash(withPorts, RSS_DEFAULT_KEY, v4.length)).toBe(0x323e8fc2);
    expect(toeplitzHash(withPorts)).toBe(0x51ccc178);
  });
});
