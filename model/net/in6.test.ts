/**
 * IPv6 address text and bit arithmetic (inet_pton / inet_ntop, RFC 4291 2.2 and 2.5.1,
 * RFC 5952 4, KAME's embedded scope). Canonical text is checked against the WHATWG URL host
 * serializer, which follows the same RFC 5952 rules; prefixes against 128-bit integers.
 */
import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareIn6,
  formatIn6Groups,
  IN6_ALLNODES,
  IN6_ANY,
  IN6_LOOPBACK,
  type In6Addr,
  in6CommonPrefixLen,
  in6Embed,
  in6InPrefix,
  in6MaskOf,
  in6MulticastMacOctets,
  in6NetOf,
  in6SolicitedNode,
  in6Unembed,
  in6WithEui64,
  isLinkLocal6,
  isLinkScope6,
  isMulticast6,
  parseIn6,
  parseIn6Groups,
} from './in6.ts';

const a6 = (text: string): In6Addr => {
  const addr = parseIn6(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};

/** The host part of a URL with this IPv6 literal: RFC 5952 text, or undefined when not an address. */
function urlCanonical(text: string): string | undefined {
  if (!isIPv6(text)) return undefined;
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

const toBig = (groups: readonly number[]): bigint => groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
const fromBig = (n: bigint): number[] =>
  Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(16 * (7 - i))) & 0xffffn));
const maskBig = (len: number): bigint => ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - len)) - 1n);

/** Groups with many zero runs, so compression choices are exercised. */
const groupsArb = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
  minLength: 8,
  maxLength: 8,
});
const addrArb = groupsArb.map((g) => formatIn6Groups(g));
const lenArb = fc.integer({ min: 0, max: 128 });

