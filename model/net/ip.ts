import type { Errno } from './errno.ts';
import { etherHooks, etherTransmit, loopOutput } from './ether.ts';
import type { Host } from './host.ts';
import type { Ifnet } from './ifnet.ts';
import { type InAddr, inSubnet } from './inet.ts';
import { ETHER_BROADCAST } from './mac.ts';
import type { RtEntry } from './route.ts';
import { rtRedirect } from './rtops.ts';
import { rtMsg } from './rtsock.ts';
import type { IcmpMessage, Ipv4Packet } from './wire.ts';

/** TTL of ICMP messages the kernel generates (icmp_reflect sets MAXTTL). */
const MAXTTL = 255;

/** Transport input hooks, set by the transport modules when loaded (ip_protox in the kernel). */
export const ipProtoHooks: {
  tcpInput: (host: Host, pkt: Ipv4Packet) => void;
  /** Tunnel input (gif, set by gif.ts). */
  encapInput: (host: Host, ifp: Ifnet, pkt: Ipv4Packet) => void;
  /** Output of interfaces that are not Ethernet (gif): 'not-mine' falls through to ARP. */
  linkOutput: (host: Host, ifp: Ifnet, pkt: Ipv4Packet) => Errno | undefined | 'not-mine';
} = {
  tcpInput: () => undefined,
  encapInput: () => undefined,
  linkOutput: () => 'not-mine',
};

/** Options of one ip_output call. */
export interface IpOutputOptions {
  /** IP_FORWARDING: a forwarded packet keeps its source. */
  readonly forwarding?: boolean;
  /** IP_ALLOWBROADCAST (SO_BROADCAST, or directed-broadcast forwarding). */
  readonly allowBroadcast?: boolean;
}

/** Addresses that may not receive: tentative, duplicated or detached (IN_IFF_NOTREADY). */
function isReady(host: Host, addr: InAddr): boolean {
  const own = host.ownAddr(addr);
  return own !== undefined && own.ia.flags.size === 0;
}

/** rt_check_reject_route (net/route.c): the errno a reject route gives on this ifp. */
function rejectErrno(rt: RtEntry<InAddr>, ifp: Ifnet): Errno | undefined {
  if (!rt.flags.has('REJECT')) return undefined;
  if (ifp.kind === 'loop') return rt.flags.has('HOST') ? 'EHOSTUNREACH' : 'ENETUNREACH';
  return rt.flags.has('GATEWAY') ? 'EHOSTUNREACH' : 'EHOSTDOWN';
}

/** Reports a failed lookup on the routing socket (rtalloc1 -> rt_missmsg). */
function reportMiss(host: Host, dst: InAddr): void {
  host.rtsock.send(rtMsg('RTM_MISS', ['DONE'], { DST: { kind: 'inet', addr: dst } }));
}

/**
 * ip_output: route lookup, reject/blackhole handling, source selection, broadcast rules,
 * then out the interface (lo0 or ARP resolution on Ethernet). Answers the errno sendto sees.
 */
export function ipOutput(host: Host, pkt: Ipv4Packet, opts: IpOutputOptions = {}): Errno | undefined {
  const rt = host.rt4.lookup(pkt.dst);
  if (rt === undefined) {
    reportMiss(host, pkt.dst);
    return 'EHOSTUNREACH';
  }
  const ifp = host.ifByIndex(rt.ifIndex);
  if (ifp === undefined) return 'EHOSTUNREACH';
  const reject = rejectErrno(rt, ifp);
  if (reject !== undefined) return reject;
  if (!ifp.up) return 'ENETDOWN';
  const src = opts.forwarding || pkt.src !== 0 ? pkt.src : rt.ifa;
  const out: Ipv4Packet = { ...pkt, src };
  if (ifp.kind === 'loop') {
    // looutput drops blackhole routes silently (the sender sees no error).
    if (!rt.flags.has('BLACKHOLE')) loopOutput(host, out);
    return undefined;
  }
  if (rt.flags.has('BLACKHOLE')) return undefined;
  if (host.isBroadcastOn(ifp, out.dst)) {
    if (!opts.allowBroadcast) return 'EACCES';
    etherTransmit(host, ifp, ETHER_BROADCAST, out);
    return undefined;
  }
  const nextHop = rt.flags.has('GATEWAY') && rt.gateway.kind === 'addr' ? rt.gateway.addr : out.dst;
  const custom = ipProtoHooks.linkOutput(host, ifp, out);
  if (custom !== 'not-mine') return custom;
  if (ifp.noarp) return undefined;
  const resolved = ifp.arp.resolve(nextHop, out);
  if (resolved.kind === 'resolved') etherTransmit(host, ifp, resolved.lladdr, out);
  return undefined;
}

/** Builds a packet from this host with the default TTL. */
export function ipPacket(
  host: Host,
  src: InAddr,
  dst: InAddr,
  body: Ipv4Packet['body'],
  ttl?: number,
): Ipv4Packet {
  return { kind: 'ipv4', src, dst, ttl: ttl ?? host.sysctl['net.inet.ip.ttl'], id: host.nextIpId(), body };
}

