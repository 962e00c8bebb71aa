/**
 * bridge(4) of the model: membership errnos, learning, forwarding, flooding, aging, and the
 * host's own traffic through a member (NetBSD sys/net/if_bridge.c bridge_ioctl BRDGADD/BRDGDEL,
 * bridge_input, bridge_forward, bridge_output, bridge_rtupdate, bridge_rtlookup).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import {
  BRIDGE_RTABLE_MAX,
  BRIDGE_RTABLE_TIMEOUT_SECONDS,
  bridgeAddMember,
  bridgeDeleteMember,
  bridgeOf,
  bridgeRtExpireSeconds,
} from './bridge.ts';
import { etherInput, etherTransmit } from './ether.ts';
import { activeMac } from './ifnet.ts';
import { ifCreate, ifDestroy, ifSetLinkstr, ifSetUp } from './ifops.ts';
import { type InAddr, parseInAddr } from './inet.ts';
import { ETHER_BROADCAST, type Mac, macOf } from './mac.ts';
import type { EtherFrame } from './wire.ts';
import { NetWorld } from './world.ts';

const a = (text: string): InAddr => parseInAddr(text) as InAddr;
const station = (n: number): Mac => macOf([0xb2, 0xa0, 0x77, 0, 0, n]);

/** A host with bridge0 over shmif0 (bus1) and shmif1 (bus2), all up. */
function bridged() {
  const world = new NetWorld(1);
  const host = bootHost(world, 'br');
  const br = unwrap(ifCreate(host, 'bridge0'));
  const m0 = unwrap(ifCreate(host, 'shmif0'));
  const m1 = unwrap(ifCreate(host, 'shmif1'));
  unwrap(ifSetLinkstr(host, m0, 'bus1'));
  unwrap(ifSetLinkstr(host, m1, 'bus2'));
  for (const ifp of [br, m0, m1]) ifSetUp(host, ifp, true);
  unwrap(bridgeAddMember(br, m0));
  unwrap(bridgeAddMember(br, m1));
  const sc = bridgeOf(br)!;
  const on = (bus: string) => world.bus(bus).capture.length;
  const frame = (src: Mac, dst: Mac): EtherFrame => ({
    src,
    dst,
    payload: { kind: 'arp', op: 'request', sha: src, spa: a('10.0.0.9'), tha: dst, tpa: a('10.0.0.8') },
  });
  return { world, host, br, m0, m1, sc, on, frame };
}

describe('BRDGADD / BRDGDEL', () => {
  it('only a bridge takes members, only shmif or tap join, each at most once', () => {
    const { host, br, m0 } = bridged();
    const gif = unwrap(ifCreate(host, 'gif0'));
    const tap = unwrap(ifCreate(host, 'tap0'));
    const br1 = unwrap(ifCreate(host, 'bridge1'));
    expect(bridgeAddMember(m0, tap)).toEqual({ ok: false, error: 'EINVAL' });
    expect(bridgeAddMember(br, gif)).toEqual({ ok: false, error: 'EINVAL' });
    expect(bridgeAddMember(br, br1)).toEqual({ ok: false, error: 'EINVAL' });
    expect(bridgeAddMember(br, host.lo0)).toEqual({ ok: false, error: 'EINVAL' });
    expect(bridgeAddMember(br1, m0)).toEqual({ ok: false, error: 'EBUSY' });
    expect(bridgeAddMember(br, m0)).toEqual({ ok: false, error: 'EBUSY' });
    expect(bridgeAddMember(br1, tap)).toEqual({ ok: true, value: undefined });
    expect(bridgeOf(m0)).toBeUndefined();
  });

  it('a member leaves with what was learnt on it; ENOENT for a non-member or a non-bridge', () => {
    const { host, br, m0, m1, sc, frame } = bridged();
    etherInput(host, m0, frame(station(1), ETHER_BROADCAST));
    etherInput(host, m1, frame(station(2), ETHER_BROADCAST));
    expect([...sc.rtable.keys()]).toEqual([station(1), station(2)]);
    const br1 = unwrap(ifCreate(host, 'bridge1'));
    expect(bridgeDeleteMember(br1, m0)).toEqual({ ok: false, error: 'ENOENT' });
    expect(bridgeDeleteMember(m1, m0)).toEqual({ ok: false, error: 'ENOENT' });
    expect(bridgeDeleteMember(br, m0)).toEqual({ ok: true, value: undefined });
    expect(sc.members).toEqual([m1]);
    expect([...sc.rtable.keys()]).toEqual([station(2)]);
    expect(bridgeDeleteMember(br, m0)).toEqual({ ok: false, error: 'ENOENT' });
    // Free again: it may join another bridge.
    expect(bridgeAddMember(br1, m0).ok).toBe(true);
  });

  it('destroying a member or the bridge releases the membership', () => {
    const { host, br, m0, m1, sc } = bridged();
    unwrap(ifDestroy(host, m0));
    expect(sc.members).toEqual([m1]);
    unwrap(ifDestroy(host, br));
    const br2 = unwrap(ifCreate(host, 'bridge2'));
    expect(bridgeAddMember(br2, m1)).toEqual({ ok: true, value: undefined });
    expect(bridgeOf(br2)!.members).toEqual([m1]);
  });
});

