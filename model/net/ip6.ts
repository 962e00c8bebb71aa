import { assert, assertNever } from '../brand.ts';
import { type Errno, type ErrnoResult, fail, ok } from './errno.ts';
import { etherHooks, etherTransmit } from './ether.ts';
import { ip6LengthBytes } from './frame.ts';
import type { Host } from './host.ts';
import type { Ifnet } from './ifnet.ts';
import {
  IN6_ANY,
  type In6Addr,
  in6Embed,
  in6MulticastMacOctets,
  in6Unembed,
  isLinkLocal6,
  isLinkScope6,
  isMulticast6,
} from './in6.ts';
import { in6IsMember, in6IsNeighbor, in6IsReady, in6OwnAddr, in6SelectSrc, inet6Of } from './in6var.ts';
import { ND6_HOP_LIMIT } from './knobs6.ts';
import { macOf } from './mac.ts';
import { nd6CacheLladdr, nd6NaInput, nd6NsInput, nd6Of, nd6Resolve } from './nd6.ts';
import { nd6Hooks } from './nd6hooks.ts';
import type { RtEntry } from './route.ts';
import { rt6Redirect } from './rt6ops.ts';
import { rtMsg } from './rtsock.ts';
import type { Icmp6Message, Ipv6Packet } from './wire.ts';
import { LOOP_LATENCY_NS } from './world.ts';

/** Options of one ip6_output call. */
export interface Ip6OutputOptions {
  /** Zone (interface index) of a link-scoped destination, or the interface of a multicast. */
  readonly zone?: number;
  /** Zone of a link-local source the sender bound (ping6 -S fe80::1%shmif1). */
  readonly srcZone?: number;
}

/** Extra protocol input, by body kind (gif registers the tunnel input). */
export const ip6Hooks: {
  encapInput: (host: Host, ifp: Ifnet, pkt: Ipv6Packet) => void;
  tcpInput: (host: Host, pkt: Ipv6Packet) => void;
  raInput: (host: Host, ifp: Ifnet, pkt: Ipv6Packet, ra: Extract<Icmp6Message, { type: 'ra' }>) => void;
} = {
  encapInput: () => undefined,
  tcpInput: () => undefined,
  raInput: () => undefined,
};

/** A packet from this host with the default hop limit. */
export function ip6Packet(
  host: Host,
  src: In6Addr,
  dst: In6Addr,
  body: Ipv6Packet['body'],
  hlim?: number,
): Ipv6Packet {
  return { kind: 'ipv6', src, dst, hlim: hlim ?? host.sysctl['net.inet6.ip6.hlim'], body };
}

function reportMiss(host: Host, dstKey: In6Addr): void {
  host.rtsock.send(rtMsg('RTM_MISS', ['DONE'], { DST: { kind: 'inet6', text: in6Unembed(dstKey).addr } }));
}

/** looutput for a packet to one of our own addresses: it comes back in on the address's link. */
function loop6Output(host: Host, pkt: Ipv6Packet, zoneIfp: Ifnet): void {
  const lo = host.lo0;
  const bytes = ip6LengthBytes(pkt);
  lo.counters.opackets++;
  lo.counters.obytes += bytes;
  host.world.after(LOOP_LATENCY_NS, () => {
    lo.counters.ipackets++;
    lo.counters.ibytes += bytes;
    ip6InputLocal(host, zoneIfp, pkt, false);
  });
}

function multicastOutput(host: Host, pkt: Ipv6Packet, zone: number): Errno | undefined {
  const ifp = host.ifByIndex(zone);
  if (ifp === undefined) return 'ENETUNREACH';
  if (!ifp.up) return 'ENETDOWN';
  const src = pkt.src === IN6_ANY ? (in6SelectSrc(host, pkt.dst, ifp) ?? IN6_ANY) : pkt.src;
  etherTransmit(host, ifp, macOf(in6MulticastMacOctets(pkt.dst)), { ...pkt, src });
  return undefined;
}

