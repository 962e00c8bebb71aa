import { assert, NS_PER_SECOND } from '../brand.ts';
import { type ErrnoResult, fail, ok } from './errno.ts';
import { etherHooks, etherInputLocal, etherTransmitFrame, isGroupMac } from './ether.ts';
import type { Host } from './host.ts';
import { activeMac, type Ifnet } from './ifnet.ts';
import { ifDetachHooks } from './ifops.ts';
import type { Mac } from './mac.ts';
import type { EtherFrame } from './wire.ts';

/**
 * bridge(4) (net/if_bridge.c): a learning bridge between member interfaces. Frames coming in
 * on a member teach the bridge where their source lives (the bridge routing table), are
 * forwarded to the member that learnt their destination or flooded to all others, and are
 * delivered to the host's own stack when addressed to any member (PR 48104) or to a group.
 * The host's own output through a member goes out where the destination was learnt.
 */
export interface BridgeRtEntry {
  readonly mac: Mac;
  member: Ifnet;
  learntNs: number;
}

export interface BridgeSoftc {
  readonly ifp: Ifnet;
  readonly members: Ifnet[];
  readonly rtable: Map<Mac, BridgeRtEntry>;
}

/** BRIDGE_RTABLE_TIMEOUT: learnt addresses age out after 1200 s. */
export const BRIDGE_RTABLE_TIMEOUT_SECONDS = 1200;
/** BRIDGE_RTABLE_MAX. */
export const BRIDGE_RTABLE_MAX = 100;

const softcs = new WeakMap<Ifnet, BridgeSoftc>();
const memberOf = new WeakMap<Ifnet, BridgeSoftc>();

export function bridgeOf(ifp: Ifnet): BridgeSoftc | undefined {
  if (ifp.kind !== 'bridge') return undefined;
  let sc = softcs.get(ifp);
  if (sc === undefined) {
    sc = { ifp, members: [], rtable: new Map() };
    softcs.set(ifp, sc);
  }
  return sc;
}

/** BRDGADD: only Ethernet-like interfaces, each in at most one bridge. */
export function bridgeAddMember(bridge: Ifnet, member: Ifnet): ErrnoResult<void> {
  const sc = bridgeOf(bridge);
  if (sc === undefined) return fail('EINVAL');
  if (member.kind !== 'shmif' && member.kind !== 'tap') return fail('EINVAL');
  if (memberOf.has(member)) return fail('EBUSY');
  sc.members.push(member);
  memberOf.set(member, sc);
  if (sc.members.filter((m) => m === member).length !== 1)
    assert(false, `bridge: ${member.name} is a member once`);
  return ok(undefined);
}

/** BRDGDEL: the member leaves, with what the table learnt on it. */
export function bridgeDeleteMember(bridge: Ifnet, member: Ifnet): ErrnoResult<void> {
  const sc = bridgeOf(bridge);
  if (sc === undefined || memberOf.get(member) !== sc) return fail('ENOENT');
  sc.members.splice(sc.members.indexOf(member), 1);
  memberOf.delete(member);
  for (const [mac, e] of sc.rtable) if (e.member === member) sc.rtable.delete(mac);
  if (sc.members.includes(member)) assert(false, `bridge: ${member.name} left the member list`);
  return ok(undefined);
}

function running(sc: BridgeSoftc): boolean {
  return sc.ifp.up && sc.ifp.running;
}

/** bridge_rtupdate: remember where a source address lives (up to BRIDGE_RTABLE_MAX). */
function learn(host: Host, sc: BridgeSoftc, mac: Mac, member: Ifnet): void {
  if (isGroupMac(mac)) return;
  const e = sc.rtable.get(mac);
  if (e !== undefined) {
    e.member = member;
    e.learntNs = host.world.nowNs;
    return;
  }
  if (sc.rtable.size >= BRIDGE_RTABLE_MAX) return;
  sc.rtable.set(mac, { mac, member, learntNs: host.world.nowNs });
}

/** bridge_rtlookup: the member a destination was learnt on, unless it aged out. */
function lookup(host: Host, sc: BridgeSoftc, mac: Mac): Ifnet | undefined {
  const e = sc.rtable.get(mac);
  if (e === undefined) return undefined;
  if (host.world.nowNs - e.learntNs > BRIDGE_RTABLE_TIMEOUT_SECONDS * NS_PER_SECOND) {
    sc.rtable.delete(mac);
    return undefined;
  }
  return e.member;
}

/** Seconds until an entry ages out, for brconfig. */
export function bridgeRtExpireSeconds(host: Host, e: BridgeRtEntry): number {
  return Math.max(
    0,
    BRIDGE_RTABLE_TIMEOUT_SECONDS - Math.floor((host.world.nowNs - e.learntNs) / NS_PER_SECOND),
  );
}

/** bridge_input on a member. */
function bridgeInput(host: Host, ifp: Ifnet, frame: EtherFrame): boolean {
  const sc = memberOf.get(ifp);
  if (sc === undefined || !running(sc)) return false;
  learn(host, sc, frame.src, ifp);
  const ownMember = sc.members.find((m) => activeMac(m) === frame.dst);
  if (ownMember !== undefined) {
    etherInputLocal(host, ownMember, frame);
    return true;
  }
  if (isGroupMac(frame.dst)) {
    for (const m of sc.members) if (m !== ifp && m.up) etherTransmitFrame(host, m, frame);
    // Every member's stack sees a group frame, as if it had arrived there.
    etherInputLocal(host, ifp, frame);
    for (const m of sc.members) if (m !== ifp && m.up) etherInputLocal(host, m, frame);
    return true;
  }
  const out = lookup(host, sc, frame.dst);
  if (out === ifp) return true;
  if (out !== undefined) {
    if (out.up) etherTransmitFrame(host, out, frame);
    return true;
  }
  for (const m of sc.members) if (m !== ifp && m.up) etherTransmitFrame(host, m, frame);
  return true;
}

/** bridge_output: the host's own frame through a member goes where its destination lives. */
function bridgeOutput(host: Host, ifp: Ifnet, frame: EtherFrame): boolean {
  const sc = memberOf.get(ifp);
  if (sc === undefined || !running(sc)) return false;
  const out = isGroupMac(frame.dst) ? undefined : lookup(host, sc, frame.dst);
  if (out !== undefined) {
    if (out.up) etherTransmitFrame(host, out, frame);
    return true;
  }
  for (const m of sc.members) if (m.up) etherTransmitFrame(host, m, frame);
  return true;
}

etherHooks.bridgeInput = bridgeInput;
etherHooks.bridgeOutput = bridgeOutput;
ifDetachHooks.push((_host, ifp) => {
  const sc = memberOf.get(ifp);
  if (sc !== undefined) bridgeDeleteMember(sc.ifp, ifp);
  const own = softcs.get(ifp);
  if (own !== undefined) for (const m of [...own.members]) bridgeDeleteMember(ifp, m);
  softcs.delete(ifp);
});