/** ip_input: local delivery (weak host model), else forwarding when enabled. */
export function ipInput(host: Host, ifp: Ifnet, pkt: Ipv4Packet, linkBroadcast: boolean): void {
  const toBroadcast = host.isBroadcastOn(ifp, pkt.dst);
  const ours = toBroadcast || (host.ownAddr(pkt.dst) !== undefined && isReady(host, pkt.dst));
  if (!ours) {
    if (host.sysctl['net.inet.ip.forwarding'] === 1 && !linkBroadcast) ipForward(host, ifp, pkt);
    return;
  }
  if (pkt.body.proto === 'tcp') {
    ipProtoHooks.tcpInput(host, pkt);
    return;
  }
  if (pkt.body.proto === 'encap') {
    ipProtoHooks.encapInput(host, ifp, pkt);
    return;
  }
  icmpInput(host, ifp, pkt, linkBroadcast || toBroadcast, pkt.body.icmp);
}

/** icmp_reflect's source: the destination if it was ours, else the receiving interface's address. */
function reflectSource(host: Host, ifp: Ifnet, pkt: Ipv4Packet): InAddr | undefined {
  if (host.ownAddr(pkt.dst) !== undefined) return pkt.dst;
  const onNet = ifp.inAddrs.find((a) => inSubnet(pkt.src, a.addr, a.prefixLen)) ?? ifp.inAddrs[0];
  return onNet?.addr;
}

function icmpInput(host: Host, ifp: Ifnet, pkt: Ipv4Packet, broadcast: boolean, icmp: IcmpMessage): void {
  for (const listener of [...host.icmpListeners])
    listener({ from: pkt.src, to: pkt.dst, ttl: pkt.ttl, icmp });
  switch (icmp.type) {
    case 'echo-request': {
      // icmpbmcastecho: answer broadcast echo only when enabled (ip_icmp.c icmp_input).
      if (broadcast && host.sysctl['net.inet.icmp.bmcastecho'] === 0) return;
      const src = reflectSource(host, ifp, pkt);
      if (src === undefined) return;
      const reply: IcmpMessage = { ...icmp, type: 'echo-reply' };
      ipOutput(host, ipPacket(host, src, pkt.src, { proto: 'icmp', icmp: reply }, MAXTTL));
      return;
    }
    case 'redirect':
      // ip_icmp.c icmp_input: rediraccept gates rtredirect; the gateway is the redirect's sender.
      if (host.sysctl['net.inet.icmp.rediraccept'] === 1)
        rtRedirect(host, icmp.quoted.dst, icmp.gateway, pkt.src);
      return;
    case 'echo-reply':
    case 'time-exceeded':
    case 'unreach':
      return;
    default:
      assertNeverIcmp(icmp);
  }
}

/**
 * icmp_error: an error about `offending` back to its source. Never about an ICMP error,
 * never about a broadcast (RFC 1122 3.2.2).
 */
export function icmpError(
  host: Host,
  rcvIfp: Ifnet | undefined,
  offending: Ipv4Packet,
  make: (q: Ipv4Packet) => IcmpMessage,
): void {
  if (offending.body.proto === 'icmp' && !['echo-request', 'echo-reply'].includes(offending.body.icmp.type))
    return;
  const src = rcvIfp === undefined ? offending.dst : reflectSource(host, rcvIfp, offending);
  if (src === undefined) return;
  ipOutput(host, ipPacket(host, src, offending.src, { proto: 'icmp', icmp: make(offending) }, MAXTTL));
}

/** Should forwarding this packet out rt also redirect its sender (ip_input.c ip_forward)? */
function redirectGateway(
  host: Host,
  rcvIfp: Ifnet,
  rt: RtEntry<InAddr>,
  pkt: Ipv4Packet,
): InAddr | undefined {
  if (rt.ifIndex !== rcvIfp.index) return undefined;
  if (rt.flags.has('DYNAMIC') || rt.flags.has('MODIFIED')) return undefined;
  if (rt.prefixLen === 0 || host.sysctl['net.inet.ip.redirect'] === 0) return undefined;
  const ia = rcvIfp.inAddrs.find((a) => a.addr === rt.ifa);
  if (ia === undefined || !inSubnet(pkt.src, ia.addr, ia.prefixLen)) return undefined;
  return rt.flags.has('GATEWAY') && rt.gateway.kind === 'addr' ? rt.gateway.addr : pkt.dst;
}

/** ip_forward: TTL, route, optional redirect to the sender, then ip_output. */
function ipForward(host: Host, rcvIfp: Ifnet, pkt: Ipv4Packet): void {
  if (pkt.ttl <= 1) {
    icmpError(host, rcvIfp, pkt, (quoted) => ({ type: 'time-exceeded', quoted }));
    return;
  }
  const rt = host.rt4.lookup(pkt.dst);
  if (rt === undefined) {
    reportMiss(host, pkt.dst);
    icmpError(host, rcvIfp, pkt, (quoted) => ({ type: 'unreach', code: 'host', quoted }));
    return;
  }
  const gateway = redirectGateway(host, rcvIfp, rt, pkt);
  const allowBroadcast = host.sysctl['net.inet.ip.directed-broadcast'] === 1;
  const error = ipOutput(host, { ...pkt, ttl: pkt.ttl - 1 }, { forwarding: true, allowBroadcast });
  if (error === 'EHOSTUNREACH' || error === 'ENETUNREACH') {
    icmpError(host, rcvIfp, pkt, (quoted) => ({
      type: 'unreach',
      code: error === 'ENETUNREACH' ? 'net' : 'host',
      quoted,
    }));
    return;
  }
  if (gateway !== undefined && error === undefined) {
    icmpError(host, rcvIfp, pkt, (quoted) => ({ type: 'redirect', gateway, quoted }));
  }
}

function assertNeverIcmp(value: never): never {
  throw new Error(`unhandled icmp message: ${JSON.stringify(value)}`);
}

etherHooks.ipInput = ipInput;
