import { assert } from '../brand.ts';
import { arpProtocol } from './arp.ts';
import { arpAnnounce } from './arpout.ts';
import { type ErrnoResult, fail, ok } from './errno.ts';
import { etherInput } from './ether.ts';
import type { Host } from './host.ts';
import { activeMac, type IfKind, type Ifnet, zeroCounters } from './ifnet.ts';
import { inAddAddress, inDeleteAddress, inIfDown, inIfLinkDown, inIfLinkUp } from './in.ts';
import { in6IfAttach, in6IfDetach, in6IfDown, in6IfUp, in6LinkActivated, nd6Start } from './in6ctl.ts';
import { inAddr } from './inet.ts';
import { type Mac, macOf } from './mac.ts';
import { NdTable } from './nd.ts';
import { rtRemove } from './rtops.ts';

const LOOP_MTU = 33_624;
const ETHER_MTU = 1_500;
/** GIF_MTU (net/if_gif.h). */
const GIF_MTU = 1_280;

/** Builds an interface record with its lltable. */
function makeIfnet(host: Host, name: string, kind: IfKind, mac: Mac | undefined): Ifnet {
  const index = host.allocIfIndex();
  let self: Ifnet | undefined;
  const arp = new NdTable(
    index,
    host.world,
    arpProtocol(host, () => self as Ifnet),
    (a: number) => String(a),
  );
  self = {
    name,
    index,
    kind,
    portId: host.world.nextMacSerial(),
    up: false,
    running: false,
    noarp: false,
    linkState: 'unknown',
    lladdrs: mac === undefined ? [] : [{ mac, active: true }],
    busName: undefined,
    inAddrs: [],
    in6Addrs: [],
    counters: zeroCounters(),
    mtu: kind === 'loop' ? LOOP_MTU : ETHER_MTU,
    metric: 0,
    arp,
  };
  return self;
}

/** Boots a host's loopback (lo0, index 1, 127.0.0.1/8, up) and its periodic timers. */
export function attachLoopback(host: Host): void {
  const lo = makeIfnet(host, 'lo0', 'loop', undefined);
  host.ifnets.push(lo);
  lo.up = true;
  lo.running = true;
  inAddAddress(host, lo, { addr: inAddr(0x7f000001), prefixLen: 8 });
  in6IfAttach(host, lo);
  nd6Start(host);
}

/** A MAC as the drivers draw them: shmif b2:a0:.., tap f2:0b:a4:.. (cprng replaced by a serial). */
function generatedMac(host: Host, kind: IfKind): Mac {
  const serial = host.world.nextMacSerial();
  const head = kind === 'tap' ? [0xf2, 0x0b, 0xa4] : [0xb2, 0xa0, 0x00];
  return macOf([...head, (serial >> 16) & 0xff, (serial >> 8) & 0xff, serial & 0xff]);
}

/** SIOCIFCREATE for the cloners this model has. */
export function ifCreate(host: Host, name: string): ErrnoResult<Ifnet> {
  if (host.ifByName(name) !== undefined) return fail('EEXIST');
  const match = /^(shmif|tap|bridge|gif)(\d+)$/.exec(name);
  if (match === null) return fail('EINVAL');
  const kind = match[1] as 'shmif' | 'tap' | 'bridge' | 'gif';
  // bridge(4) and gif(4) have no link address of their own.
  const hasMac = kind === 'shmif' || kind === 'tap';
  const ifp = makeIfnet(host, name, kind, hasMac ? generatedMac(host, kind) : undefined);
  if (kind === 'gif') ifp.mtu = GIF_MTU;
  host.ifnets.push(ifp);
  if (host.ifByName(name) !== ifp) assert(false, `if_clone_create: ${name} is found by its name`);
  return ok(ifp);
}

/** What a cloner's own state needs on destroy (bridge members, gif tunnels), set by those modules. */
export const ifDetachHooks: ((host: Host, ifp: Ifnet) => void)[] = [];

