import { assert, NS_PER_SECOND, virtualNs } from '../brand.ts';
import { type Errno, type ErrnoResult, fail, ok } from './errno.ts';
import type { Host } from './host.ts';
import type { Ifnet } from './ifnet.ts';
import { type In6Addr, in6InPrefix, in6MaskOf, in6Unembed, isLinkScope6 } from './in6.ts';
import { in6OwnAddr, in6SelectSrc } from './in6var.ts';
import { nd6Of } from './nd6.ts';
import type { RtEntry, RtFlag, RtGateway } from './route.ts';
import { type RtSockaddr, rtMsg } from './rtsock.ts';

/**
 * The IPv6 routing table operations (net/route.c rtrequest on AF_INET6). Destinations and
 * gateways of link-scoped addresses carry their zone embedded (KAME), so `fe80::1%shmif0` and
 * `fe80::1%shmif1` are different keys.
 */
export interface Route6AddRequest {
  /** Destination, zone embedded. */
  readonly dst: In6Addr;
  readonly prefixLen: number;
  /** Gateway; an address gateway has its zone embedded. */
  readonly gateway: RtGateway<In6Addr>;
  readonly flags: readonly RtFlag[];
  readonly ifp?: Ifnet;
  readonly ifa?: In6Addr;
}

/** `fe80::1%shmif0` for an embedded link-scoped address; global ones unchanged. */
export function formatIn6Scoped(host: Host, key: In6Addr): string {
  const { addr, zone } = in6Unembed(key);
  if (zone === 0) return addr;
  return `${addr}%${host.ifByIndex(zone)?.name ?? zone}`;
}

export function gateway6Sockaddr(host: Host, gw: RtGateway<In6Addr>): RtSockaddr {
  if (gw.kind === 'addr') return { kind: 'inet6', text: formatIn6Scoped(host, gw.addr) };
  const ifName = host.ifByIndex(gw.ifIndex)?.name;
  return gw.mac === undefined
    ? { kind: 'link', ifIndex: gw.ifIndex, ...(ifName === undefined ? {} : { ifName }) }
    : { kind: 'link', ifIndex: gw.ifIndex, mac: gw.mac };
}

function announce(host: Host, type: 'RTM_ADD' | 'RTM_DELETE' | 'RTM_CHANGE', rt: RtEntry<In6Addr>): void {
  const flags = new Set<RtFlag>(rt.flags);
  flags.add('DONE');
  if (type === 'RTM_DELETE') flags.delete('UP');
  host.rtsock.send(
    rtMsg(type, flags, {
      DST: { kind: 'inet6', text: formatIn6Scoped(host, rt.dst) },
      GATEWAY: gateway6Sockaddr(host, rt.gateway),
      ...(rt.flags.has('HOST') ? {} : { NETMASK: { kind: 'inet6' as const, text: in6MaskOf(rt.prefixLen) } }),
    }),
  );
}

/** ifa_ifwithroute for AF_INET6: the interface and source address that serve a gateway. */
function resolveIfa(host: Host, req: Route6AddRequest): { ifp: Ifnet; ifa: In6Addr } | Errno {
  if (req.gateway.kind === 'link') {
    const ifp = req.ifp ?? host.ifByIndex(req.gateway.ifIndex);
    if (ifp === undefined) return 'ENETUNREACH';
    const ifa = req.ifa ?? ifp.in6Addrs.find((a) => !a.linkLocal)?.addr ?? ifp.in6Addrs[0]?.addr;
    return ifa === undefined ? 'ENETUNREACH' : { ifp, ifa };
  }
  const { addr, zone } = in6Unembed(req.gateway.addr);
  // A gateway that is one of our addresses (a tunnel's own end) routes through its interface.
  const own = in6OwnAddr(host, addr, zone);
  if (own !== undefined) return { ifp: req.ifp ?? own.ifp, ifa: req.ifa ?? addr };
  // Interface indexes start at 1 (lo0): zone 0, a global address, names no interface.
  let ifp = req.ifp ?? host.ifByIndex(zone);
  if (ifp === undefined) {
    const via = host.rt6.lookup(req.gateway.addr);
    if (via === undefined || via.flags.has('GATEWAY')) return 'ENETUNREACH';
    ifp = host.ifByIndex(via.ifIndex);
    // if_detach removes every route on the interface (ifops.ts ifDestroy).
    assert(ifp !== undefined, 'rt6: a route names a live interface');
  }
  const ifa =
    req.ifa ?? in6SelectSrc(host, isLinkScope6(req.dst) ? req.dst : addr, ifp) ?? ifp.in6Addrs[0]?.addr;
  return ifa === undefined ? 'ENETUNREACH' : { ifp, ifa };
}

