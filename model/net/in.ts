import { arpDadStart, arpDadStop } from './arpdad.ts';
import { arpAnnounce } from './arpout.ts';
import { type ErrnoResult, fail, ok } from './errno.ts';
import type { Host } from './host.ts';
import { type Ifnet, type InIfaddr, isUpAndRunning } from './ifnet.ts';
import { broadcastOf, type InAddr, inSubnet, netOf } from './inet.ts';
import { rtAdd, rtRemove } from './rtops.ts';
import { rtMsg } from './rtsock.ts';

/** if_do_dad (net/if.c): DAD only on an interface that is up and running, never on loopback. */
function ifDoDad(ifp: Ifnet): boolean {
  return ifp.kind !== 'loop' && isUpAndRunning(ifp);
}

function dadEnabled(host: Host): boolean {
  return host.sysctl['net.inet.ip.dad_count'] > 0;
}

/** in_ifaddlocal: the local host route (UHl via lo0); rtrequest refuses a second one (EEXIST). */
function addLocalRoute(host: Host, ifp: Ifnet, ia: InIfaddr): void {
  rtAdd(host, {
    dst: ia.addr,
    prefixLen: 32,
    gateway: { kind: 'link', ifIndex: ifp.index },
    flags: ['HOST', 'LOCAL'],
    ifa: ia.addr,
    ifp: host.lo0,
  });
}

/**
 * in_addprefix: the connected route, unless another address already provides it (rtrequest
 * refuses the duplicate with EEXIST and announces nothing).
 */
function addPrefixRoute(host: Host, ifp: Ifnet, ia: InIfaddr): void {
  if (ifp.kind === 'loop' || ia.prefixLen === 32) return;
  rtAdd(host, {
    dst: netOf(ia.addr, ia.prefixLen),
    prefixLen: ia.prefixLen,
    gateway: { kind: 'link', ifIndex: ifp.index },
    flags: ['CONNECTED'],
    ifa: ia.addr,
    ifp,
  });
}

/** in_scrubprefix: drop the connected route if it was ours, handing it to a sibling address. */
function scrubPrefixRoute(host: Host, ifp: Ifnet, ia: InIfaddr): void {
  if (ifp.kind === 'loop' || ia.prefixLen === 32) return;
  const rt = host.rt4.exact(netOf(ia.addr, ia.prefixLen), ia.prefixLen);
  if (rt === undefined || rt.ifa !== ia.addr || !rt.flags.has('CONNECTED')) return;
  rtRemove(host, rt);
  for (const other of host.ifnets) {
    const sibling = other.inAddrs.find(
      (a) => a !== ia && a.prefixLen === ia.prefixLen && inSubnet(a.addr, ia.addr, ia.prefixLen),
    );
    if (sibling !== undefined) {
      addPrefixRoute(host, other, sibling);
      return;
    }
  }
}

/**
 * ether_ioctl(SIOCINITIFADDR) + arp_ifinit: configuring an address brings the interface up
 * (without the if_up hooks), and an address that skips DAD is announced at once.
 */
function initIfAddr(host: Host, ifp: Ifnet, ia: InIfaddr, tryTentative: boolean): void {
  if (!ifp.up) {
    ifp.up = true;
    ifp.running = true;
  }
  if (ifp.kind === 'loop') return;
  if (tryTentative) ia.flags.add('tentative');
  else if (!ia.flags.has('detached')) arpAnnounce(host, ifp, ia);
}

export interface InAddRequest {
  readonly addr: InAddr;
  readonly prefixLen: number;
  readonly broadcast?: InAddr;
}

/** SIOCAIFADDR -> in_ifinit. */
export function inAddAddress(host: Host, ifp: Ifnet, req: InAddRequest): ErrnoResult<InIfaddr> {
  let ia = ifp.inAddrs.find((a) => a.addr === req.addr);
  const hostIsNew = ia === undefined;
  if (ia !== undefined) {
    scrubPrefixRoute(host, ifp, ia);
    ia.prefixLen = req.prefixLen;
    ia.broadcast = req.broadcast ?? broadcastOf(req.addr, req.prefixLen);
  } else {
    ia = {
      addr: req.addr,
      prefixLen: req.prefixLen,
      broadcast: req.broadcast ?? broadcastOf(req.addr, req.prefixLen),
      flags: new Set(),
      dad: undefined,
    };
    ifp.inAddrs.push(ia);
  }
  ia.flags.delete('duplicated');
  let tryTentative = false;
  if (ifp.linkState === 'down') {
    ia.flags.add('detached');
    ia.flags.delete('tentative');
  } else if (hostIsNew && ifDoDad(ifp) && dadEnabled(host)) {
    tryTentative = true;
  }
  initIfAddr(host, ifp, ia, tryTentative);
  addLocalRoute(host, ifp, ia);
  addPrefixRoute(host, ifp, ia);
  host.rtsock.send(rtMsg('RTM_NEWADDR', [], { IFA: { kind: 'inet', addr: ia.addr } }));
  if (hostIsNew && ia.flags.has('tentative')) arpDadStart(host, ifp, ia);
  return ok(ia);
}

/** SIOCDIFADDR -> in_purgeaddr. */
export function inDeleteAddress(host: Host, ifp: Ifnet, addr: InAddr): ErrnoResult<InIfaddr> {
  const ia = ifp.inAddrs.find((a) => a.addr === addr);
  if (ia === undefined) return fail('EADDRNOTAVAIL');
  arpDadStop(host, ia);
  scrubPrefixRoute(host, ifp, ia);
  const local = host.rt4.exact(ia.addr, 32);
  if (local?.flags.has('LOCAL') && host.ownAddr(addr)?.ia === ia) rtRemove(host, local);
  ifp.inAddrs.splice(ifp.inAddrs.indexOf(ia), 1);
  ifp.arp.purge((ln) => !ln.isStatic && inSubnet(ln.l3, ia.addr, ia.prefixLen));
  host.rtsock.send(rtMsg('RTM_DELADDR', [], { IFA: { kind: 'inet', addr: ia.addr } }));
  return ok(ia);
}

/** in_if_link_down: stop DAD, detach every address. */
export function inIfLinkDown(host: Host, ifp: Ifnet): void {
  for (const ia of ifp.inAddrs) {
    arpDadStop(host, ia);
    if (ia.flags.has('detached')) continue;
    ia.flags.add('detached');
    ia.flags.delete('tentative');
    ia.flags.delete('duplicated');
  }
}

/** in_if_link_up: detached addresses come back through DAD, or are announced without it. */
export function inIfLinkUp(host: Host, ifp: Ifnet): void {
  if (ifp.linkState === 'down' || !isUpAndRunning(ifp) || ifp.kind === 'loop') return;
  for (const ia of ifp.inAddrs) {
    if (ia.flags.has('detached')) {
      ia.flags.delete('detached');
      // Never tentative as well: taking the link down (or adding on a down link) cleared that.
      if (dadEnabled(host) && ifDoDad(ifp)) ia.flags.add('tentative');
      else arpAnnounce(host, ifp, ia);
    }
    if (ia.flags.has('tentative')) {
      ia.flags.delete('duplicated');
      arpDadStart(host, ifp, ia);
    }
  }
}

/** in_if_down: the link-down work plus a purge of the interface's lltable. */
export function inIfDown(host: Host, ifp: Ifnet): void {
  inIfLinkDown(host, ifp);
  ifp.arp.purge(() => true);
}
