import { NS_PER_SECOND, virtualNs } from '../brand.ts';
import { type Errno, type ErrnoResult, fail, ok } from './errno.ts';
import type { Host } from './host.ts';
import type { Ifnet } from './ifnet.ts';
import { type InAddr, inSubnet, maskOf } from './inet.ts';
import type { RtEntry, RtFlag, RtGateway } from './route.ts';
import { type RtSockaddr, rtMsg } from './rtsock.ts';

/** What `route add` asks of the kernel (an RTM_ADD request). */
export interface RouteAddRequest {
  readonly dst: InAddr;
  readonly prefixLen: number;
  readonly gateway: RtGateway<InAddr>;
  readonly flags: readonly RtFlag[];
  /** -ifa: the source address to use. */
  readonly ifa?: InAddr;
  /** -ifp: the output interface. */
  readonly ifp?: Ifnet;
}

export function gatewaySockaddr(host: Host, gw: RtGateway<InAddr>): RtSockaddr {
  if (gw.kind === 'addr') return { kind: 'inet', addr: gw.addr };
  const ifName = host.ifByIndex(gw.ifIndex)?.name;
  return gw.mac === undefined
    ? { kind: 'link', ifIndex: gw.ifIndex, ...(ifName === undefined ? {} : { ifName }) }
    : { kind: 'link', ifIndex: gw.ifIndex, mac: gw.mac };
}

function announce(host: Host, type: 'RTM_ADD' | 'RTM_DELETE' | 'RTM_CHANGE', rt: RtEntry<InAddr>): void {
  const flags = new Set<RtFlag>(rt.flags);
  flags.add('DONE');
  if (type === 'RTM_DELETE') flags.delete('UP');
  const netmask: RtSockaddr | undefined = rt.flags.has('HOST')
    ? undefined
    : { kind: 'inet', addr: maskOf(rt.prefixLen) as InAddr };
  host.rtsock.send(
    rtMsg(type, flags, {
      DST: { kind: 'inet', addr: rt.dst },
      GATEWAY: gatewaySockaddr(host, rt.gateway),
      ...(netmask === undefined ? {} : { NETMASK: netmask }),
    }),
  );
}

/** ifa_ifwithroute: which interface and source address serve this gateway. */
function resolveIfa(host: Host, req: RouteAddRequest): { ifp: Ifnet; ifa: InAddr } | Errno {
  if (req.gateway.kind === 'link') {
    const ifp = req.ifp ?? host.ifByIndex(req.gateway.ifIndex);
    if (ifp === undefined) return 'ENETUNREACH';
    const first = ifp.inAddrs[0]?.addr ?? host.addrWithNet(req.dst)?.ia.addr;
    const ifa = req.ifa ?? first;
    return ifa === undefined ? 'ENETUNREACH' : { ifp, ifa };
  }
  const gw = req.gateway.addr;
  const own = host.ownAddr(gw);
  if (own !== undefined) return { ifp: req.ifp ?? own.ifp, ifa: req.ifa ?? gw };
  const onNet = host.addrWithNet(gw);
  if (onNet !== undefined) return { ifp: req.ifp ?? onNet.ifp, ifa: req.ifa ?? onNet.ia.addr };
  const viaRoute = host.rt4.lookup(gw);
  if (viaRoute === undefined || viaRoute.flags.has('GATEWAY')) return 'ENETUNREACH';
  const ifp = req.ifp ?? host.ifByIndex(viaRoute.ifIndex);
  return ifp === undefined ? 'ENETUNREACH' : { ifp, ifa: req.ifa ?? viaRoute.ifa };
}

/** rtrequest(RTM_ADD). */
export function rtAdd(host: Host, req: RouteAddRequest): ErrnoResult<RtEntry<InAddr>> {
  if (host.rt4.exact(req.dst, req.prefixLen) !== undefined) return fail('EEXIST');
  const where = resolveIfa(host, req);
  if (typeof where === 'string') return fail(where);
  const flags = new Set<RtFlag>(['UP', ...req.flags]);
  const rt: RtEntry<InAddr> = {
    dst: req.dst,
    prefixLen: req.prefixLen,
    gateway: req.gateway,
    flags,
    ifIndex: where.ifp.index,
    ifa: where.ifa,
    expireNs: undefined,
    timer: undefined,
  };
  host.rt4.insert(rt);
  announce(host, 'RTM_ADD', rt);
  return ok(rt);
}

/**
 * Frees the dynamic llentries a route covered: deleting or re-pointing a route to an
 * interface takes its neighbour cache with it (route.c rt_deleteentry -> lltable_prefix_free).
 */
