import type { Host } from '../../model/net/host.ts';
import { type In6Addr, isLinkScope6, parseIn6 } from '../../model/net/in6.ts';

/** An IPv6 address as the tools take it: `fe80::1%shmif0` (getaddrinfo's scoped form). */
export interface Scoped6 {
  readonly addr: In6Addr;
  /** Interface index of the zone; 0 when none was given or the address is global. */
  readonly zone: number;
}

/** Parses `addr[%ifname]`; undefined when the address or the interface is unknown. */
export function parseScoped6(host: Host, text: string): Scoped6 | undefined {
  const [addrText = '', zoneText] = text.split('%');
  const addr = parseIn6(addrText);
  if (addr === undefined) return undefined;
  if (zoneText === undefined) return { addr, zone: 0 };
  const ifp = host.ifByName(zoneText);
  if (ifp === undefined) return undefined;
  return { addr, zone: isLinkScope6(addr) ? ifp.index : 0 };
}

export function formatScoped6(host: Host, s: Scoped6): string {
  if (s.zone === 0) return s.addr;
  return `${s.addr}%${host.ifByIndex(s.zone)?.name ?? s.zone}`;
}
