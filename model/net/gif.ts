import { assert } from '../brand.ts';
import { checkTunnelNesting, type TunnelRef } from '../tunnel/nesting.ts';
import { type Errno, type ErrnoResult, fail, ok } from './errno.ts';
import type { Host } from './host.ts';
import type { Ifnet } from './ifnet.ts';
import { ifDetachHooks } from './ifops.ts';
import type { In6Addr } from './in6.ts';
import { formatInAddr, type InAddr } from './inet.ts';
import { ipInput, ipOutput, ipPacket, ipProtoHooks } from './ip.ts';
import { ip6Hooks, ip6Input, ip6LinkHooks, ip6Output, ip6Packet } from './ip6.ts';
import { rtAdd } from './rtops.ts';
import type { Ipv4Packet, Ipv6Packet } from './wire.ts';

/**
 * gif(4), the generic tunnel (net/if_gif.c, netinet/in_gif.c, netinet6/in6_gif.c): IPv4 or
 * IPv6 carried in IPv4 (protocol 4 / 41) or IPv6, between a configured source and destination.
 * Nested tunnels are bounded by the same if_tunnel_check_nesting the IPsec tunnel model uses
 * (model/tunnel/nesting.ts, NetBSD flavour), with max_gif_nesting = 1.
 */
export type TunnelEndpoint =
  | { readonly family: 'inet'; readonly addr: InAddr }
  | { readonly family: 'inet6'; readonly addr: In6Addr };

export interface GifTunnel {
  readonly src: TunnelEndpoint;
  readonly dst: TunnelEndpoint;
}

/** MAX_GIF_NEST (net/if_gif.h): one tunnel inside another at most. */
export const MAX_GIF_NEST = 1;
/** GIF_TTL / ip6_gif_hlim: the outer header's TTL and hop limit. */
export const GIF_TTL = 30;

const tunnels = new WeakMap<Ifnet, GifTunnel>();
/** The tunnels the packet being encapsulated right now has passed, innermost first (the mbuf tag). */
const passing: TunnelRef[] = [];

export function gifTunnel(ifp: Ifnet): GifTunnel | undefined {
  return tunnels.get(ifp);
}

const sameEndpoint = (a: TunnelEndpoint, b: TunnelEndpoint): boolean =>
  a.family === b.family && a.addr === b.addr;

function unitOf(ifp: Ifnet): TunnelRef {
  return { type: 'gif', unit: Number(ifp.name.replace(/^gif/, '')) };
}

/** SIOCSLIFPHYADDR: two tunnels with the same endpoints cannot coexist (gif_set_tunnel). */
export function gifSetTunnel(
  host: Host,
  ifp: Ifnet,
  src: TunnelEndpoint,
  dst: TunnelEndpoint,
): ErrnoResult<void> {
  if (ifp.kind !== 'gif') return fail('EINVAL');
  if (src.family !== dst.family) return fail('EINVAL');
  for (const other of host.ifnets) {
    const t = other !== ifp ? tunnels.get(other) : undefined;
    if (t !== undefined && sameEndpoint(t.src, src) && sameEndpoint(t.dst, dst)) return fail('EADDRNOTAVAIL');
  }
  tunnels.set(ifp, { src, dst });
  return ok(undefined);
}

/** SIOCDIFPHYADDR. */
export function gifDeleteTunnel(ifp: Ifnet): ErrnoResult<void> {
  if (ifp.kind !== 'gif') return fail('EINVAL');
  tunnels.delete(ifp);
  return ok(undefined);
}

/** The far end of a point-to-point IPv4 address: a host route to it through the interface. */
export function gifSetDstaddr4(host: Host, ifp: Ifnet, local: InAddr, dst: InAddr): ErrnoResult<void> {
  if (host.rt4.exact(dst, 32) !== undefined) return ok(undefined);
  const added = rtAdd(host, {
    dst,
    prefixLen: 32,
    gateway: { kind: 'link', ifIndex: ifp.index },
    flags: ['HOST'],
    ifa: local,
    ifp,
  });
  return added.ok ? ok(undefined) : fail(added.error);
}

/**
 * gif_output: check the nesting, wrap the packet in the outer header and send that through
 * the stack again (in_gif_output / in6_gif_output).
 */
function gifOutput(host: Host, ifp: Ifnet, inner: Ipv4Packet | Ipv6Packet): Errno | undefined {
  if (!ifp.up) return 'ENETDOWN';
  const tunnel = tunnels.get(ifp);
  if (tunnel === undefined) {
    ifp.counters.oerrors++;
    return 'ENETDOWN';
  }
  const nesting = checkTunnelNesting('netbsd', passing, unitOf(ifp), MAX_GIF_NEST);
  if (!nesting.verdict.ok) {
    host.log(`${ifp.name}: recursively called too many times(${nesting.verdict.count})`);
    ifp.counters.oerrors++;
    return nesting.verdict.errno;
  }
  ifp.counters.opackets++;
  passing.push(unitOf(ifp));
  try {
    const { src, dst } = tunnel;
    if (src.family === 'inet') {
      assert(dst.family === 'inet', 'gif_set_tunnel: both endpoints are of one family');
      return ipOutput(host, {
        ...ipPacket(host, src.addr, dst.addr, { proto: 'encap', inner }),
        ttl: GIF_TTL,
      });
    }
    assert(dst.family === 'inet6', 'gif_set_tunnel: both endpoints are of one family');
    return ip6Output(host, ip6Packet(host, src.addr, dst.addr, { proto: 'encap', inner }, GIF_TTL));
  } finally {
    passing.pop();
  }
}

/** gif_input via encap_lookup: the tunnel whose endpoints are the outer header's, reversed. */
function gifInput(host: Host, outer: Ipv4Packet | Ipv6Packet, inner: Ipv4Packet | Ipv6Packet): void {
  const local: TunnelEndpoint =
    outer.kind === 'ipv4' ? { family: 'inet', addr: outer.dst } : { family: 'inet6', addr: outer.dst };
  const remote: TunnelEndpoint =
    outer.kind === 'ipv4' ? { family: 'inet', addr: outer.src } : { family: 'inet6', addr: outer.src };
  const ifp = host.ifnets.find((i) => {
    const t = tunnels.get(i);
    return i.up && t !== undefined && sameEndpoint(t.src, local) && sameEndpoint(t.dst, remote);
  });
  if (ifp === undefined) return;
  ifp.counters.ipackets++;
  if (inner.kind === 'ipv4') ipInput(host, ifp, inner, false);
  else ip6Input(host, ifp, inner, false);
}

export function formatTunnel(t: GifTunnel): string {
  const text = (e: TunnelEndpoint): string => (e.family === 'inet' ? formatInAddr(e.addr) : e.addr);
  return `${t.src.family === 'inet' ? 'inet' : 'inet6'} ${text(t.src)} --> ${text(t.dst)}`;
}

ipProtoHooks.linkOutput = (host, ifp, pkt) => (ifp.kind === 'gif' ? gifOutput(host, ifp, pkt) : 'not-mine');
ipProtoHooks.encapInput = (host, _ifp, pkt) => {
  if (pkt.body.proto === 'encap') gifInput(host, pkt, pkt.body.inner);
};
ip6LinkHooks.output = (host, ifp, pkt) => (ifp.kind === 'gif' ? gifOutput(host, ifp, pkt) : 'not-mine');
ip6Hooks.encapInput = (host, _ifp, pkt) => {
  if (pkt.body.proto === 'encap') gifInput(host, pkt, pkt.body.inner);
};
ifDetachHooks.push((_host, ifp) => {
  tunnels.delete(ifp);
});