/**
 * The source a packet leaves with: a selected one for ::, else its own after the check of a
 * bound link-local's zone. A forwarded packet passes unchanged: ip6_forward drops :: sources and
 * sends a link-local one only back out its own link, with no bound zone.
 */
function outputSource(
  host: Host,
  pkt: Ipv6Packet,
  outIfp: Ifnet,
  opts: Ip6OutputOptions,
): ErrnoResult<In6Addr> {
  if (pkt.src === IN6_ANY) {
    const selected = in6SelectSrc(host, pkt.dst, outIfp);
    return selected === undefined ? fail('EADDRNOTAVAIL') : ok(selected);
  }
  // ip6_output's scope check: a link-local source only leaves through its own link.
  if (isLinkLocal6(pkt.src) && (opts.srcZone ?? outIfp.index) !== outIfp.index) return fail('EHOSTUNREACH');
  return ok(pkt.src);
}

/**
 * ip6_output: multicast straight out the given interface; unicast by route lookup (zone
 * embedded for link-scoped destinations), then lo0 for our own addresses or neighbour
 * resolution on the outgoing link. Answers the errno sendmsg sees.
 */
export function ip6Output(host: Host, pkt: Ipv6Packet, opts: Ip6OutputOptions = {}): Errno | undefined {
  const zone = isLinkScope6(pkt.dst) ? (opts.zone ?? 0) : 0;
  if (isMulticast6(pkt.dst)) return multicastOutput(host, pkt, zone);
  if (isLinkScope6(pkt.dst) && zone === 0) return 'EHOSTUNREACH';
  const dstKey = in6Embed(pkt.dst, zone);
  const rt = host.rt6.lookup(dstKey);
  if (rt === undefined) {
    reportMiss(host, dstKey);
    return 'EHOSTUNREACH';
  }
  if (rt.flags.has('REJECT')) return 'EHOSTUNREACH';
  const outIfp = host.ifByIndex(rt.ifIndex);
  assert(
    outIfp !== undefined,
    'ip6_output: a route names an attached interface (if_detach removes its routes)',
  );
  if (rt.flags.has('BLACKHOLE')) return undefined;
  if (!outIfp.up) return 'ENETDOWN';
  const linkIfp =
    outIfp.kind === 'loop' && rt.gateway.kind === 'link'
      ? (host.ifByIndex(rt.gateway.ifIndex) ?? outIfp)
      : outIfp;
  const src = outputSource(host, pkt, linkIfp, opts);
  if (!src.ok) return src.error;
  const out: Ipv6Packet = { ...pkt, src: src.value };
  if (outIfp.kind === 'loop') {
    loop6Output(host, out, linkIfp);
    return undefined;
  }
  return ip6LinkOutput(host, outIfp, rt, out);
}

/** nd6_output on an Ethernet-like link, or the interface's own output (gif). */
function ip6LinkOutput(host: Host, outIfp: Ifnet, rt: RtEntry<In6Addr>, pkt: Ipv6Packet): Errno | undefined {
  const custom = ip6LinkHooks.output(host, outIfp, pkt);
  if (custom !== 'not-mine') return custom;
  const resolved = nd6Resolve(host, outIfp, gatewayOf(rt) ?? pkt.dst, pkt);
  if (resolved.kind === 'resolved') etherTransmit(host, outIfp, resolved.lladdr, pkt);
  return undefined;
}

/** The first hop of an RTF_GATEWAY route, zone cleared; undefined for a route to the link. */
function gatewayOf(rt: RtEntry<In6Addr>): In6Addr | undefined {
  return rt.flags.has('GATEWAY') && rt.gateway.kind === 'addr' ? in6Unembed(rt.gateway.addr).addr : undefined;
}

/** Interfaces with their own IPv6 output (gif): answer 'not-mine' to fall back to Ethernet. */
export const ip6LinkHooks: {
  output: (host: Host, ifp: Ifnet, pkt: Ipv6Packet) => Errno | undefined | 'not-mine';
} = {
  output: () => 'not-mine',
};