/** SIOCIFDESTROY: down, addresses, routes, lltable, bus; nothing of it may remain. */
export function ifDestroy(host: Host, ifp: Ifnet): ErrnoResult<void> {
  if (ifp.kind === 'loop') return fail('EPERM');
  ifSetUp(host, ifp, false);
  for (const detach of ifDetachHooks) detach(host, ifp);
  for (const ia of [...ifp.inAddrs]) inDeleteAddress(host, ifp, ia.addr);
  in6IfDetach(host, ifp);
  for (const rt of [...host.rt4.entries]) {
    const viaLink = rt.gateway.kind === 'link' && rt.gateway.ifIndex === ifp.index;
    if (rt.ifIndex === ifp.index || viaLink) rtRemove(host, rt);
  }
  for (const rt of [...host.rt6.entries]) if (rt.ifIndex === ifp.index) host.rt6.remove(rt);
  ifp.arp.purge(() => true);
  if (ifp.busName !== undefined) host.world.bus(ifp.busName).detach(ifp.portId);
  host.ifnets.splice(host.ifnets.indexOf(ifp), 1);
  const leftBehind =
    ifp.inAddrs.length > 0 ||
    host.rt4.entries.some((rt) => rt.ifIndex === ifp.index) ||
    host.rt6.entries.some((rt) => rt.ifIndex === ifp.index);
  if (leftBehind) assert(false, `if_detach: ${ifp.name} leaves no address or route behind`);
  if (host.ifByName(ifp.name) !== undefined)
    assert(false, `if_detach: ${ifp.name} is gone from the interface list`);
  return ok(undefined);
}

/** if_up / if_down (SIOCSIFFLAGS). */
export function ifSetUp(host: Host, ifp: Ifnet, up: boolean): void {
  if (up === ifp.up) return;
  ifp.up = up;
  ifp.running = up;
  if (up) {
    inIfLinkUp(host, ifp);
    in6IfUp(host, ifp);
  } else {
    inIfDown(host, ifp);
    in6IfDown(host, ifp);
  }
}

/** shmif linkstr: attach to a bus (the bus file). The link comes up. */
export function ifSetLinkstr(host: Host, ifp: Ifnet, busName: string): ErrnoResult<void> {
  if (ifp.kind !== 'shmif') return fail('EINVAL');
  if (ifp.busName !== undefined) host.world.bus(ifp.busName).detach(ifp.portId);
  if (busName === '') {
    // -linkstr (shmif_unlinkstr): off the bus; the link state is left as it was.
    ifp.busName = undefined;
    return ok(undefined);
  }
  ifp.busName = busName;
  host.world.bus(busName).attach({ portId: ifp.portId, deliver: (frame) => etherInput(host, ifp, frame) });
  ifp.linkState = 'up';
  return ok(undefined);
}

/** SIOCSIFMEDIA none|auto on shmif: the link state follows (if_link_state_change). */
export function ifSetMedia(host: Host, ifp: Ifnet, media: 'none' | 'auto'): ErrnoResult<void> {
  if (ifp.kind === 'loop') return fail('EINVAL');
  const next = media === 'none' ? 'down' : 'up';
  if (next === ifp.linkState) return ok(undefined);
  ifp.linkState = next;
  if (next === 'down') inIfLinkDown(host, ifp);
  else inIfLinkUp(host, ifp);
  return ok(undefined);
}

/**
 * SIOCALIFADDR for AF_LINK: add a link address, optionally activating it. Activation
 * re-announces every usable IPv4 address with the new MAC (if_activate_sadl -> arp_ifinit).
 */
export function ifAddLink(host: Host, ifp: Ifnet, mac: Mac, active: boolean): ErrnoResult<void> {
  if (ifp.kind === 'loop') return fail('EINVAL');
  if (!ifp.lladdrs.some((l) => l.mac === mac)) ifp.lladdrs.push({ mac, active: false });
  if (!active || activeMac(ifp) === mac) return ok(undefined);
  for (const l of ifp.lladdrs) l.active = l.mac === mac;
  if (ifp.up) for (const ia of ifp.inAddrs) if (ia.flags.size === 0) arpAnnounce(host, ifp, ia);
  in6LinkActivated(host, ifp);
  return ok(undefined);
}

/** SIOCDLIFADDR for AF_LINK: the active address cannot go (EBUSY). */
export function ifDeleteLink(ifp: Ifnet, mac: Mac): ErrnoResult<void> {
  const at = ifp.lladdrs.findIndex((l) => l.mac === mac);
  if (at < 0) return fail('EADDRNOTAVAIL');
  if (ifp.lladdrs[at]?.active) return fail('EBUSY');
  ifp.lladdrs.splice(at, 1);
  return ok(undefined);
}

/** IFF_NOARP: stop resolving and drop the interface's cache. */
export function ifSetNoarp(ifp: Ifnet, noarp: boolean): void {
  ifp.noarp = noarp;
  if (noarp) ifp.arp.purge(() => true);
}
