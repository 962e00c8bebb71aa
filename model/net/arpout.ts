// ARP output (if_arp.c arprequest, arpannounce), shared by resolution, DAD and link changes.
import { etherTransmit } from './ether.ts';
import type { Host } from './host.ts';
import { activeMac, type Ifnet, type InIfaddr } from './ifnet.ts';
import type { InAddr } from './inet.ts';
import { ETHER_BROADCAST, type Mac } from './mac.ts';

/** The target hardware address of a request: not known yet, all zeros. */
const ZERO_MAC = '00:00:00:00:00:00' as Mac;

/** Sends an ARP request (arprequest): who-has tip tell sip. */
export function arpRequest(
  host: Host,
  ifp: Ifnet,
  sip: InAddr,
  tip: InAddr,
  dst: Mac = ETHER_BROADCAST,
): void {
  const sha = activeMac(ifp);
  if (sha === undefined) return;
  etherTransmit(host, ifp, dst, { kind: 'arp', op: 'request', sha, spa: sip, tha: ZERO_MAC, tpa: tip });
}

/** arpannounce: a gratuitous request for our own address, from the given link address. */
export function arpAnnounce(host: Host, ifp: Ifnet, ia: InIfaddr): void {
  arpRequest(host, ifp, ia.addr, ia.addr);
}
