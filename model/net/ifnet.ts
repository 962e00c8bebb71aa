import type { VirtualNs } from '../brand.ts';
import type { TimerHandle } from '../sim/timers.ts';
import type { In6Addr } from './in6.ts';
import type { InAddr } from './inet.ts';
import type { Mac } from './mac.ts';
import type { NdTable } from './nd.ts';
import type { Ipv4Packet } from './wire.ts';

/** Interface kinds the cloners create (shmif, tap) plus the loopback. */
export type IfKind = 'loop' | 'shmif' | 'tap' | 'bridge' | 'gif';

/** The cloners `ifconfig -C` lists, in the kernel's registration order. */
export const IF_CLONERS = ['shmif', 'carp', 'lo', 'tap', 'bridge', 'gif'] as const;

/** IPv4 address flags (netinet/in_var.h IN_IFF_*). */
export type In4Flag = 'tentative' | 'duplicated' | 'detached';

/** IPv4 DAD bookkeeping of one address (struct arp_dad). */
export interface ArpDad {
  probesSent: number;
  probesPlanned: number;
  announcesSent: number;
  conflicts: number;
  timer: TimerHandle | undefined;
}

export interface InIfaddr {
  readonly addr: InAddr;
  prefixLen: number;
  broadcast: InAddr;
  readonly flags: Set<In4Flag>;
  dad: ArpDad | undefined;
}

/** IPv6 address flags (netinet6/in6_var.h IN6_IFF_*), in bit order. */
export const IN6_FLAG_BITS = [
  ['anycast', 0x01],
  ['tentative', 0x02],
  ['duplicated', 0x04],
  ['detached', 0x08],
  ['deprecated', 0x10],
  ['nodad', 0x20],
  ['autoconf', 0x40],
  ['temporary', 0x80],
] as const;
export type In6Flag = (typeof IN6_FLAG_BITS)[number][0];

export interface In6Ifaddr {
  readonly addr: In6Addr;
  prefixLen: number;
  readonly flags: Set<In6Flag>;
  /** Preferred / valid lifetimes in seconds; undefined is infinite. */
  pltimeSeconds: number | undefined;
  vltimeSeconds: number | undefined;
  /** When the lifetimes were set (ia6t_preferred / ia6t_expire base). */
  lifetimeBaseNs: VirtualNs;
  /** Link-local scope (the zone index is the interface). */
  readonly linkLocal: boolean;
}

/** if_data counters. */
export interface IfCounters {
  ipackets: number;
  ibytes: number;
  imcasts: number;
  opackets: number;
  obytes: number;
  omcasts: number;
  ierrors: number;
  oerrors: number;
}

export const zeroCounters = (): IfCounters => ({
  ipackets: 0,
  ibytes: 0,
  imcasts: 0,
  opackets: 0,
  obytes: 0,
  omcasts: 0,
  ierrors: 0,
  oerrors: 0,
});

export interface LinkAddr {
  readonly mac: Mac;
  active: boolean;
}

/** One network interface (struct ifnet) with its addresses and lltable. */
export interface Ifnet {
  readonly name: string;
  readonly index: number;
  readonly kind: IfKind;
  /** Identity on a shmif bus, unique in the world. */
  readonly portId: number;
  /** IFF_UP. */
  up: boolean;
  /** IFF_RUNNING. */
  running: boolean;
  /** IFF_NOARP. */
  noarp: boolean;
  linkState: 'unknown' | 'up' | 'down';
  readonly lladdrs: LinkAddr[];
  busName: string | undefined;
  readonly inAddrs: InIfaddr[];
  readonly in6Addrs: In6Ifaddr[];
  counters: IfCounters;
  mtu: number;
  metric: number;
  readonly arp: NdTable<InAddr, Ipv4Packet>;
}

/** The active link-layer address (if_sadl), if the interface has one. */
export function activeMac(ifp: Ifnet): Mac | undefined {
  return ifp.lladdrs.find((l) => l.active)?.mac;
}

/** `IFF_*` flags word as ifconfig prints it. */
export function ifFlagNames(ifp: Ifnet): string[] {
  const names: string[] = [];
  if (ifp.up) names.push('UP');
  if (ifp.kind === 'gif') names.push('POINTOPOINT');
  else if (ifp.kind !== 'loop') names.push('BROADCAST');
  if (ifp.kind === 'loop') names.push('LOOPBACK');
  if (ifp.running) names.push('RUNNING');
  if (ifp.noarp) names.push('NOARP');
  if (ifp.kind !== 'loop' && ifp.kind !== 'gif') names.push('SIMPLEX');
  names.push('MULTICAST');
  return names;
}

export function ifFlagsWord(ifp: Ifnet): number {
  let word = 0x8000; // IFF_MULTICAST
  if (ifp.up) word |= 0x1;
  if (ifp.kind === 'gif')
    word |= 0x10; // POINTOPOINT
  else if (ifp.kind !== 'loop') word |= 0x2 | 0x800; // BROADCAST, SIMPLEX
  if (ifp.kind === 'loop') word |= 0x8;
  if (ifp.running) word |= 0x40;
  if (ifp.noarp) word |= 0x80;
  return word;
}

/** IFF_UP and IFF_RUNNING: what if_do_dad and output need (net/if.c). */
export function isUpAndRunning(ifp: Ifnet): boolean {
  return ifp.up && ifp.running;
}
