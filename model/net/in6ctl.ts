import { NS_PER_SECOND, virtualNs } from '../brand.ts';
import { type ErrnoResult, fail, ok } from './errno.ts';
import type { Host } from './host.ts';
import { activeMac, type Ifnet, type In6Flag, type In6Ifaddr, isUpAndRunning } from './ifnet.ts';
import { IN6_LOOPBACK, type In6Addr, in6Embed, in6NetOf, in6WithEui64, isLinkLocal6 } from './in6.ts';
import './ip6.ts';
import { ND6_MAX_RTR_SOLICITATION_DELAY_MS } from './knobs6.ts';
import { macOctets } from './mac.ts';
import { nd6AnnounceLink, nd6Of } from './nd6.ts';
import { nd6DadStart, nd6DadStop } from './nd6dad.ts';
import { rt6Add, rt6Remove } from './rt6ops.ts';
import { rtMsg } from './rtsock.ts';

/**
 * IPv6 interface addresses (netinet6/in6.c in6_update_ifa, in6_purgeaddr, in6_if_up/down,
 * in6_ifattach): the local and prefix routes (zone embedded for link-local ones), DAD of new
 * addresses, lifetimes aged by the nd6 timer every nd6_prune seconds.
 */
export interface In6AddRequest {
  readonly addr: In6Addr;
  readonly prefixLen: number;
  readonly flags?: readonly In6Flag[];
  readonly pltimeSeconds?: number;
  readonly vltimeSeconds?: number;
  /** The far end of a point-to-point interface (gif): a /128 host route to it. */
  readonly dstaddr?: In6Addr;
  /**
   * DAD of a new address: at once (ioctl, the default), after a random delay
   * (IN6_IFAUPDATE_DADDELAY: autoconfigured addresses), or none (if_do_dad said no).
   */
  readonly dad?: 'immediate' | 'delayed' | 'none';
}

/** Passes of the nd6 timer and of in6_ifdetach owned by other modules (nd6_rtr.c's lists). */
export const in6Hooks: {
  readonly timer: ((host: Host) => void)[];
  readonly detach: ((host: Host, ifp: Ifnet) => void)[];
} = { timer: [], detach: [] };

/** Point-to-point destinations, per address (ia_dstaddr). */
const dstaddrs = new WeakMap<In6Ifaddr, In6Addr>();

/** if_do_dad (net/if.c): up and running, not loopback. */
function ifDoDad(ifp: Ifnet): boolean {
  return ifp.kind !== 'loop' && isUpAndRunning(ifp);
}

function dadEnabled(host: Host): boolean {
  return host.sysctl['net.inet6.ip6.dad_count'] > 0;
}

/** The routing key of an address of this interface (zone embedded when link-scoped). */
function keyOf(ifp: Ifnet, addr: In6Addr): In6Addr {
  return in6Embed(addr, ifp.index);
}

/**
 * in6_ifaddlocal + the prefix route (nd6_prelist_add / in6_ifaddprefix). A route already there
 * (another address's prefix, a point-to-point peer) stays: rtrequest answers EEXIST for it.
 */
function addRoutes(host: Host, ifp: Ifnet, ia: In6Ifaddr): void {
  const local = keyOf(ifp, ia.addr);
  rt6Add(host, {
    dst: local,
    prefixLen: 128,
    gateway: { kind: 'link', ifIndex: ifp.index },
    flags: ['HOST', 'LOCAL'],
    ifp: host.lo0,
    ifa: ia.addr,
  });
  const dst = dstaddrs.get(ia);
  if (dst !== undefined) {
    rt6Add(host, {
      dst: keyOf(ifp, dst),
      prefixLen: 128,
      gateway: { kind: 'link', ifIndex: ifp.index },
      flags: ['HOST'],
      ifp,
      ifa: ia.addr,
    });
    return;
  }
  // A /128 has no prefix route: its prefix is the local route's key.
  if (ifp.kind === 'loop' && !ia.linkLocal) return;
  rt6Add(host, {
    dst: in6NetOf(local, ia.prefixLen),
    prefixLen: ia.prefixLen,
    gateway: { kind: 'link', ifIndex: ifp.index },
    flags: ['CONNECTED'],
    ifp,
    ifa: ia.addr,
  });
}

function removeRoutes(host: Host, ifp: Ifnet, ia: In6Ifaddr): void {
  const local = host.rt6.exact(keyOf(ifp, ia.addr), 128);
  if (local?.flags.has('LOCAL')) rt6Remove(host, local);
  const dst = dstaddrs.get(ia);
  if (dst !== undefined) {
    const far = host.rt6.exact(keyOf(ifp, dst), 128);
    if (far !== undefined && far.ifIndex === ifp.index) rt6Remove(host, far);
    return;
  }
  const net = in6NetOf(keyOf(ifp, ia.addr), ia.prefixLen);
  const sharing = ifp.in6Addrs.some(
    (a) => a !== ia && a.prefixLen === ia.prefixLen && in6NetOf(keyOf(ifp, a.addr), a.prefixLen) === net,
  );
  const prefix = host.rt6.exact(net, ia.prefixLen);
  if (prefix !== undefined && prefix.ifIndex === ifp.index && !sharing) rt6Remove(host, prefix);
}