/** ip6_input: our address (or a group we joined) is delivered, the rest forwarded if enabled. */
export function ip6Input(host: Host, ifp: Ifnet, pkt: Ipv6Packet, _linkMulticast: boolean): void {
  if (!host.inet6 || isMulticast6(pkt.src)) return;
  if (isMulticast6(pkt.dst)) {
    if (in6IsMember(host, ifp, pkt.dst)) ip6InputLocal(host, ifp, pkt, true);
    return;
  }
  const own = in6OwnAddr(host, pkt.dst, ifp.index);
  if (own !== undefined) {
    if (in6IsReady(own.ia)) ip6InputLocal(host, ifp, pkt, false);
    return;
  }
  if (host.sysctl['net.inet6.ip6.forwarding'] === 1) ip6Forward(host, ifp, pkt);
}

function ip6InputLocal(host: Host, ifp: Ifnet, pkt: Ipv6Packet, multicast: boolean): void {
  if (pkt.body.proto === 'encap') {
    ip6Hooks.encapInput(host, ifp, pkt);
    return;
  }
  if (pkt.body.proto === 'tcp') {
    if (!multicast) ip6Hooks.tcpInput(host, pkt);
    return;
  }
  icmp6Input(host, ifp, pkt, pkt.body.icmp6, multicast);
}

function icmp6Input(host: Host, ifp: Ifnet, pkt: Ipv6Packet, icmp: Icmp6Message, multicast: boolean): void {
  const state = inet6Of(host);
  for (const listener of [...state.icmp6Listeners]) {
    listener({ from: pkt.src, to: pkt.dst, zone: ifp.index, hlim: pkt.hlim, icmp6: icmp });
  }
  switch (icmp.type) {
    case 'echo-request': {
      const src = multicast ? IN6_ANY : pkt.dst;
      const reply: Icmp6Message = { ...icmp, type: 'echo-reply' };
      ip6Output(host, ip6Packet(host, src, pkt.src, { proto: 'icmp6', icmp6: reply }), {
        zone: ifp.index,
        srcZone: ifp.index,
      });
      return;
    }
    case 'ns':
      nd6NsInput(host, ifp, pkt, icmp);
      return;
    case 'na':
      nd6NaInput(host, ifp, pkt, icmp);
      return;
    case 'redirect':
      state.stats.inRedirect++;
      icmp6RedirectInput(host, ifp, pkt, icmp);
      return;
    case 'ra':
      state.stats.inRouterAdvert++;
      ip6Hooks.raInput(host, ifp, pkt, icmp);
      return;
    case 'rs':
    case 'echo-reply':
    case 'time-exceeded':
    case 'unreach':
      return;
    default:
      assertNever(icmp);
  }
}

/**
 * icmp6_error: an error about `offending` back to its source; never about an error or an ND
 * message, never to a multicast or unspecified source, never for a multicast destination.
 */
export function icmp6Error(
  host: Host,
  rcvIfp: Ifnet | undefined,
  offending: Ipv6Packet,
  make: (q: Ipv6Packet) => Icmp6Message,
): void {
  const body = offending.body;
  if (body.proto === 'icmp6' && body.icmp6.type !== 'echo-request' && body.icmp6.type !== 'echo-reply')
    return;
  if (isMulticast6(offending.dst) || offending.src === IN6_ANY || isMulticast6(offending.src)) return;
  const zone = rcvIfp?.index ?? 0;
  ip6Output(host, ip6Packet(host, IN6_ANY, offending.src, { proto: 'icmp6', icmp6: make(offending) }), {
    zone,
  });
}