function purgeCovered(host: Host, rt: RtEntry<InAddr>): void {
  if (rt.flags.has('GATEWAY') || rt.flags.has('LOCAL')) return;
  const ifp = host.ifByIndex(rt.ifIndex);
  ifp?.arp.purge((ln) => !ln.isStatic && inSubnet(ln.l3, rt.dst, rt.prefixLen));
}

/** rtrequest(RTM_DELETE) of a known entry. */
export function rtRemove(host: Host, rt: RtEntry<InAddr>): void {
  if (rt.timer !== undefined) host.world.cancel(rt.timer);
  rt.timer = undefined;
  host.rt4.remove(rt);
  purgeCovered(host, rt);
  announce(host, 'RTM_DELETE', rt);
}

/** `route delete`: the exact entry, or ESRCH. */
export function rtDelete(host: Host, dst: InAddr, prefixLen: number): ErrnoResult<RtEntry<InAddr>> {
  const rt = host.rt4.exact(dst, prefixLen);
  if (rt === undefined) return fail('ESRCH');
  rtRemove(host, rt);
  return ok(rt);
}

/** `route change`: new output interface and/or gateway for an existing entry. */
export function rtChange(
  host: Host,
  dst: InAddr,
  prefixLen: number,
  change: { readonly ifp?: Ifnet; readonly gateway?: RtGateway<InAddr> },
): ErrnoResult<RtEntry<InAddr>> {
  const rt = host.rt4.exact(dst, prefixLen);
  if (rt === undefined) return fail('ESRCH');
  purgeCovered(host, rt);
  if (change.gateway !== undefined) rt.gateway = change.gateway;
  if (change.ifp !== undefined) {
    rt.ifIndex = change.ifp.index;
    const ia = change.ifp.inAddrs.find((a) => inSubnet(rt.ifa, a.addr, a.prefixLen)) ?? change.ifp.inAddrs[0];
    if (ia !== undefined) rt.ifa = ia.addr;
    if (rt.gateway.kind === 'link') rt.gateway = { kind: 'link', ifIndex: change.ifp.index };
  }
  announce(host, 'RTM_CHANGE', rt);
  return ok(rt);
}

/** Arms the redirect route timer (ip_icmp.c icmp_redirect_timeout via rt_timer_add). */
function armRedirectTimer(host: Host, rt: RtEntry<InAddr>): void {
  const seconds = host.sysctl['net.inet.icmp.redirtimeout'];
  if (seconds === 0) return;
  const delayNs = seconds * NS_PER_SECOND;
  rt.expireNs = virtualNs(host.world.nowNs + delayNs);
  rt.timer = host.world.after(delayNs, () => {
    rt.timer = undefined;
    if (rt.flags.has('DYNAMIC') && rt.flags.has('HOST')) rtRemove(host, rt);
  });
}

/**
 * rtredirect (net/route.c): accept a redirect only from the current gateway for dst, to a
 * directly reachable gateway that is not ourselves; create a dynamic host route or smash
 * the gateway of an existing host route (MODIFIED).
 */
export function rtRedirect(host: Host, dst: InAddr, gateway: InAddr, src: InAddr): Errno | undefined {
  const onNet = host.addrWithNet(gateway);
  if (onNet === undefined) return 'ENETUNREACH';
  const rt = host.rt4.lookup(dst);
  if (rt !== undefined) {
    const fromCurrentRouter = rt.gateway.kind === 'addr' && rt.gateway.addr === src;
    if (!fromCurrentRouter || rt.ifa !== onNet.ia.addr) return 'EINVAL';
  }
  if (host.ownAddr(gateway) !== undefined) return 'EHOSTUNREACH';
  let error: Errno | undefined;
  if (rt === undefined || rt.prefixLen === 0 || (rt.flags.has('GATEWAY') && !rt.flags.has('HOST'))) {
    const added = rtAdd(host, {
      dst,
      prefixLen: 32,
      gateway: { kind: 'addr', addr: gateway },
      flags: ['GATEWAY', 'HOST', 'DYNAMIC'],
    });
    if (added.ok) armRedirectTimer(host, added.value);
    else error = added.error;
  } else if (rt.flags.has('GATEWAY')) {
    rt.flags.add('MODIFIED');
    rt.gateway = { kind: 'addr', addr: gateway };
  } else {
    error = 'EHOSTUNREACH';
  }
  const flags: RtFlag[] = ['GATEWAY', 'HOST', 'DONE'];
  host.rtsock.send(
    rtMsg('RTM_REDIRECT', flags, {
      DST: { kind: 'inet', addr: dst },
      GATEWAY: { kind: 'inet', addr: gateway },
      AUTHOR: { kind: 'inet', addr: src },
    }),
  );
  return error;
}