/**
 * SIOCAIFADDR_IN6 -> in6_update_ifa. pltime beyond vltime is EINVAL, and a vltime alone is
 * too, since the preferred lifetime then stays infinite. A new address on an interface that
 * is up and running starts tentative and goes through DAD; on a down link it is detached.
 */
export function in6AddAddress(host: Host, ifp: Ifnet, req: In6AddRequest): ErrnoResult<In6Ifaddr> {
  if (!host.inet6) return fail('EAFNOSUPPORT');
  const pl = req.pltimeSeconds;
  const vl = req.vltimeSeconds;
  if (pl !== undefined && vl !== undefined ? pl > vl : vl !== undefined) return fail('EINVAL');
  const existing = ifp.in6Addrs.find((a) => a.addr === req.addr);
  if (existing !== undefined) removeRoutes(host, ifp, existing);
  const ia: In6Ifaddr = existing ?? {
    addr: req.addr,
    prefixLen: req.prefixLen,
    flags: new Set(),
    pltimeSeconds: undefined,
    vltimeSeconds: undefined,
    lifetimeBaseNs: host.world.nowNs,
    linkLocal: isLinkLocal6(req.addr),
  };
  const wasTentative = ia.flags.has('tentative');
  ia.prefixLen = req.prefixLen;
  for (const f of ['anycast', 'deprecated', 'autoconf', 'temporary', 'nodad'] as const) ia.flags.delete(f);
  ia.flags.delete('duplicated');
  // `deprecated` is a zero preferred lifetime; the nd6 timer sets the flag.
  const deprecated = req.flags?.includes('deprecated') ?? false;
  for (const f of req.flags ?? []) if (f !== 'deprecated') ia.flags.add(f);
  ia.pltimeSeconds = deprecated ? 0 : pl;
  ia.vltimeSeconds = vl;
  ia.lifetimeBaseNs = host.world.nowNs;
  if (req.dstaddr !== undefined) dstaddrs.set(ia, req.dstaddr);
  if (existing === undefined) ifp.in6Addrs.push(ia);
  let startDad = false;
  if (ifp.linkState === 'down') {
    ia.flags.add('detached');
    ia.flags.delete('tentative');
  } else if (
    (existing === undefined || wasTentative) &&
    ifDoDad(ifp) &&
    dadEnabled(host) &&
    req.dad !== 'none' &&
    !ia.flags.has('nodad') &&
    !ia.flags.has('anycast')
  ) {
    ia.flags.add('tentative');
    startDad = true;
  }
  const broughtUp = !ifp.up && ifp.kind !== 'loop';
  if (broughtUp) {
    // ether_ioctl(SIOCINITIFADDR) sets IFF_UP and runs if_init, without the if_up hooks.
    ifp.up = true;
    ifp.running = true;
  }
  addRoutes(host, ifp, ia);
  host.rtsock.send(rtMsg('RTM_NEWADDR', [], { IFA: { kind: 'inet6', text: ia.addr } }));
  if (startDad)
    nd6DadStart(
      host,
      ifp,
      ia,
      req.dad === 'delayed' ? host.world.random.below(ND6_MAX_RTR_SOLICITATION_DELAY_MS) : 0,
    );
  if (broughtUp) in6IfAttach(host, ifp);
  return ok(ia);
}

/** SIOCDIFADDR_IN6 -> in6_purgeaddr. */
export function in6DeleteAddress(host: Host, ifp: Ifnet, addr: In6Addr): ErrnoResult<In6Ifaddr> {
  const ia = ifp.in6Addrs.find((a) => a.addr === addr);
  if (ia === undefined) return fail('EADDRNOTAVAIL');
  nd6DadStop(host, ia);
  removeRoutes(host, ifp, ia);
  ifp.in6Addrs.splice(ifp.in6Addrs.indexOf(ia), 1);
  host.rtsock.send(rtMsg('RTM_DELADDR', [], { IFA: { kind: 'inet6', text: ia.addr } }));
  return ok(ia);
}

/**
 * in6_ifattach: ::1 and fe80::1 on lo0; an EUI-64 link-local elsewhere (auto_linklocal).
 * `dad` false: attached from if_up, which runs before if_init sets IFF_RUNNING, so if_do_dad
 * says no and the link-local address starts usable without DAD.
 */