/** rtrequest(RTM_ADD). */
export function rt6Add(host: Host, req: Route6AddRequest): ErrnoResult<RtEntry<In6Addr>> {
  if (host.rt6.exact(req.dst, req.prefixLen) !== undefined) return fail('EEXIST');
  const where = resolveIfa(host, req);
  if (typeof where === 'string') return fail(where);
  const rt: RtEntry<In6Addr> = {
    dst: req.dst,
    prefixLen: req.prefixLen,
    gateway: req.gateway,
    flags: new Set<RtFlag>(['UP', ...req.flags]),
    ifIndex: where.ifp.index,
    ifa: where.ifa,
    expireNs: undefined,
    timer: undefined,
  };
  host.rt6.insert(rt);
  announce(host, 'RTM_ADD', rt);
  return ok(rt);
}

/** Deleting or re-pointing a route to an interface frees the neighbour entries it covered. */
function purgeCovered(host: Host, rt: RtEntry<In6Addr>): void {
  if (rt.flags.has('GATEWAY') || rt.flags.has('LOCAL')) return;
  const ifp = host.ifByIndex(rt.ifIndex);
  assert(ifp !== undefined, 'rt6: a route names a live interface');
  if (ifp.kind === 'loop') return;
  const { addr: net } = in6Unembed(rt.dst);
  nd6Of(host, ifp).table.purge((ln) => !ln.isStatic && in6InPrefix(ln.l3, net, rt.prefixLen));
}

/** rtrequest(RTM_DELETE) of a known entry. */
export function rt6Remove(host: Host, rt: RtEntry<In6Addr>): void {
  if (rt.timer !== undefined) host.world.cancel(rt.timer);
  rt.timer = undefined;
  host.rt6.remove(rt);
  purgeCovered(host, rt);
  announce(host, 'RTM_DELETE', rt);
}

export function rt6Delete(host: Host, dst: In6Addr, prefixLen: number): ErrnoResult<RtEntry<In6Addr>> {
  const rt = host.rt6.exact(dst, prefixLen);
  if (rt === undefined) return fail('ESRCH');
  rt6Remove(host, rt);
  return ok(rt);
}

/** `route change -ifp`: a new output interface (and source address) for an entry. */
export function rt6Change(
  host: Host,
  dst: In6Addr,
  prefixLen: number,
  change: { readonly ifp?: Ifnet },
): ErrnoResult<RtEntry<In6Addr>> {
  const rt = host.rt6.exact(dst, prefixLen);
  if (rt === undefined) return fail('ESRCH');
  purgeCovered(host, rt);
  if (change.ifp !== undefined) {
    rt.ifIndex = change.ifp.index;
    const ia = change.ifp.in6Addrs.find((a) => !a.linkLocal) ?? change.ifp.in6Addrs[0];
    if (ia !== undefined) rt.ifa = ia.addr;
    if (rt.gateway.kind === 'link') rt.gateway = { kind: 'link', ifIndex: change.ifp.index };
  }
  announce(host, 'RTM_CHANGE', rt);
  return ok(rt);
}

/**
 * icmp6_redirect_input -> rtredirect: a dynamic host route to the better first hop, removed
 * after net.inet6.icmp6.redirtimeout seconds (icmp6_redirect_timeout_q), or a MODIFIED gateway
 * on an existing host route.
 */
export function rt6Redirect(host: Host, dst: In6Addr, gateway: In6Addr, author: In6Addr): void {
  const rt = host.rt6.lookup(dst);
  if (rt?.flags.has('HOST') && rt.flags.has('GATEWAY') && rt.prefixLen === 128) {
    rt.flags.add('MODIFIED');
    rt.gateway = { kind: 'addr', addr: gateway };
  } else {
    const added = rt6Add(host, {
      dst,
      prefixLen: 128,
      gateway: { kind: 'addr', addr: gateway },
      flags: ['GATEWAY', 'HOST', 'DYNAMIC'],
    });
    if (!added.ok) return;
    armRedirectTimer(host, added.value);
  }
  host.rtsock.send(
    rtMsg('RTM_REDIRECT', ['GATEWAY', 'HOST', 'DONE'], {
      DST: { kind: 'inet6', text: formatIn6Scoped(host, dst) },
      GATEWAY: { kind: 'inet6', text: formatIn6Scoped(host, gateway) },
      AUTHOR: { kind: 'inet6', text: formatIn6Scoped(host, author) },
    }),
  );
}

function armRedirectTimer(host: Host, rt: RtEntry<In6Addr>): void {
  const seconds = host.sysctl['net.inet6.icmp6.redirtimeout'];
  if (seconds === 0) return;
  const delayNs = seconds * NS_PER_SECOND;
  rt.expireNs = virtualNs(host.world.nowNs + delayNs);
  rt.timer = host.world.after(delayNs, () => {
    rt.timer = undefined;
    if (host.rt6.entries.includes(rt) && rt.flags.has('DYNAMIC')) rt6Remove(host, rt);
  });
}
