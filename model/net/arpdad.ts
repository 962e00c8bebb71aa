import { NS_PER_MS } from '../brand.ts';
import { arpAnnounce, arpRequest } from './arpout.ts';
import type { Host } from './host.ts';
import type { Ifnet, InIfaddr } from './ifnet.ts';
import { formatInAddr, INADDR_ANY } from './inet.ts';
import {
  ARP_ANNOUNCE_INTERVAL_MS,
  ARP_ANNOUNCE_NUM,
  ARP_ANNOUNCE_WAIT_MS,
  ARP_PROBE_MAX_MS,
  ARP_PROBE_MIN_MS,
  ARP_PROBE_WAIT_MS,
} from './knobs.ts';
import type { ArpPacket } from './wire.ts';

/**
 * IPv4 address conflict detection (RFC 5227) as netinet/if_arp.c arp_dad_*: a tentative
 * address sends dad_count probes (sender 0.0.0.0) after a random PROBE_WAIT, one to two
 * seconds apart, waits ANNOUNCE_WAIT, then becomes usable and announces itself
 * ANNOUNCE_NUM times. A reply or a probe from someone else marks it DUPLICATED.
 */
export function arpDadStart(host: Host, ifp: Ifnet, ia: InIfaddr): void {
  arpDadStop(host, ia);
  ia.dad = {
    probesSent: 0,
    probesPlanned: host.sysctl['net.inet.ip.dad_count'],
    announcesSent: 0,
    conflicts: 0,
    timer: undefined,
  };
  arm(host, ifp, ia, host.world.random.below(ARP_PROBE_WAIT_MS * NS_PER_MS));
}

export function arpDadStop(host: Host, ia: InIfaddr): void {
  if (ia.dad?.timer !== undefined) host.world.cancel(ia.dad.timer);
  ia.dad = undefined;
}

function arm(host: Host, ifp: Ifnet, ia: InIfaddr, delayNs: number): void {
  const dad = ia.dad;
  if (dad === undefined) return;
  dad.timer = host.world.after(delayNs, () => {
    dad.timer = undefined;
    if (ia.dad === dad && ifp.inAddrs.includes(ia)) step(host, ifp, ia);
  });
}

/** arp_dad_timer: next probe, or the end of DAD and the announcements. */
function step(host: Host, ifp: Ifnet, ia: InIfaddr): void {
  const dad = ia.dad;
  if (dad === undefined) return;
  if (dad.probesSent < dad.probesPlanned) {
    arpRequest(host, ifp, INADDR_ANY, ia.addr);
    dad.probesSent++;
    const spreadNs = (ARP_PROBE_MAX_MS - ARP_PROBE_MIN_MS) * NS_PER_MS;
    const delayNs =
      dad.probesSent < dad.probesPlanned
        ? ARP_PROBE_MIN_MS * NS_PER_MS + host.world.random.below(spreadNs)
        : ARP_ANNOUNCE_WAIT_MS * NS_PER_MS;
    arm(host, ifp, ia, delayNs);
    return;
  }
  ia.flags.delete('tentative');
  arpAnnounce(host, ifp, ia);
  dad.announcesSent++;
  if (dad.announcesSent < ARP_ANNOUNCE_NUM) arm(host, ifp, ia, ARP_ANNOUNCE_INTERVAL_MS * NS_PER_MS);
  else ia.dad = undefined;
}

/** arp_dad_duplicated: the address is in use elsewhere. */
function duplicated(host: Host, ifp: Ifnet, ia: InIfaddr, arp: ArpPacket): void {
  host.log(`${ifp.name}: DAD detected duplicate IPv4 address ${formatInAddr(ia.addr)}: from ${arp.sha}`);
  arpDadStop(host, ia);
  ia.flags.delete('tentative');
  ia.flags.add('duplicated');
}

/**
 * The DAD half of in_arpinput: a packet whose sender is our tentative address, or a probe
 * for it from another station, is a conflict. Answers true when the packet was consumed.
 */
export function arpDadInput(host: Host, ifp: Ifnet, arp: ArpPacket): boolean {
  const claimed = ifp.inAddrs.find((a) => a.addr === arp.spa && a.flags.has('tentative'));
  if (claimed !== undefined) {
    duplicated(host, ifp, claimed, arp);
    return true;
  }
  if (arp.spa === INADDR_ANY && arp.op === 'request') {
    const probed = ifp.inAddrs.find((a) => a.addr === arp.tpa && a.flags.has('tentative'));
    if (probed !== undefined) {
      duplicated(host, ifp, probed, arp);
      return true;
    }
  }
  return false;
}
