import { assert, NS_PER_SECOND } from '../brand.ts';
import type { Host } from './host.ts';
import { activeMac, type Ifnet, type In6Ifaddr } from './ifnet.ts';
import {
  formatIn6Groups,
  type In6Addr,
  in6Embed,
  in6InPrefix,
  in6NetOf,
  in6WithEui64,
  isLinkLocal6,
  isMulticast6,
  parseIn6Groups,
} from './in6.ts';
import { in6AddAddress, in6DeleteAddress, in6Hooks } from './in6ctl.ts';
import { inet6Of, type NdDefrouter, type NdPrefix } from './in6var.ts';
import { ip6Hooks } from './ip6.ts';
import { ND6_HOP_LIMIT } from './knobs6.ts';
import { macOctets } from './mac.ts';
import { nd6CacheLladdr } from './nd6.ts';
import { rt6Add, rt6Remove } from './rt6ops.ts';
import type { Icmp6Message, Ipv6Packet, RaPrefix } from './wire.ts';

/**
 * Router advertisement processing on a host (netinet6/nd6_rtr.c): the default router list
 * with its default route, the prefix list with its advertising routers, stateless address
 * autoconfiguration (RFC 4862) with temporary addresses (RFC 4941), the link MTU option,
 * and the expiry of routers and prefixes on the nd6 timer.
 */

/** ip6_temp_valid_lifetime / ip6_temp_preferred_lifetime (netinet6/in6_ifattach.c). */
const TEMP_VALID_LIFETIME_SECONDS = 604_800;
const TEMP_PREFERRED_LIFETIME_SECONDS = 86_400;
/** RFC 4862 5.5.3 (e): a valid lifetime below two hours is not shortened by an RA. */
const TWO_HOURS_SECONDS = 7_200;

function secondsLeft(host: Host, baseNs: number, lifetimeSeconds: number): number {
  return lifetimeSeconds - (host.world.nowNs - baseNs) / NS_PER_SECOND;
}

/** defrouter_select: the first router of the list gets the default route. */
function defrouterSelect(host: Host): void {
  const state = inet6Of(host);
  const first = state.defrouters[0];
  // Routers join at the end and the installed one is uninstalled before it leaves.
  assert(
    state.defrouters.every((dr) => dr === first || !dr.installed),
    'defrouter_select: only the first router of the list can hold the default route',
  );
  if (first === undefined || first.installed) return;
  // An administrator's default route stays: rtrequest refuses to add another (EEXIST).
  const added = rt6Add(host, {
    dst: '::' as In6Addr,
    prefixLen: 0,
    gateway: { kind: 'addr', addr: in6Embed(first.addr, first.ifIndex) },
    flags: ['GATEWAY'],
  });
  first.installed = added.ok;
}

function defrouterDelreq(host: Host, dr: NdDefrouter): void {
  const rt = host.rt6.exact('::' as In6Addr, 0);
  if (rt !== undefined && rt.gateway.kind === 'addr' && rt.gateway.addr === in6Embed(dr.addr, dr.ifIndex))
    rt6Remove(host, rt);
  dr.installed = false;
}

/** defrtrlist_del: the router leaves the list and every prefix's advertisers. */
export function defrtrlistDel(host: Host, dr: NdDefrouter): void {
  const state = inet6Of(host);
  const at = state.defrouters.indexOf(dr);
  if (at < 0) return;
  if (dr.installed) defrouterDelreq(host, dr);
  state.defrouters.splice(at, 1);
  for (const pr of state.prefixes) {
    if (pr.ifIndex !== dr.ifIndex) continue;
    const i = pr.advertisers.indexOf(dr.addr);
    if (i >= 0) pr.advertisers.splice(i, 1);
  }
  defrouterSelect(host);
}

function defrtrlistUpdate(
  host: Host,
  ifp: Ifnet,
  addr: In6Addr,
  lifetimeSeconds: number,
): NdDefrouter | undefined {
  const state = inet6Of(host);
  const dr = state.defrouters.find((d) => d.addr === addr && d.ifIndex === ifp.index);
  if (lifetimeSeconds === 0) {
    if (dr !== undefined) defrtrlistDel(host, dr);
    return undefined;
  }
  const expireNs = host.world.nowNs + lifetimeSeconds * NS_PER_SECOND;
  if (dr !== undefined) {
    dr.expireNs = expireNs;
    return dr;
  }
  if (
    state.defrouters.filter((d) => d.ifIndex === ifp.index).length >=
    host.sysctl['net.inet6.ip6.maxifdefrouters']
  )
    return undefined;
  const fresh: NdDefrouter = { addr, ifIndex: ifp.index, expireNs, installed: false };
  state.defrouters.push(fresh);
  defrouterSelect(host);
  return fresh;
}

