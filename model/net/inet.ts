/**
 * IPv4 addresses as host-order unsigned 32-bit numbers, parsed once at the boundary.
 * Formatting follows the BSD tools: dotted quads, and netstat's short network form
 * (`10.0.2/24`, netname() in usr.bin/netstat/route.c).
 */
export type InAddr = number & { readonly __brand: 'InAddr' };

export const inAddr = (n: number): InAddr => (n >>> 0) as InAddr;
export const INADDR_ANY = inAddr(0);

/** Parses a dotted quad; undefined when the text is not one. */
export function parseInAddr(text: string): InAddr | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return inAddr(value);
}

export function formatInAddr(addr: InAddr): string {
  return [addr >>> 24, (addr >>> 16) & 0xff, (addr >>> 8) & 0xff, addr & 0xff].join('.');
}

/** The netmask of a prefix length, as a host-order number. */
export function maskOf(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** The prefix length of a contiguous mask; undefined when the mask has holes. */
export function prefixLenOfMask(mask: number): number | undefined {
  for (let len = 0; len <= 32; len++) if (maskOf(len) === mask >>> 0) return len;
  return undefined;
}

export function netOf(addr: InAddr, prefixLen: number): InAddr {
  return inAddr(addr & maskOf(prefixLen));
}

export function inSubnet(addr: InAddr, net: InAddr, prefixLen: number): boolean {
  return netOf(addr, prefixLen) === netOf(net, prefixLen);
}

/** The classful default mask the kernel applies when none is given (in.c in_ifinit). */
export function classfulPrefixLen(addr: InAddr): number {
  if (addr >>> 31 === 0) return 8;
  if (addr >>> 30 === 2) return 16;
  return 24;
}

/** The directed broadcast address of a subnet. */
export function broadcastOf(addr: InAddr, prefixLen: number): InAddr {
  return inAddr(netOf(addr, prefixLen) | (~maskOf(prefixLen) >>> 0));
}

/**
 * netstat's network name: as many octets as the mask covers, then `/len`
 * (10.0.2.0/24 -> `10.0.2/24`, 127.0.0.0/8 -> `127/8`); the default route is `default`.
 */
export function formatShortNet(net: InAddr, prefixLen: number): string {
  if (prefixLen === 0 && net === 0) return 'default';
  const octets = Math.max(1, Math.ceil(prefixLen / 8));
  const all = formatInAddr(net).split('.');
  return `${all.slice(0, octets).join('.')}/${prefixLen}`;
}

/**
 * route(8)'s guess of a network mask when `-net` has none (inet_makenetandmask): the
 * smallest classful mask that keeps every set bit of the address.
 */
export function routeNetPrefixLen(addr: InAddr): number {
  if (addr === 0) return 0;
  if ((addr & 0x00ffffff) === 0) return 8;
  if ((addr & 0x0000ffff) === 0) return 16;
  if ((addr & 0x000000ff) === 0) return 24;
  return 32;
}