export function in6IfAttach(host: Host, ifp: Ifnet, dad = true): void {
  if (!host.inet6) return;
  if (ifp.kind === 'loop') {
    if (ifp.in6Addrs.length > 0) return;
    in6AddAddress(host, ifp, { addr: IN6_LOOPBACK, prefixLen: 128, flags: ['nodad'] });
    in6AddAddress(host, ifp, { addr: 'fe80::1' as In6Addr, prefixLen: 64 });
    return;
  }
  const mac = activeMac(ifp);
  if (host.sysctl['net.inet6.ip6.auto_linklocal'] === 0 || mac === undefined) return;
  if (ifp.in6Addrs.some((a) => a.linkLocal)) return;
  in6AddAddress(host, ifp, {
    addr: in6WithEui64('fe80::' as In6Addr, macOctets(mac)),
    prefixLen: 64,
    dad: dad ? 'delayed' : 'none',
  });
}

/**
 * in6_if_up: attach (the link-local address, see in6IfAttach), then, once the interface runs
 * and its link is up, in6_if_link_up: detached addresses become tentative again and redo DAD
 * after a random delay.
 */
export function in6IfUp(host: Host, ifp: Ifnet): void {
  if (!host.inet6) return;
  in6IfAttach(host, ifp, false);
  if (ifp.linkState === 'down' || !isUpAndRunning(ifp)) return;
  for (const ia of ifp.in6Addrs) {
    if (!ia.flags.has('detached')) continue;
    ia.flags.delete('detached');
    if (dadEnabled(host) && ifDoDad(ifp) && !ia.flags.has('anycast')) {
      ia.flags.add('tentative');
      nd6DadStart(host, ifp, ia, host.world.random.below(ND6_MAX_RTR_SOLICITATION_DELAY_MS));
    }
  }
}

/** in6_if_down: in6_if_link_down (stop DAD, detach every address) and purge the neighbour cache. */
export function in6IfDown(host: Host, ifp: Ifnet): void {
  if (!host.inet6) return;
  for (const ia of ifp.in6Addrs) {
    nd6DadStop(host, ia);
    ia.flags.add('detached');
    ia.flags.delete('tentative');
    ia.flags.delete('duplicated');
  }
  nd6Of(host, ifp).table.purge(() => true);
}

/** in6_ifdetach: every address, every route through the interface, the neighbour cache. */
export function in6IfDetach(host: Host, ifp: Ifnet): void {
  for (const detach of in6Hooks.detach) detach(host, ifp);
  for (const ia of [...ifp.in6Addrs]) in6DeleteAddress(host, ifp, ia.addr);
  for (const rt of [...host.rt6.entries]) {
    const viaLink = rt.gateway.kind === 'link' && rt.gateway.ifIndex === ifp.index;
    if (rt.ifIndex === ifp.index || viaLink) rt6Remove(host, rt);
  }
  nd6Of(host, ifp).table.purge(() => true);
}

/** A new active link address: unsolicited neighbour advertisements with it. */
export function in6LinkActivated(host: Host, ifp: Ifnet): void {
  if (host.inet6 && ifp.up) nd6AnnounceLink(host, ifp);
}

/** nd6_timer's address pass: deprecate past pltime, remove past vltime. */
function nd6Timer(host: Host): void {
  for (const ifp of host.ifnets) {
    for (const ia of [...ifp.in6Addrs]) {
      const ageSeconds = (host.world.nowNs - ia.lifetimeBaseNs) / NS_PER_SECOND;
      if (ia.vltimeSeconds !== undefined && ageSeconds >= ia.vltimeSeconds) {
        in6DeleteAddress(host, ifp, ia.addr);
        continue;
      }
      if (ia.pltimeSeconds !== undefined && ageSeconds >= ia.pltimeSeconds) ia.flags.add('deprecated');
    }
  }
  for (const pass of in6Hooks.timer) pass(host);
}

/** Starts the periodic nd6 timer of a host with IPv6. */
export function nd6Start(host: Host): void {
  if (!host.inet6) return;
  const tick = (): void => {
    nd6Timer(host);
    host.world.after(host.sysctl['net.inet6.icmp6.nd6_prune'] * NS_PER_SECOND, tick);
  };
  host.world.after(host.sysctl['net.inet6.icmp6.nd6_prune'] * NS_PER_SECOND, tick);
}

/** Seconds of lifetime left, for ifconfig -L; undefined is infinite. */
export function in6LifetimeLeft(host: Host, ia: In6Ifaddr, which: 'pltime' | 'vltime'): number | undefined {
  const total = which === 'pltime' ? ia.pltimeSeconds : ia.vltimeSeconds;
  if (total === undefined) return undefined;
  const end = virtualNs(ia.lifetimeBaseNs + total * NS_PER_SECOND);
  return Math.max(0, Math.floor((end - host.world.nowNs) / NS_PER_SECOND));
}