/** The addresses autoconfigured from a prefix (ia6_ndpr). */
function autoconfAddrs(ifp: Ifnet, pr: NdPrefix): In6Ifaddr[] {
  return ifp.in6Addrs.filter(
    (a) =>
      a.flags.has('autoconf') &&
      !a.linkLocal &&
      a.prefixLen === pr.prefixLen &&
      in6InPrefix(a.addr, pr.prefix, pr.prefixLen),
  );
}

/** in6_tmpifadd's interface identifier: random, with the universal/local bit cleared (RFC 4941 3.2). */
function temporaryAddress(host: Host, prefix: In6Addr): In6Addr {
  const groups = parseIn6Groups(prefix);
  assert(groups !== undefined, 'in6_tmpifadd: a listed prefix is a well-formed address');
  const r = (): number => host.world.random.below(0x10000);
  return formatIn6Groups([...groups.slice(0, 4), r() & 0xfdff, r(), r(), r()]);
}

/** Updates an autoconfigured address's lifetimes from a prefix option (RFC 4862 5.5.3 (e)). */
function refreshLifetimes(host: Host, ia: In6Ifaddr, pi: RaPrefix): void {
  if (ia.flags.has('temporary')) return;
  const remaining =
    ia.vltimeSeconds === undefined
      ? Number.POSITIVE_INFINITY
      : secondsLeft(host, ia.lifetimeBaseNs, ia.vltimeSeconds);
  // The advertised lifetime when it is over two hours or over what is left; otherwise what is
  // left, cut to two hours.
  const vltime = Math.max(pi.vltimeSeconds, Math.min(remaining, TWO_HOURS_SECONDS));
  ia.vltimeSeconds = Math.max(0, Math.round(vltime));
  ia.pltimeSeconds = Math.min(pi.pltimeSeconds, ia.vltimeSeconds);
  ia.lifetimeBaseNs = host.world.nowNs;
  ia.flags.delete('deprecated');
}

/** prelist_update: a prefix option from router `rtaddr` (undefined: no router to attach). */
function prelistUpdate(host: Host, ifp: Ifnet, pi: RaPrefix, rtaddr: In6Addr | undefined): void {
  const state = inet6Of(host);
  const prefix = in6NetOf(pi.prefix, pi.prefixLen);
  let pr = state.prefixes.find(
    (p) => p.ifIndex === ifp.index && p.prefixLen === pi.prefixLen && p.prefix === prefix,
  );
  if (pr !== undefined) {
    pr.onLink = pi.onLink;
    pr.autonomous = pi.autonomous;
    pr.vltimeSeconds = pi.vltimeSeconds;
    pr.pltimeSeconds = pi.pltimeSeconds;
    pr.baseNs = host.world.nowNs;
    if (rtaddr !== undefined && !pr.advertisers.includes(rtaddr)) pr.advertisers.unshift(rtaddr);
    for (const ia of autoconfAddrs(ifp, pr)) refreshLifetimes(host, ia, pi);
    return;
  }
  if (pi.vltimeSeconds === 0) return;
  // in6_init_prefix_ltimes (RFC 4862 5.5.3 (c)): a preferred lifetime beyond the valid one is refused.
  if (pi.pltimeSeconds > pi.vltimeSeconds) return;
  const count = state.prefixes.filter((p) => p.ifIndex === ifp.index).length;
  if (count >= host.sysctl['net.inet6.ip6.maxifprefixes']) return;
  pr = {
    prefix,
    prefixLen: pi.prefixLen,
    ifIndex: ifp.index,
    onLink: pi.onLink,
    autonomous: pi.autonomous,
    vltimeSeconds: pi.vltimeSeconds,
    pltimeSeconds: pi.pltimeSeconds,
    baseNs: host.world.nowNs,
    advertisers: rtaddr === undefined ? [] : [rtaddr],
  };
  state.prefixes.push(pr);
  const mac = activeMac(ifp);
  if (!pi.autonomous || pi.prefixLen !== 64 || mac === undefined) return;
  const lifetimes = { pltimeSeconds: pi.pltimeSeconds, vltimeSeconds: pi.vltimeSeconds };
  const base = in6WithEui64(prefix, macOctets(mac));
  in6AddAddress(host, ifp, { addr: base, prefixLen: 64, flags: ['autoconf'], dad: 'delayed', ...lifetimes });
  if (host.sysctl['net.inet6.ip6.use_tempaddr'] === 1) {
    in6AddAddress(host, ifp, {
      addr: temporaryAddress(host, prefix),
      prefixLen: 64,
      flags: ['autoconf', 'temporary'],
      dad: 'delayed',
      vltimeSeconds: Math.min(pi.vltimeSeconds, TEMP_VALID_LIFETIME_SECONDS),
      pltimeSeconds: Math.min(pi.pltimeSeconds, TEMP_PREFERRED_LIFETIME_SECONDS),
    });
  }
}