/** ip6_forward: hop limit, route, the scope rules, the redirect to the sender, then output. */
function ip6Forward(host: Host, rcvIfp: Ifnet, pkt: Ipv6Packet): void {
  if (pkt.src === IN6_ANY) return;
  if (pkt.hlim <= 1) {
    icmp6Error(host, rcvIfp, pkt, (quoted) => ({ type: 'time-exceeded', quoted }));
    return;
  }
  const dstZone = isLinkScope6(pkt.dst) ? rcvIfp.index : 0;
  const rt = host.rt6.lookup(in6Embed(pkt.dst, dstZone));
  if (rt === undefined) {
    icmp6Error(host, rcvIfp, pkt, (quoted) => ({ type: 'unreach', code: 'noroute', quoted }));
    return;
  }
  const outIfp = host.ifByIndex(rt.ifIndex);
  assert(
    outIfp !== undefined,
    'ip6_forward: a route names an attached interface (if_detach removes its routes)',
  );
  if (outIfp.kind === 'loop') return;
  // A link-local source may not leave its link (RFC 4007 9): beyond scope of source address.
  if (isLinkLocal6(pkt.src) && outIfp !== rcvIfp) {
    icmp6Error(host, rcvIfp, pkt, (quoted) => ({ type: 'unreach', code: 'beyondscope', quoted }));
    return;
  }
  if (dstZone !== 0 && outIfp !== rcvIfp) return;
  const redirect =
    outIfp === rcvIfp &&
    host.sysctl['net.inet6.ip6.redirect'] === 1 &&
    !rt.flags.has('DYNAMIC') &&
    !rt.flags.has('MODIFIED');
  const error = ip6Output(host, { ...pkt, hlim: pkt.hlim - 1 }, { zone: dstZone });
  if (error === undefined && redirect) icmp6RedirectOutput(host, rcvIfp, pkt, rt);
}

/**
 * icmp6_redirect_output (RFC 4861 8.2): tell an on-link sender about a better first hop, from
 * our link-local address, with the target's link-layer address when we know it.
 */
function icmp6RedirectOutput(host: Host, ifp: Ifnet, pkt: Ipv6Packet, rt: RtEntry<In6Addr>): void {
  if (!in6IsNeighbor(ifp, pkt.src)) return;
  const gateway = gatewayOf(rt);
  if (gateway !== undefined && !isLinkLocal6(gateway)) return;
  const target = gateway ?? pkt.dst;
  const src = ifp.in6Addrs.find((a) => a.linkLocal && in6IsReady(a))?.addr;
  if (src === undefined) return;
  const ln = nd6Of(host, ifp).table.lookup(target);
  // An entry still being resolved has no link address yet (nd_resolve clears it).
  const tllao = ln?.lladdr;
  const icmp6: Icmp6Message = { type: 'redirect', target, dst: pkt.dst, tllao, quoted: pkt };
  inet6Of(host).stats.outRedirect++;
  ip6Output(host, ip6Packet(host, src, pkt.src, { proto: 'icmp6', icmp6 }, ND6_HOP_LIMIT), {
    zone: ifp.index,
    srcZone: ifp.index,
  });
}

/** icmp6_redirect_input (RFC 4861 8.1): only from our current first hop for dst, from its link-local. */
function icmp6RedirectInput(
  host: Host,
  ifp: Ifnet,
  pkt: Ipv6Packet,
  icmp: Extract<Icmp6Message, { type: 'redirect' }>,
): void {
  if (host.sysctl['net.inet6.icmp6.rediraccept'] === 0 || host.sysctl['net.inet6.ip6.forwarding'] === 1)
    return;
  if (pkt.hlim !== ND6_HOP_LIMIT || !isLinkLocal6(pkt.src)) return;
  const dstKey = in6Embed(icmp.dst, isLinkScope6(icmp.dst) ? ifp.index : 0);
  const current = host.rt6.lookup(dstKey);
  const author = in6Embed(pkt.src, ifp.index);
  if (
    current === undefined ||
    !current.flags.has('GATEWAY') ||
    current.gateway.kind !== 'addr' ||
    current.gateway.addr !== author
  )
    return;
  const isRouter = icmp.target !== icmp.dst;
  if (isRouter && !isLinkLocal6(icmp.target)) return;
  if (isRouter) rt6Redirect(host, dstKey, in6Embed(icmp.target, ifp.index), author);
  nd6CacheLladdr(host, ifp, icmp.target, icmp.tllao, isRouter);
}

etherHooks.ip6Input = ip6Input;
nd6Hooks.ip6Output = (host, pkt, opts) => ip6Output(host, pkt, opts);
nd6Hooks.icmp6Error = icmp6Error;