describe('bridge_input: learning and forwarding', () => {
  it('an unknown unicast is flooded to the other members, then forwarded only where learnt', () => {
    const { host, m0, m1, sc, on, frame, world } = bridged();
    const [b1, b2] = [on('bus1'), on('bus2')];
    etherInput(host, m0, frame(station(1), station(2)));
    expect([on('bus1') - b1, on('bus2') - b2]).toEqual([0, 1]);
    expect(sc.rtable.get(station(1))).toMatchObject({ member: m0, learntNs: world.nowNs });
    etherInput(host, m1, frame(station(2), station(1)));
    expect([on('bus1') - b1, on('bus2') - b2]).toEqual([1, 1]);
    expect(m0.counters.opackets).toBe(1);
    // A frame for a station on the member it came in on is not forwarded.
    etherInput(host, m0, frame(station(3), station(1)));
    expect([on('bus1') - b1, on('bus2') - b2]).toEqual([1, 1]);
  });

  it('a station that moves is re-learnt on its new member', () => {
    const { host, m0, m1, sc, frame, world } = bridged();
    etherInput(host, m0, frame(station(1), ETHER_BROADCAST));
    world.runFor(5 * NS_PER_SECOND);
    etherInput(host, m1, frame(station(1), ETHER_BROADCAST));
    expect(sc.rtable.get(station(1))).toMatchObject({ member: m1, learntNs: world.nowNs });
    expect(sc.rtable.size).toBe(1);
  });

  it('a learnt member that is down gets nothing, and there is no flood either', () => {
    const { host, m0, m1, on, frame } = bridged();
    etherInput(host, m1, frame(station(2), ETHER_BROADCAST));
    ifSetUp(host, m1, false);
    const b2 = on('bus2');
    const b1 = on('bus1');
    etherInput(host, m0, frame(station(1), station(2)));
    expect(on('bus2')).toBe(b2);
    expect(on('bus1')).toBe(b1);
  });

  it('group frames go to every other up member and to the stack of each', () => {
    const { host, m0, m1, on, frame } = bridged();
    const m2 = unwrap(ifCreate(host, 'shmif2'));
    unwrap(ifSetLinkstr(host, m2, 'bus3'));
    unwrap(bridgeAddMember(host.ifByName('bridge0')!, m2));
    const b = [on('bus1'), on('bus2'), on('bus3')];
    etherInput(host, m0, frame(station(1), ETHER_BROADCAST));
    expect([on('bus1') - b[0]!, on('bus2') - b[1]!, on('bus3') - b[2]!]).toEqual([0, 1, 0]);
    expect([m0.counters.imcasts, m1.counters.imcasts, m2.counters.imcasts]).toEqual([1, 1, 0]);
    // Source group addresses are never learnt.
    etherInput(host, m0, frame('01:00:5e:00:00:01' as Mac, ETHER_BROADCAST));
    expect(bridgeOf(host.ifByName('bridge0')!)!.rtable.has('01:00:5e:00:00:01' as Mac)).toBe(false);
  });

  it('a frame for any member MAC is delivered to that member stack, not forwarded', () => {
    const { host, m0, m1, on, frame } = bridged();
    const b2 = on('bus2');
    etherInput(host, m0, frame(station(1), activeMac(m1)!));
    expect(on('bus2')).toBe(b2);
    expect(m1.counters.ipackets).toBe(1);
    expect(m0.counters.ipackets).toBe(0);
  });

  it('a bridge that is down does not bridge: members act alone', () => {
    const { host, br, m0, sc, on, frame } = bridged();
    ifSetUp(host, br, false);
    const b2 = on('bus2');
    etherInput(host, m0, frame(station(1), ETHER_BROADCAST));
    expect(on('bus2')).toBe(b2);
    expect(sc.rtable.size).toBe(0);
    br.up = true;
    br.running = false;
    etherInput(host, m0, frame(station(1), ETHER_BROADCAST));
    expect(sc.rtable.size).toBe(0);
  });

  it('the table holds at most BRIDGE_RTABLE_MAX stations; a known one still updates', () => {
    const { host, m0, m1, sc, frame } = bridged();
    for (let i = 0; i < BRIDGE_RTABLE_MAX + 5; i++) etherInput(host, m0, frame(station(i), ETHER_BROADCAST));
    expect(sc.rtable.size).toBe(BRIDGE_RTABLE_MAX);
    expect(sc.rtable.has(station(BRIDGE_RTABLE_MAX))).toBe(false);
    etherInput(host, m1, frame(station(0), ETHER_BROADCAST));
    expect(sc.rtable.get(station(0))?.member).toBe(m1);
  });

  it('entries age out after BRIDGE_RTABLE_TIMEOUT: the next frame floods again', () => {
    const { host, m0, m1, sc, on, frame, world } = bridged();
    etherInput(host, m1, frame(station(2), ETHER_BROADCAST));
    const e = sc.rtable.get(station(2))!;
    expect(bridgeRtExpireSeconds(host, e)).toBe(BRIDGE_RTABLE_TIMEOUT_SECONDS);
    world.runFor(1.5 * NS_PER_SECOND);
    expect(bridgeRtExpireSeconds(host, e)).toBe(BRIDGE_RTABLE_TIMEOUT_SECONDS - 1);
    world.runFor((BRIDGE_RTABLE_TIMEOUT_SECONDS - 1.5) * NS_PER_SECOND);
    // Exactly at the timeout the entry still holds.
    let b1 = on('bus1');
    etherInput(host, m1, frame(station(3), station(2)));
    expect(on('bus1')).toBe(b1);
    expect(sc.rtable.has(station(2))).toBe(true);
    world.runFor(1);
    b1 = on('bus1');
    etherInput(host, m1, frame(station(3), station(2)));
    expect(on('bus1')).toBe(b1 + 1);
    expect(sc.rtable.has(station(2))).toBe(false);
    world.runFor(5000 * NS_PER_SECOND);
    expect(bridgeRtExpireSeconds(host, sc.rtable.get(station(3))!)).toBe(0);
    expect(m0.up).toBe(true);
  });
});

