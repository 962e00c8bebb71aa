import { frameLengthBytes, ipLengthBytes } from './frame.ts';
import type { Host } from './host.ts';
import { activeMac, type Ifnet } from './ifnet.ts';
import { ETHER_BROADCAST, type Mac } from './mac.ts';
import type { EtherFrame, Ipv4Packet, Ipv6Packet } from './wire.ts';
import { BUS_LATENCY_NS, LOOP_LATENCY_NS } from './world.ts';

/** Receive hooks, set by the protocol modules (kept here to avoid an import cycle). */
export const etherHooks: {
  arpInput: (host: Host, ifp: Ifnet, frame: EtherFrame) => void;
  ipInput: (host: Host, ifp: Ifnet, pkt: Ipv4Packet, linkBroadcast: boolean) => void;
  ip6Input: (host: Host, ifp: Ifnet, pkt: Ipv6Packet, linkMulticast: boolean) => void;
  /** bridge_input: true when a bridge took the frame (set by bridge.ts). */
  bridgeInput: (host: Host, ifp: Ifnet, frame: EtherFrame) => boolean;
  /** bridge_output: true when the frame went out through the member's bridge. */
  bridgeOutput: (host: Host, ifp: Ifnet, frame: EtherFrame) => boolean;
} = {
  arpInput: () => undefined,
  ipInput: () => undefined,
  ip6Input: () => undefined,
  bridgeInput: () => false,
  bridgeOutput: () => false,
};

/** ETHER_IS_MULTICAST: the group bit of the first octet (broadcast included). */
export function isGroupMac(mac: Mac): boolean {
  return (Number.parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/**
 * Puts a frame on the interface's bus (shmif_start): counted, captured by the bus, and
 * delivered to every other port after the bus latency. An interface without a bus (a tap
 * nobody opened) counts the frame and drops it.
 */
export function etherTransmit(host: Host, ifp: Ifnet, dst: Mac, payload: EtherFrame['payload']): void {
  const src = activeMac(ifp);
  if (src === undefined || !ifp.up) return;
  const frame: EtherFrame = { src, dst, payload };
  if (etherHooks.bridgeOutput(host, ifp, frame)) return;
  etherTransmitFrame(host, ifp, frame);
}

/** The driver half of etherTransmit: count the frame and write it to the bus. */
export function etherTransmitFrame(host: Host, ifp: Ifnet, frame: EtherFrame): void {
  ifp.counters.opackets++;
  ifp.counters.obytes += frameLengthBytes(frame);
  if (isGroupMac(frame.dst)) ifp.counters.omcasts++;
  if (ifp.busName === undefined) return;
  const world = host.world;
  const receivers = world.bus(ifp.busName).write(ifp.portId, frame, world.nowNs);
  for (const port of receivers) world.after(BUS_LATENCY_NS, () => port.deliver(frame));
}

/** ether_input after shmif's address filter. */
export function etherInput(host: Host, ifp: Ifnet, frame: EtherFrame): void {
  if (!ifp.up) return;
  if (etherHooks.bridgeInput(host, ifp, frame)) return;
  etherInputLocal(host, ifp, frame);
}

/** ether_input's local delivery: shmif's filter passes its own address and every group address. */
export function etherInputLocal(host: Host, ifp: Ifnet, frame: EtherFrame): void {
  const own = activeMac(ifp);
  const broadcast = frame.dst === ETHER_BROADCAST;
  const group = isGroupMac(frame.dst);
  if (!group && frame.dst !== own) return;
  ifp.counters.ipackets++;
  ifp.counters.ibytes += frameLengthBytes(frame);
  if (group) ifp.counters.imcasts++;
  if (frame.payload.kind === 'arp') etherHooks.arpInput(host, ifp, frame);
  else if (frame.payload.kind === 'ipv6') etherHooks.ip6Input(host, ifp, frame.payload, group);
  else if (broadcast || !group) etherHooks.ipInput(host, ifp, frame.payload, broadcast);
}

/** looutput: counted out and in on lo0, then queued to ip input. */
export function loopOutput(host: Host, pkt: Ipv4Packet): void {
  const lo = host.lo0;
  const bytes = ipLengthBytes(pkt);
  lo.counters.opackets++;
  lo.counters.obytes += bytes;
  host.world.after(LOOP_LATENCY_NS, () => {
    lo.counters.ipackets++;
    lo.counters.ibytes += bytes;
    etherHooks.ipInput(host, lo, pkt, false);
  });
}