describe('inet_pton: which text is an IPv6 address', () => {
  it('accepts full, compressed and upper-case forms', () => {
    expect(parseIn6Groups('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIn6Groups('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIn6Groups('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIn6Groups('fe80::')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIn6Groups('1::2:3')).toEqual([1, 0, 0, 0, 0, 0, 2, 3]);
    expect(parseIn6Groups('1:2:3:4:5:6:7::')).toEqual([1, 2, 3, 4, 5, 6, 7, 0]);
    expect(parseIn6Groups('::2:3:4:5:6:7:8')).toEqual([0, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIn6Groups('FFFF:aBcD::0000')).toEqual([0xffff, 0xabcd, 0, 0, 0, 0, 0, 0]);
    expect(parseIn6('FE80::0001')).toBe('fe80::1');
  });

  it('rejects other characters, two "::", a wrong group count and groups of more than four digits', () => {
    for (const bad of [
      '',
      ':',
      'g::1',
      '::1g',
      ' ::1',
      '::1 ',
      '1.2.3.4',
      '::ffff:1.2.3.4',
      'fe80::1%2',
      '1::2::3',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4::5:6:7:8',
      '1:2:3:4:5:6:7:8::',
      '12345::',
      '::12345',
      ':1::',
      '1:::2',
      '1:2:3:4:5:6:7:',
      ':1:2:3:4:5:6:7',
    ]) {
      expect(parseIn6Groups(bad), bad).toBeUndefined();
      expect(parseIn6(bad), bad).toBeUndefined();
    }
  });

  it('agrees with inet_pton on text of hex digits, colons and a few other characters', () => {
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:gx '), maxLength: 24 }),
      fc.string({ unit: fc.constantFrom('0', '1', 'f', ':', ':', '::'), maxLength: 12 }),
      // head::tail with the zero run between them of any length, none included.
      fc.tuple(groupsArb, fc.nat(8), fc.nat(8), fc.boolean()).map(([g, i, j, upper]) => {
        const hex = g.map((x) => (upper ? x.toString(16).toUpperCase() : x.toString(16)));
        return `${hex.slice(0, Math.min(i, j)).join(':')}::${hex.slice(Math.max(i, j)).join(':')}`;
      }),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(parseIn6(t) as string | undefined).toBe(urlCanonical(t));
      }),
    );
  });
});

describe('inet_ntop: canonical text (RFC 5952 4)', () => {
  it('compresses the longest run of two or more zero groups, the first of equal runs', () => {
    expect(formatIn6Groups([0, 0, 0, 0, 0, 0, 0, 0])).toBe('::');
    expect(formatIn6Groups([0, 0, 0, 0, 0, 0, 0, 1])).toBe('::1');
    expect(formatIn6Groups([1, 0, 0, 0, 0, 0, 0, 0])).toBe('1::');
    expect(formatIn6Groups([1, 0, 0, 1, 0, 0, 0, 1])).toBe('1:0:0:1::1');
    expect(formatIn6Groups([1, 0, 0, 1, 1, 0, 0, 1])).toBe('1::1:1:0:0:1');
    expect(formatIn6Groups([1, 0, 1, 1, 1, 1, 1, 1])).toBe('1:0:1:1:1:1:1:1');
    expect(formatIn6Groups([0, 1, 1, 1, 1, 1, 1, 0])).toBe('0:1:1:1:1:1:1:0');
    expect(formatIn6Groups([0xfe80, 0, 0, 0, 0x211, 0x22ff, 0xfe33, 0x4455])).toBe(
      'fe80::211:22ff:fe33:4455',
    );
  });

  it('is the URL host serialization of any eight groups, and parses back to them', () => {
    fc.assert(
      fc.property(groupsArb, (g) => {
        const text = formatIn6Groups(g);
        expect(text as string).toBe(urlCanonical(g.map((x) => x.toString(16)).join(':')));
        expect(parseIn6Groups(text)).toEqual(g);
      }),
    );
  });

  it('names the address it cannot read', () => {
    expect(() => compareIn6('fe80::x' as In6Addr, IN6_ANY)).toThrow('not an IPv6 address: fe80::x');
    expect(() => isLinkLocal6('' as In6Addr)).toThrow('not an IPv6 address: ');
  });
});

describe('prefixes as 128-bit numbers', () => {
  it('in6NetOf keeps the first prefixLen bits', () => {
    expect(in6NetOf(a6('fc00:1:2:3:4:5:6:7'), 64)).toBe('fc00:1:2:3::');
    expect(in6NetOf(a6('fc00:1:2:3:4:5:6:7'), 0)).toBe('::');
    expect(in6NetOf(a6('fc00:1:2:3:4:5:6:7'), 128)).toBe('fc00:1:2:3:4:5:6:7');
    expect(in6NetOf(a6('fe80:ffff::1'), 10)).toBe('fe80::');
    expect(in6NetOf(a6('ffff:ffff::'), 17)).toBe('ffff:8000::');
    fc.assert(
      fc.property(groupsArb, lenArb, (g, len) => {
        expect(in6NetOf(formatIn6Groups(g), len)).toBe(formatIn6Groups(fromBig(toBig(g) & maskBig(len))));
      }),
    );
  });

  it('in6MaskOf is the netmask of a prefix length', () => {
    expect(in6MaskOf(0)).toBe('::');
    expect(in6MaskOf(64)).toBe('ffff:ffff:ffff:ffff::');
    expect(in6MaskOf(10)).toBe('ffc0::');
    expect(in6MaskOf(128)).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    fc.assert(
      fc.property(lenArb, (len) => {
        expect(in6MaskOf(len)).toBe(formatIn6Groups(fromBig(maskBig(len))));
      }),
    );
  });

  it('in6InPrefix: the first prefixLen bits are equal', () => {
    expect(in6InPrefix(a6('fc00:1::5'), a6('fc00:1::'), 64)).toBe(true);
    expect(in6InPrefix(a6('fc00:2::5'), a6('fc00:1::'), 64)).toBe(false);
    expect(in6InPrefix(a6('fc00:2::5'), a6('fc00:1::'), 0)).toBe(true);
    fc.assert(
      fc.property(groupsArb, groupsArb, lenArb, (x, y, len) => {
        const inside = ((toBig(x) ^ toBig(y)) & maskBig(len)) === 0n;
        expect(in6InPrefix(formatIn6Groups(x), formatIn6Groups(y), len)).toBe(inside);
      }),
    );
  });

  it('in6CommonPrefixLen counts the leading bits two addresses share', () => {
    expect(in6CommonPrefixLen(a6('fc00::1'), a6('fc00::1'))).toBe(128);
    expect(in6CommonPrefixLen(a6('fc00::1'), a6('fc00::'))).toBe(127);
    expect(in6CommonPrefixLen(a6('8000::'), a6('::'))).toBe(0);
    expect(in6CommonPrefixLen(a6('fc00:1::'), a6('fc00:3::'))).toBe(30);
    fc.assert(
      fc.property(groupsArb, groupsArb, (x, y) => {
        const diff = toBig(x) ^ toBig(y);
        const shared = diff === 0n ? 128 : 128 - diff.toString(2).length;
        expect(in6CommonPrefixLen(formatIn6Groups(x), formatIn6Groups(y))).toBe(shared);
      }),
    );
  });

  it('compareIn6 orders addresses numerically (the radix walk order)', () => {
    expect(compareIn6(a6('fc00::2'), a6('fc00::10'))).toBeLessThan(0);
    expect(compareIn6(a6('fc00:1::'), a6('fc00::ffff'))).toBeGreaterThan(0);
    expect(compareIn6(a6('::1'), a6('::1'))).toBe(0);
    fc.assert(
      fc.property(addrArb, addrArb, (x, y) => {
        const bx = toBig(parseIn6Groups(x) ?? []);
        const by = toBig(parseIn6Groups(y) ?? []);
        expect(Math.sign(compareIn6(x, y))).toBe(bx < by ? -1 : bx > by ? 1 : 0);
      }),
    );
  });
});

describe('address kinds (RFC 4291 2.4, 2.7)', () => {
  it('the well-known addresses', () => {
    expect([IN6_ANY, IN6_LOOPBACK, IN6_ALLNODES]).toEqual(['::', '::1', 'ff02::1']);
  });

  it('link-local is fe80::/10', () => {
    for (const t of ['fe80::1', 'fe80:ffff::', 'febf:ffff::1']) expect(isLinkLocal6(a6(t)), t).toBe(true);
    for (const t of ['fe7f::1', 'fec0::1', 'fc00::1', 'ff02::1', '::1', '::'])
      expect(isLinkLocal6(a6(t)), t).toBe(false);
  });

  it('multicast is ff00::/8', () => {
    for (const t of ['ff00::', 'ff02::1', 'ff05::2', 'ffff::']) expect(isMulticast6(a6(t)), t).toBe(true);
    for (const t of ['feff::', 'fe80::1', '::ff00', '::']) expect(isMulticast6(a6(t)), t).toBe(false);
  });

  it('link scope: link-local unicast and multicast of scope 2 (any flags)', () => {
    for (const t of ['fe80::1', 'febf::1', 'ff02::1', 'ff12::1', 'ff32::1:ff00:1'])
      expect(isLinkScope6(a6(t)), t).toBe(true);
    for (const t of ['fec0::1', 'ff01::1', 'ff05::2', 'ff0e::1', 'ff20::', 'fc00::1', '::1', '::'])
      expect(isLinkScope6(a6(t)), t).toBe(false);
  });
});

describe('KAME embedded scope (in6_setscope / in6_clearscope)', () => {
  it('a link-scoped address carries its zone in the second group; a global one is unchanged', () => {
    expect(in6Embed(a6('fe80::1'), 2)).toBe('fe80:2::1');
    expect(in6Embed(a6('ff02::1:ff00:5'), 3)).toBe('ff02:3::1:ff00:5');
    expect(in6Embed(a6('fe80:7::1'), 0)).toBe('fe80::1');
    expect(in6Embed(a6('fe80::1'), 0x10005)).toBe('fe80:5::1');
    expect(in6Embed(a6('fc00:9::1'), 2)).toBe('fc00:9::1');
  });

  it('unembedding answers the address and its zone; a global address has zone 0', () => {
    expect(in6Unembed(a6('fe80:2::1'))).toEqual({ addr: 'fe80::1', zone: 2 });
    expect(in6Unembed(a6('fe80::1'))).toEqual({ addr: 'fe80::1', zone: 0 });
    expect(in6Unembed(a6('ff02:4::2'))).toEqual({ addr: 'ff02::2', zone: 4 });
    expect(in6Unembed(a6('fc00:2::1'))).toEqual({ addr: 'fc00:2::1', zone: 0 });
  });

  it('unembed undoes embed', () => {
    fc.assert(
      fc.property(addrArb, fc.integer({ min: 1, max: 0xffff }), (addr, zone) => {
        const clear = isLinkScope6(addr) ? in6Unembed(addr).addr : addr;
        expect(in6Unembed(in6Embed(clear, zone))).toEqual({
          addr: clear,
          zone: isLinkScope6(addr) ? zone : 0,
        });
      }),
    );
  });
});

describe('derived addresses', () => {
  it('modified EUI-64: the low 64 bits from the MAC with the U/L bit flipped (RFC 4291 2.5.1)', () => {
    const mac = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
    expect(in6WithEui64(a6('fe80::'), mac)).toBe('fe80::211:22ff:fe33:4455');
    expect(in6WithEui64(a6('fc00:1:2:3:4:5:6:7'), mac)).toBe('fc00:1:2:3:211:22ff:fe33:4455');
    expect(in6WithEui64(a6('fe80::'), [0x02, 0xab, 0xcd, 0xef, 0x01, 0x23])).toBe('fe80::ab:cdff:feef:123');
  });

  it('the solicited-node group takes the low 24 bits (RFC 4291 2.7.1)', () => {
    expect(in6SolicitedNode(a6('fc00:1::1234:5678'))).toBe('ff02::1:ff34:5678');
    expect(in6SolicitedNode(a6('fe80::abcd:ef01:2345'))).toBe('ff02::1:ff01:2345');
    expect(in6SolicitedNode(a6('::'))).toBe('ff02::1:ff00:0');
  });

  it('the Ethernet group of a multicast address is 33:33 and its low 32 bits (RFC 2464 7)', () => {
    expect(in6MulticastMacOctets(a6('ff02::1:ff34:5678'))).toEqual([0x33, 0x33, 0xff, 0x34, 0x56, 0x78]);
    expect(in6MulticastMacOctets(a6('ff02::1'))).toEqual([0x33, 0x33, 0, 0, 0, 1]);
    expect(in6MulticastMacOctets(a6('ff05::abcd:1:2'))).toEqual([0x33, 0x33, 0, 1, 0, 2]);
  });
});