describe('bridge_output: the host own frames through a member', () => {
  it('go where the destination was learnt, else out of every up member', () => {
    const { host, m0, m1, on, frame } = bridged();
    etherInput(host, m1, frame(station(2), ETHER_BROADCAST));
    const [b1, b2] = [on('bus1'), on('bus2')];
    etherTransmit(host, m0, station(2), frame(station(9), station(2)).payload);
    expect([on('bus1') - b1, on('bus2') - b2]).toEqual([0, 1]);
    etherTransmit(host, m0, station(5), frame(station(9), station(5)).payload);
    expect([on('bus1') - b1, on('bus2') - b2]).toEqual([1, 2]);
    etherTransmit(host, m0, ETHER_BROADCAST, frame(station(9), ETHER_BROADCAST).payload);
    expect([on('bus1') - b1, on('bus2') - b2]).toEqual([2, 3]);
    ifSetUp(host, m1, false);
    etherTransmit(host, m0, station(2), frame(station(9), station(2)).payload);
    etherTransmit(host, m0, station(5), frame(station(9), station(5)).payload);
    expect([on('bus1') - b1, on('bus2') - b2]).toEqual([3, 3]);
  });

  it('a non-member or a member of a down bridge transmits directly', () => {
    const { host, br, m0, on, frame } = bridged();
    const lone = unwrap(ifCreate(host, 'shmif5'));
    unwrap(ifSetLinkstr(host, lone, 'bus5'));
    ifSetUp(host, lone, true);
    etherTransmit(host, lone, station(1), frame(station(9), station(1)).payload);
    expect(on('bus5')).toBe(1);
    ifSetUp(host, br, false);
    const [b1, b2] = [on('bus1'), on('bus2')];
    etherTransmit(host, m0, station(1), frame(station(9), station(1)).payload);
    expect([on('bus1') - b1, on('bus2') - b2]).toEqual([1, 0]);
  });
});
