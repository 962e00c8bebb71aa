import { assert } from '../brand.ts';
import { etherTransmit } from './ether.ts';
import type { Host } from './host.ts';
import { activeMac, type Ifnet } from './ifnet.ts';
import { IN6_ALLNODES, IN6_ANY, type In6Addr, in6MulticastMacOctets, in6SolicitedNode } from './in6.ts';
import { in6IsReady, in6SelectSrc } from './in6var.ts';
import {
  ND6_DELAY_FIRST_PROBE_SECONDS,
  ND6_HOP_LIMIT,
  ND6_MMAXTRIES,
  ND6_REACHABLE_TIME_MS,
  ND6_RETRANS_TIMER_MS,
  ND6_UMAXTRIES,
} from './knobs6.ts';
import { type Mac, macOf } from './mac.ts';
import { type Llentry, NdTable, type ResolveResult } from './nd.ts';
import { nd6Hooks } from './nd6hooks.ts';
import { rtMsg } from './rtsock.ts';
import type { Icmp6Message, Ipv6Packet } from './wire.ts';

/**
 * IPv6 neighbour discovery (netinet6/nd6.c, nd6_nbr.c) on the state machine shared with ARP
 * (net/nd.c): one lltable per interface, NS/NA input and output, nd6_cache_lladdr, the
 * neighborgcthresh limit, and the routing messages of cloned entries.
 */
export type Nd6Entry = Llentry<In6Addr, Ipv6Packet>;

export interface Nd6Ifinfo {
  readonly table: NdTable<In6Addr, Ipv6Packet>;
  /** ReachableTime: BaseReachableTime times a random factor in [0.5, 1.5) (ND_COMPUTE_RTIME). */
  readonly reachableMs: number;
}

const infos = new WeakMap<Ifnet, Nd6Ifinfo>();
/** ln_router (NTF_ROUTER): entries learnt from a router. */
const routers = new WeakSet<Nd6Entry>();

export function nd6IsRouter(ln: Nd6Entry): boolean {
  return routers.has(ln);
}

/** nd6_ifattach: the interface's ND state, made on first use. */
export function nd6Of(host: Host, ifp: Ifnet): Nd6Ifinfo {
  let info = infos.get(ifp);
  if (info !== undefined) return info;
  const reachableMs = Math.floor(ND6_REACHABLE_TIME_MS / 2 + host.world.random.below(ND6_REACHABLE_TIME_MS));
  const table = new NdTable<In6Addr, Ipv6Packet>(
    ifp.index,
    host.world,
    {
      reachableMs: () => reachableMs,
      retransMs: () => ND6_RETRANS_TIMER_MS,
      delaySeconds: () => ND6_DELAY_FIRST_PROBE_SECONDS,
      mmaxtries: () => ND6_MMAXTRIES,
      umaxtries: () => ND6_UMAXTRIES,
      solicit: (ln, unicast) => {
        const held = ln.hold[0]?.src;
        nd6NsOutput(host, ifp, ln.l3, unicast ? ln.lladdr : undefined, held);
      },
      missed: (_ln, held) => {
        // nd6_timer: give up, ICMPv6 address unreachable to the sender of the held packet.
        for (const pkt of held)
          nd6Hooks.icmp6Error(host, undefined, pkt, (quoted) => ({ type: 'unreach', code: 'addr', quoted }));
      },
      output: (ln, pkt) => {
        assert(ln.lladdr !== undefined, 'nd6_output: held packets leave once the address is known');
        etherTransmit(host, ifp, ln.lladdr, pkt);
      },
      freed: (ln) => announce(host, 'RTM_DELETE', ln),
    },
    (a: In6Addr) => a,
  );
  info = { table, reachableMs };
  infos.set(ifp, info);
  return info;
}

function announce(host: Host, type: 'RTM_ADD' | 'RTM_DELETE', ln: Nd6Entry): void {
  const base =
    type === 'RTM_ADD'
      ? (['UP', 'HOST', 'DONE', 'LLINFO', 'CLONED'] as const)
      : (['HOST', 'DONE', 'LLINFO', 'CLONED'] as const);
  host.rtsock.send(
    rtMsg(type, ln.isStatic ? [...base, 'STATIC'] : base, {
      DST: { kind: 'inet6', text: ln.l3 },
      GATEWAY: { kind: 'link', ifIndex: ln.ifIndex, ...(ln.lladdr === undefined ? {} : { mac: ln.lladdr }) },
    }),
  );
}

