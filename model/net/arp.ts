import { assert } from '../brand.ts';
import { arpDadInput } from './arpdad.ts';
import { arpRequest } from './arpout.ts';
import { etherHooks, etherTransmit } from './ether.ts';
import type { Host } from './host.ts';
import { activeMac, type Ifnet } from './ifnet.ts';
import { formatInAddr, INADDR_ANY, type InAddr, inSubnet } from './inet.ts';
import { icmpError } from './ip.ts';
import { ETHER_BROADCAST, type Mac } from './mac.ts';
import type { Llentry, NdProtocol } from './nd.ts';
import { rtMsg } from './rtsock.ts';
import type { ArpPacket, EtherFrame, Ipv4Packet } from './wire.ts';

export type ArpEntry = Llentry<InAddr, Ipv4Packet>;

/** The address an ARP request for `target` is sent from: the one on the target's subnet. */
function requestSource(ifp: Ifnet, target: InAddr): InAddr | undefined {
  const usable = ifp.inAddrs.filter((a) => a.flags.size === 0);
  return (usable.find((a) => inSubnet(target, a.addr, a.prefixLen)) ?? usable[0])?.addr;
}

function announceEntry(host: Host, type: 'RTM_ADD' | 'RTM_DELETE', ln: ArpEntry): void {
  const flags =
    type === 'RTM_ADD'
      ? (['UP', 'HOST', 'DONE', 'LLINFO', 'CLONED'] as const)
      : (['HOST', 'DONE', 'LLINFO', 'CLONED'] as const);
  host.rtsock.send(
    rtMsg(type, ln.isStatic ? [...flags, 'STATIC'] : flags, {
      DST: { kind: 'inet', addr: ln.l3 },
      GATEWAY: { kind: 'link', ifIndex: ln.ifIndex, ...(ln.lladdr === undefined ? {} : { mac: ln.lladdr }) },
    }),
  );
}

/** The ARP side of the shared neighbour state machine (if_arp.c arp_nd_domain). */
export function arpProtocol(host: Host, ifp: () => Ifnet): NdProtocol<InAddr, Ipv4Packet> {
  const sysctl = host.sysctl;
  return {
    reachableMs: () => sysctl['net.inet.arp.nd_reachable'],
    retransMs: () => sysctl['net.inet.arp.nd_retrans'],
    delaySeconds: () => sysctl['net.inet.arp.nd_delay'],
    mmaxtries: () => sysctl['net.inet.arp.nd_bmaxtries'],
    umaxtries: () => sysctl['net.inet.arp.nd_umaxtries'],
    solicit: (ln, unicast) => {
      const sip = requestSource(ifp(), ln.l3);
      if (sip === undefined) return;
      arpRequest(host, ifp(), sip, ln.l3, unicast && ln.lladdr !== undefined ? ln.lladdr : ETHER_BROADCAST);
    },
    missed: (ln, held) => {
      // arp_llinfo_missed: RTM_MISS naming the interface and the sender, ICMP host unreachable.
      const author = held[0]?.src;
      host.rtsock.send(
        rtMsg('RTM_MISS', ['DONE'], {
          DST: { kind: 'inet', addr: ln.l3 },
          GATEWAY: { kind: 'link', ifIndex: ln.ifIndex },
          ...(author === undefined ? {} : { AUTHOR: { kind: 'inet' as const, addr: author } }),
        }),
      );
      for (const pkt of held)
        icmpError(host, undefined, pkt, (quoted) => ({ type: 'unreach', code: 'host', quoted }));
    },
    output: (ln, pkt) => {
      if (ln.lladdr !== undefined) etherTransmit(host, ifp(), ln.lladdr, pkt);
    },
    freed: (ln) => announceEntry(host, 'RTM_DELETE', ln),
  };
}

/**
 * in_lltable_rtcheck: an entry may be created only for an address reachable on this
 * interface (its subnet, or a route to an interface on it).
 */
function mayCreate(host: Host, ifp: Ifnet, addr: InAddr): boolean {
  if (ifp.inAddrs.some((a) => inSubnet(addr, a.addr, a.prefixLen))) return true;
  const rt = host.rt4.lookup(addr);
  return rt !== undefined && rt.ifIndex === ifp.index && !rt.flags.has('GATEWAY');
}

/** Updates the sender's entry from an ARP packet (the lltable half of in_arpinput). */
function learnSender(host: Host, ifp: Ifnet, arp: ArpPacket, targetIsMine: boolean): void {
  if (arp.spa === INADDR_ANY) return;
  let ln = ifp.arp.lookup(arp.spa);
  if (ln === undefined) {
    // Only a packet aimed at us creates an entry (so DAD probes and GARPs do not).
    if (!targetIsMine || !mayCreate(host, ifp, arp.spa)) return;
    ln = ifp.arp.create(arp.spa);
  }
  if (ln.isStatic) {
    if (ln.lladdr !== arp.sha)
      host.log(`arp: attempt to overwrite permanent entry for ${formatInAddr(arp.spa)}`);
    return;
  }
  // INCOMPLETE and WAITDELETE entries have no link address (nd.ts clears it), so this is llinfo validity.
  const wasValid = ln.lladdr !== undefined;
  const solicited =
    arp.op === 'reply' &&
    targetIsMine &&
    (ln.state === 'incomplete' || ln.state === 'probe' || ln.state === 'delay');
  ifp.arp.learn(ln, arp.sha, solicited);
  if (!wasValid) announceEntry(host, 'RTM_ADD', ln);
}

/** in_arpinput: DAD, the sender's entry, and replies for us or for published entries. */
export function arpInput(host: Host, ifp: Ifnet, frame: EtherFrame): void {
  const arp = frame.payload;
  assert(arp.kind === 'arp', 'in_arpinput: ether_input hands only ARP payloads to ARP');
  const own = activeMac(ifp);
  if (arp.sha === own || ifp.inAddrs.length === 0) return;
  if (arpDadInput(host, ifp, arp)) return;
  const target = ifp.inAddrs.find((a) => a.addr === arp.tpa);
  const targetIsMine = target !== undefined && target.flags.size === 0;
  if (ifp.inAddrs.some((a) => a.addr === arp.spa && a.flags.size === 0)) {
    host.log(`arp: ${arp.sha} is using my IP address ${formatInAddr(arp.spa)} on ${ifp.name}!`);
    return;
  }
  learnSender(host, ifp, arp, targetIsMine);
  if (arp.op !== 'request') return;
  if (targetIsMine && own !== undefined) {
    arpReply(host, ifp, own, arp);
    return;
  }
  const published = ifp.arp.lookup(arp.tpa);
  if (published?.published && published.lladdr !== undefined) arpReply(host, ifp, published.lladdr, arp);
}

function arpReply(host: Host, ifp: Ifnet, sha: Mac, req: ArpPacket): void {
  etherTransmit(host, ifp, req.sha, {
    kind: 'arp',
    op: 'reply',
    sha,
    spa: req.tpa,
    tha: req.sha,
    tpa: req.spa,
  });
}

etherHooks.arpInput = arpInput;