/** prelist_remove (and the ndp -P purge of the addresses made from it). */
export function prelistRemove(host: Host, pr: NdPrefix, purgeAddresses: boolean): void {
  const state = inet6Of(host);
  const at = state.prefixes.indexOf(pr);
  if (at < 0) return;
  state.prefixes.splice(at, 1);
  if (!purgeAddresses) return;
  const ifp = host.ifByIndex(pr.ifIndex);
  assert(ifp !== undefined, 'prelist_remove: a listed prefix belongs to an attached interface');
  for (const ia of autoconfAddrs(ifp, pr)) in6DeleteAddress(host, ifp, ia.addr);
}

/** nd6_ra_input: only hosts (accept_rtadv, not forwarding) listen, only to link-local routers. */
function nd6RaInput(
  host: Host,
  ifp: Ifnet,
  pkt: Ipv6Packet,
  ra: Extract<Icmp6Message, { type: 'ra' }>,
): void {
  if (host.sysctl['net.inet6.ip6.accept_rtadv'] === 0 || host.sysctl['net.inet6.ip6.forwarding'] === 1)
    return;
  if (pkt.hlim !== ND6_HOP_LIMIT || !isLinkLocal6(pkt.src)) return;
  const dr = defrtrlistUpdate(host, ifp, pkt.src, ra.routerLifetimeSeconds);
  for (const pi of ra.prefixes) {
    if (isLinkLocal6(pi.prefix) || isMulticast6(pi.prefix) || pi.prefixLen > 128) continue;
    prelistUpdate(host, ifp, pi, dr?.addr);
  }
  // No MTU option counts as one below the IPv6 minimum.
  const mtu = ra.mtu ?? 0;
  if (mtu >= 1280 && mtu <= ifp.mtu) inet6Of(host).linkmtu.set(ifp.index, mtu);
  nd6CacheLladdr(host, ifp, pkt.src, ra.sllao, true);
}

/** nd6_timer's router and prefix pass. */
export function nd6RtrTimer(host: Host): void {
  const state = inet6Of(host);
  for (const dr of [...state.defrouters]) if (dr.expireNs <= host.world.nowNs) defrtrlistDel(host, dr);
  for (const pr of [...state.prefixes]) {
    if (secondsLeft(host, pr.baseNs, pr.vltimeSeconds) <= 0) prelistRemove(host, pr, false);
  }
}

/** SIOCSRTRFLUSH_IN6 (ndp -R). */
export function nd6FlushRouters(host: Host): void {
  for (const dr of [...inet6Of(host).defrouters]) defrtrlistDel(host, dr);
}

/** SIOCSPFXFLUSH_IN6 (ndp -P): every prefix, with the addresses configured from it. */
export function nd6FlushPrefixes(host: Host): void {
  for (const pr of [...inet6Of(host).prefixes]) prelistRemove(host, pr, true);
}

/** Seconds left of a prefix's valid lifetime, for ndp -p. */
export function nd6PrefixExpireSeconds(host: Host, pr: NdPrefix): number {
  return Math.max(0, Math.floor(secondsLeft(host, pr.baseNs, pr.vltimeSeconds)));
}

/** An interface going away takes its routers and prefixes with it. */
export function nd6RtrDetach(host: Host, ifp: Ifnet): void {
  const state = inet6Of(host);
  for (const dr of [...state.defrouters]) if (dr.ifIndex === ifp.index) defrtrlistDel(host, dr);
  for (const pr of [...state.prefixes]) if (pr.ifIndex === ifp.index) prelistRemove(host, pr, false);
  state.linkmtu.delete(ifp.index);
}

ip6Hooks.raInput = nd6RaInput;
in6Hooks.timer.push(nd6RtrTimer);
in6Hooks.detach.push(nd6RtrDetach);
