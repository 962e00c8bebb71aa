import type { Host } from './host.ts';
import type { Ifnet, In6Ifaddr } from './ifnet.ts';
import {
  type In6Addr,
  in6CommonPrefixLen,
  in6InPrefix,
  in6SolicitedNode,
  isLinkLocal6,
  isLinkScope6,
} from './in6.ts';
import type { Icmp6Message } from './wire.ts';

/** An ICMPv6 message delivered to raw sockets (ping6 reads these). */
export interface Icmp6Delivery {
  readonly from: In6Addr;
  readonly to: In6Addr;
  readonly zone: number;
  readonly hlim: number;
  readonly icmp6: Icmp6Message;
}

/** A default router list entry (struct nd_defrouter). */
export interface NdDefrouter {
  /** The router's link-local address (zone: ifIndex). */
  readonly addr: In6Addr;
  readonly ifIndex: number;
  /** When the router lifetime runs out. */
  expireNs: number;
  /** Whether its default route is in the table (dr->installed). */
  installed: boolean;
}

/** A prefix list entry (struct nd_prefix) with the routers that advertise it. */
export interface NdPrefix {
  readonly prefix: In6Addr;
  readonly prefixLen: number;
  readonly ifIndex: number;
  onLink: boolean;
  autonomous: boolean;
  vltimeSeconds: number;
  pltimeSeconds: number;
  /** When the lifetimes were last set (ndpr_lastupdate). */
  baseNs: number;
  /** Advertising routers (link-local, zone = ifIndex), newest first. */
  readonly advertisers: In6Addr[];
}

/** icmp6stat counters netstat -p icmp6 prints (input histogram by type). */
export interface Icmp6Stats {
  inRouterAdvert: number;
  inRedirect: number;
  outRedirect: number;
}

/** The inet6 half of one kernel: raw listeners, ND router/prefix lists, counters. */
export interface Inet6Host {
  readonly icmp6Listeners: Set<(d: Icmp6Delivery) => void>;
  readonly defrouters: NdDefrouter[];
  readonly prefixes: NdPrefix[];
  readonly stats: Icmp6Stats;
  /** Link MTU learnt from router advertisements, per interface index (ndi->linkmtu). */
  readonly linkmtu: Map<number, number>;
}

const hosts = new WeakMap<Host, Inet6Host>();

export function inet6Of(host: Host): Inet6Host {
  let state = hosts.get(host);
  if (state === undefined) {
    state = {
      icmp6Listeners: new Set(),
      defrouters: [],
      prefixes: [],
      stats: { inRouterAdvert: 0, inRedirect: 0, outRedirect: 0 },
      linkmtu: new Map(),
    };
    hosts.set(host, state);
  }
  return state;
}

/** IN6_IFF_NOTREADY: tentative or duplicated addresses neither send nor receive. */
export function in6IsReady(ia: In6Ifaddr): boolean {
  return !ia.flags.has('tentative') && !ia.flags.has('duplicated');
}

/** Usable as a source: ready and not detached; anycast never is (RFC 4291 2.6). */
function usableSource(ia: In6Ifaddr): boolean {
  return in6IsReady(ia) && !ia.flags.has('detached') && !ia.flags.has('anycast');
}

/** The interface address equal to addr (zone: the interface for link-local ones). */
export function in6OwnAddr(
  host: Host,
  addr: In6Addr,
  zone: number,
): { ifp: Ifnet; ia: In6Ifaddr } | undefined {
  for (const ifp of host.ifnets) {
    if (isLinkScope6(addr) && ifp.index !== zone) continue;
    const ia = ifp.in6Addrs.find((a) => a.addr === addr);
    if (ia !== undefined) return { ifp, ia };
  }
  return undefined;
}

/**
 * in6_selectsrc (RFC 6724 section 5, the rules KAME implements): the destination itself, then
 * appropriate scope, then not deprecated, then the outgoing interface, then the temporary
 * preference, then the longest matching prefix.
 */
export function in6SelectSrc(host: Host, dst: In6Addr, outIfp: Ifnet): In6Addr | undefined {
  const wantLinkLocal = isLinkScope6(dst);
  const preferTemp = host.sysctl['net.inet6.ip6.prefer_tempaddr'] === 1;
  let best: { ia: In6Ifaddr; score: number[] } | undefined;
  for (const ifp of host.ifnets) {
    if (wantLinkLocal && ifp !== outIfp) continue;
    for (const ia of ifp.in6Addrs) {
      if (!usableSource(ia)) continue;
      if (ia.linkLocal !== wantLinkLocal) continue;
      if (ia.addr === '::1' && dst !== '::1') continue;
      const score = [
        ia.addr === dst ? 1 : 0,
        ia.flags.has('deprecated') ? 0 : 1,
        ifp === outIfp ? 1 : 0,
        ia.flags.has('temporary') === preferTemp ? 1 : 0,
        in6CommonPrefixLen(ia.addr, dst),
      ];
      if (best === undefined || compareScore(score, best.score) > 0) best = { ia, score };
    }
  }
  return best?.ia.addr;
}

/** Lexicographic order of two scores: the first rule that tells them apart decides. */
function compareScore(a: readonly number[], b: readonly number[]): number {
  const i = a.findIndex((x, k) => x !== b[k]);
  return i < 0 ? 0 : (a[i] ?? 0) - (b[i] ?? 0);
}

/** nd6_is_addr_neighbor: on a prefix of the interface, or link-local. */
export function in6IsNeighbor(ifp: Ifnet, addr: In6Addr): boolean {
  if (isLinkLocal6(addr)) return true;
  return ifp.in6Addrs.some(
    (a) => !a.linkLocal && a.prefixLen < 128 && in6InPrefix(addr, a.addr, a.prefixLen),
  );
}

/** Has the interface joined this group (in6_lookup_multi)? */
export function in6IsMember(host: Host, ifp: Ifnet, group: In6Addr): boolean {
  // A unicast group is no solicited-node group either: no separate test for it.
  if (group === 'ff02::1') return true;
  if (group === 'ff02::2') return host.sysctl['net.inet6.ip6.forwarding'] === 1;
  return ifp.in6Addrs.some((a) => in6SolicitedNode(a.addr) === group);
}