/**
 * nd6_create: a new entry, after making room under net.inet6.ip6.neighborgcthresh by freeing
 * the oldest dynamic entries (nd6_gc_neighbors). The clone is reported with RTM_ADD.
 */
export function nd6Create(host: Host, ifp: Ifnet, addr: In6Addr): Nd6Entry {
  const table = nd6Of(host, ifp).table;
  const thresh = host.sysctl['net.inet6.ip6.neighborgcthresh'];
  if (thresh >= 0) {
    const dynamic = table.entries.filter((e) => !e.isStatic);
    for (let i = 0; dynamic.length - i >= thresh && i < dynamic.length; i++)
      table.free(dynamic[i] as Nd6Entry);
  }
  const ln = table.create(addr);
  announce(host, 'RTM_ADD', ln);
  return ln;
}

/** nd6_resolve: the link address of a next hop, or hold the packet and solicit. */
export function nd6Resolve(
  host: Host,
  ifp: Ifnet,
  nextHop: In6Addr,
  pkt: Ipv6Packet,
): ResolveResult<Ipv6Packet> {
  const table = nd6Of(host, ifp).table;
  if (table.lookup(nextHop) === undefined) nd6Create(host, ifp, nextHop);
  return table.resolve(nextHop, pkt);
}

/**
 * nd6_cache_lladdr: what an NS, RS, RA or redirect says about its sender. A new or changed
 * link address makes the entry STALE (RFC 4861 7.2.3); static entries never change.
 */
export function nd6CacheLladdr(
  host: Host,
  ifp: Ifnet,
  from: In6Addr,
  lladdr: Mac | undefined,
  router: boolean | undefined,
): void {
  if (from === IN6_ANY) return;
  const table = nd6Of(host, ifp).table;
  let ln = table.lookup(from);
  if (ln === undefined) {
    if (lladdr === undefined) return;
    ln = nd6Create(host, ifp, from);
  }
  if (ln.isStatic) return;
  // learn leaves a valid entry with the same address as it is.
  if (lladdr !== undefined) table.learn(ln, lladdr, false);
  // A new entry is never a router yet, so only a router's messages set the flag here.
  if (router === true) routers.add(ln);
}

/** Sends an ND packet straight to a link address (ND messages never wait for resolution). */
function ndTransmit(host: Host, ifp: Ifnet, dstMac: Mac, pkt: Ipv6Packet): void {
  etherTransmit(host, ifp, dstMac, pkt);
}

function multicastMac(group: In6Addr): Mac {
  return macOf(in6MulticastMacOctets(group));
}

/**
 * nd6_ns_output: a solicitation for target; DAD probes (dad) come from :: without a source
 * link-layer option. The source is the held packet's when it is ours on this interface.
 */
export function nd6NsOutput(
  host: Host,
  ifp: Ifnet,
  target: In6Addr,
  unicastTo: Mac | undefined,
  heldSrc: In6Addr | undefined,
  dad = false,
): void {
  // Without a link address nothing leaves (etherTransmit drops it).
  const own = activeMac(ifp);
  let src: In6Addr | undefined = IN6_ANY;
  if (!dad) {
    const heldIsOurs = ifp.in6Addrs.some((a) => a.addr === heldSrc && in6IsReady(a));
    src = heldIsOurs ? heldSrc : in6SelectSrc(host, target, ifp);
    if (src === undefined) return;
  }
  const dst = unicastTo === undefined ? in6SolicitedNode(target) : target;
  const icmp6: Icmp6Message = { type: 'ns', target, sllao: dad ? undefined : own };
  ndTransmit(host, ifp, unicastTo ?? multicastMac(dst), {
    kind: 'ipv6',
    src,
    dst,
    hlim: ND6_HOP_LIMIT,
    body: { proto: 'icmp6', icmp6 },
  });
}

