/**
 * IPv6 addresses as canonical text (inet_ntop form: lower case, the longest run of two or
 * more zero groups compressed). Only what interface configuration needs for now: parse,
 * format, prefixes and the EUI-64 interface identifier; NDP comes beside ARP in nd.ts.
 */
export type In6Addr = string & { readonly __brand: 'In6Addr' };

/** Parses text to eight 16-bit groups; undefined when it is not an IPv6 address. */
export function parseIn6Groups(text: string): number[] | undefined {
  // Every group is checked for hex digits below: other characters need no test of their own.
  if (text.split('::').length > 2) return undefined;
  const [head, tail] = text.split('::') as [string, string?];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  // Without "::" nothing is missing (checked above).
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => Number.parseInt(g, 16));
}

export function formatIn6Groups(groups: readonly number[]): In6Addr {
  // The longest run of two or more zero groups, the first of equal ones (RFC 5952 4.2).
  let best = { at: -1, len: 1 };
  let runAt = 0;
  groups.forEach((g, i) => {
    if (g !== 0) {
      runAt = i + 1;
      return;
    }
    const len = i + 1 - runAt;
    if (len > best.len) best = { at: runAt, len };
  });
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':') as In6Addr;
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}` as In6Addr;
}

export function parseIn6(text: string): In6Addr | undefined {
  const groups = parseIn6Groups(text);
  return groups === undefined ? undefined : formatIn6Groups(groups);
}

function groupsOf(addr: In6Addr): number[] {
  const groups = parseIn6Groups(addr);
  if (groups === undefined) throw new Error(`not an IPv6 address: ${addr}`);
  return groups;
}

/** The bits of group i that a prefix length covers, as a 16-bit mask (0 and 16 bits included). */
function groupMask(prefixLen: number, i: number): number {
  const bits = Math.max(0, Math.min(16, prefixLen - i * 16));
  return (0xffff << (16 - bits)) & 0xffff;
}

/** The first prefixLen bits of addr, the rest zero. */
export function in6NetOf(addr: In6Addr, prefixLen: number): In6Addr {
  return formatIn6Groups(groupsOf(addr).map((g, i) => g & groupMask(prefixLen, i)));
}

/** The first group in which two addresses differ, with both values; undefined when equal. */
function firstDiff(a: In6Addr, b: In6Addr): { index: number; x: number; y: number } | undefined {
  const x = groupsOf(a);
  const y = groupsOf(b);
  const index = x.findIndex((g, i) => g !== y[i]);
  return index < 0 ? undefined : { index, x: x[index] ?? 0, y: y[index] ?? 0 };
}

/** Orders addresses numerically (the radix walk order). */
export function compareIn6(a: In6Addr, b: In6Addr): number {
  const diff = firstDiff(a, b);
  return diff === undefined ? 0 : diff.x - diff.y;
}

/** Replaces the low 64 bits with the modified EUI-64 identifier of a MAC (RFC 4291 2.5.1). */
export function in6WithEui64(prefix: In6Addr, macOctets: readonly number[]): In6Addr {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = macOctets;
  const groups = groupsOf(prefix).slice(0, 4);
  groups.push(((a ^ 0x02) << 8) | b, (c << 8) | 0xff, 0xfe00 | d, (e << 8) | f);
  return formatIn6Groups(groups);
}

export const IN6_LOOPBACK = '::1' as In6Addr;

export const IN6_ANY = '::' as In6Addr;
/** ff02::1 and ff02::2 (RFC 4291 2.7.1). */
export const IN6_ALLNODES = 'ff02::1' as In6Addr;

export function isLinkLocal6(addr: In6Addr): boolean {
  const g = groupsOf(addr)[0] ?? 0;
  return (g & 0xffc0) === 0xfe80;
}

export function isMulticast6(addr: In6Addr): boolean {
  return ((groupsOf(addr)[0] ?? 0) & 0xff00) === 0xff00;
}

/** Link-scoped: fe80::/10 unicast and ff02::/16 multicast (the scopes a zone index qualifies). */
export function isLinkScope6(addr: In6Addr): boolean {
  const g = groupsOf(addr)[0] ?? 0;
  return (g & 0xffc0) === 0xfe80 || (g & 0xff0f) === 0xff02;
}

/**
 * KAME's embedded scope (in6_setscope): the zone of a link-scoped address lives in its second
 * 16-bit group inside the kernel, so `fe80::1%shmif0` and `fe80::1%shmif1` are different routing
 * table keys. Global addresses are returned unchanged.
 */
export function in6Embed(addr: In6Addr, zone: number): In6Addr {
  if (!isLinkScope6(addr)) return addr;
  const groups = groupsOf(addr);
  groups[1] = zone & 0xffff;
  return formatIn6Groups(groups);
}

/** The address without its embedded zone, and the zone (0: none). */
export function in6Unembed(addr: In6Addr): { addr: In6Addr; zone: number } {
  if (!isLinkScope6(addr)) return { addr, zone: 0 };
  const groups = groupsOf(addr);
  const zone = groups[1] ?? 0;
  groups[1] = 0;
  return { addr: formatIn6Groups(groups), zone };
}

/** The solicited-node multicast group of an address (ff02::1:ffXX:XXXX, RFC 4291 2.7.1). */
export function in6SolicitedNode(addr: In6Addr): In6Addr {
  const g = groupsOf(addr);
  return formatIn6Groups([0xff02, 0, 0, 0, 0, 1, 0xff00 | ((g[6] ?? 0) & 0xff), g[7] ?? 0]);
}

/** The Ethernet group address of an IPv6 multicast address (33:33 + low 32 bits, RFC 2464 7). */
export function in6MulticastMacOctets(addr: In6Addr): number[] {
  const g = groupsOf(addr);
  const g6 = g[6] ?? 0;
  const g7 = g[7] ?? 0;
  return [0x33, 0x33, g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
}

/** Is addr inside prefix/len? */
export function in6InPrefix(addr: In6Addr, prefix: In6Addr, prefixLen: number): boolean {
  return in6NetOf(addr, prefixLen) === in6NetOf(prefix, prefixLen);
}

/** Leading bits two addresses share (source selection rule 8). */
export function in6CommonPrefixLen(a: In6Addr, b: In6Addr): number {
  const diff = firstDiff(a, b);
  return diff === undefined ? 128 : diff.index * 16 + Math.clz32(diff.x ^ diff.y) - 16;
}

/** The netmask of a prefix length, as ipv6 text (`ffff:ffff:ffff:ffff::`). */
export function in6MaskOf(prefixLen: number): In6Addr {
  return formatIn6Groups(Array.from({ length: 8 }, (_, i) => groupMask(prefixLen, i)));
}