/** nd6_na_output: an advertisement for one of our addresses. */
export function nd6NaOutput(
  host: Host,
  ifp: Ifnet,
  dst: In6Addr,
  target: In6Addr,
  flags: { solicited: boolean; override: boolean },
): void {
  const own = activeMac(ifp);
  if (own === undefined) return;
  const src = in6SelectSrc(host, dst, ifp);
  if (src === undefined) return;
  const icmp6: Icmp6Message = {
    type: 'na',
    target,
    tllao: own,
    router: host.sysctl['net.inet6.ip6.forwarding'] === 1,
    solicited: flags.solicited,
    override: flags.override,
  };
  const pkt: Ipv6Packet = { kind: 'ipv6', src, dst, hlim: ND6_HOP_LIMIT, body: { proto: 'icmp6', icmp6 } };
  if (dst === IN6_ALLNODES) ndTransmit(host, ifp, multicastMac(dst), pkt);
  else nd6Hooks.ip6Output(host, pkt, { zone: ifp.index });
}

/** nd6_ns_input. */
export function nd6NsInput(
  host: Host,
  ifp: Ifnet,
  pkt: Ipv6Packet,
  ns: Extract<Icmp6Message, { type: 'ns' }>,
): void {
  if (pkt.hlim !== ND6_HOP_LIMIT) return;
  const dadProbe = pkt.src === IN6_ANY;
  const ia = ifp.in6Addrs.find((a) => a.addr === ns.target);
  if (ia === undefined) return;
  if (ia.flags.has('tentative')) {
    // Someone else is probing the address we are probing: both lose (RFC 4862 5.4.3).
    if (dadProbe) nd6Hooks.dadNsInput(host, ifp, ia);
    return;
  }
  if (ia.flags.has('duplicated')) return;
  if (dadProbe) {
    nd6NaOutput(host, ifp, IN6_ALLNODES, ns.target, { solicited: false, override: !ia.flags.has('anycast') });
    return;
  }
  nd6CacheLladdr(host, ifp, pkt.src, ns.sllao, false);
  nd6NaOutput(host, ifp, pkt.src, ns.target, { solicited: true, override: !ia.flags.has('anycast') });
}

/** nd6_na_input. */
export function nd6NaInput(
  host: Host,
  ifp: Ifnet,
  pkt: Ipv6Packet,
  na: Extract<Icmp6Message, { type: 'na' }>,
): void {
  if (pkt.hlim !== ND6_HOP_LIMIT) return;
  const ia = ifp.in6Addrs.find((a) => a.addr === na.target);
  if (ia !== undefined) {
    if (ia.flags.has('tentative')) nd6Hooks.dadNaInput(host, ifp, ia);
    else host.log(`nd6_na_input: duplicate IP6 address ${na.target}`);
    return;
  }
  const table = nd6Of(host, ifp).table;
  const ln = table.lookup(na.target);
  if (ln === undefined || ln.isStatic) return;
  const known = ln.lladdr;
  if (known === undefined) {
    // Not resolved (LLE_VALID clear): only a link-layer option resolves it.
    if (na.tllao === undefined) return;
    table.learn(ln, na.tllao, na.solicited);
  } else {
    const llchange = na.tllao !== undefined && na.tllao !== known;
    // A different address without override only casts doubt on the entry (RFC 4861 7.2.5, as
    // NetBSD's nd6_na_input): it keeps its address, and a REACHABLE one goes STALE.
    if (!na.override && llchange) {
      table.doubt(ln);
      return;
    }
    // Unsolicited with the same address, learn changes nothing.
    table.learn(ln, na.tllao ?? known, na.solicited);
  }
  if (na.router) routers.add(ln);
  else routers.delete(ln);
}

/** Unsolicited NAs for every usable address, from the newly active link address (nd6 on if_activate_sadl). */
export function nd6AnnounceLink(host: Host, ifp: Ifnet): void {
  for (const ia of ifp.in6Addrs) {
    if (!in6IsReady(ia) || ia.flags.has('detached') || ia.flags.has('anycast')) continue;
    nd6NaOutput(host, ifp, IN6_ALLNODES, ia.addr, { solicited: false, override: true });
  }
}
