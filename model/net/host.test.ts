/**
 * The rump kernel record and its small tables: interface lookups, ifa_ifwithaddr /
 * ifa_ifwithnet / in_broadcast, ip_id, the IFF_* words ifconfig prints, the routing socket,
 * the sysctl names and errno texts (NetBSD sys/net/if.c, sys/netinet/in.c, sys/net/rtsock.c).
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import { errnoText, fail, ok } from './errno.ts';
import { Host } from './host.ts';
import { activeMac, ifFlagNames, ifFlagsWord, isUpAndRunning } from './ifnet.ts';
import { ifCreate, ifSetNoarp, ifSetUp } from './ifops.ts';
import { inAddAddress } from './in.ts';
import { type InAddr, parseInAddr } from './inet.ts';
import { isNetKnob, netSysctlDefaults } from './knobs.ts';
import { RoutingSocket, rtMsg } from './rtsock.ts';
import { NetWorld } from './world.ts';

const a = (text: string): InAddr => parseInAddr(text) as InAddr;

describe('Host', () => {
  it('lookups by name and index; lo0 must be the first interface', () => {
    const world = new NetWorld(1);
    const bare = new Host(world, 'bare');
    expect(() => bare.lo0).toThrow(/lo0 is the first interface/);
    const host = bootHost(world, 'h', { libs: ['netinet6'] });
    expect(host.inet6).toBe(true);
    expect(host.libs).toEqual(['netinet6']);
    expect(bootHost(world, 'v4').inet6).toBe(false);
    expect(bootHost(world, 'v4b', { libs: ['tap'] }).inet6).toBe(false);
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    expect(host.ifByName('shmif0')).toBe(ifp);
    expect(host.ifByIndex(ifp.index)).toBe(ifp);
    expect(host.ifByIndex(99)).toBeUndefined();
    expect(host.ifByName('shmif9')).toBeUndefined();
    const moved = new Host(world, 'm');
    moved.ifnets.push(ifp);
    expect(() => moved.lo0).toThrow(/lo0/);
    host.log('hello');
    expect(host.dmesg).toEqual(['hello']);
    expect(host.name).toBe('h');
  });

  it('ip_id counts up from 1 and wraps at 16 bits', () => {
    const host = new Host(new NetWorld(1), 'h');
    expect([host.nextIpId(), host.nextIpId()]).toEqual([1, 2]);
    for (let i = 3; i < 0xffff; i++) host.nextIpId();
    expect(host.nextIpId()).toBe(0xffff);
    expect(host.nextIpId()).toBe(0);
    expect(host.nextIpId()).toBe(1);
  });

  it('ifa_ifwithaddr, ifa_ifwithnet (not on lo0) and in_broadcast', () => {
    const host = bootHost(new NetWorld(1), 'h');
    host.sysctl['net.inet.ip.dad_count'] = 0;
    const if0 = unwrap(ifCreate(host, 'shmif0'));
    const if1 = unwrap(ifCreate(host, 'shmif1'));
    unwrap(inAddAddress(host, if0, { addr: a('10.0.0.1'), prefixLen: 24 }));
    unwrap(inAddAddress(host, if1, { addr: a('10.1.0.1'), prefixLen: 24 }));
    unwrap(inAddAddress(host, if1, { addr: a('10.2.0.1'), prefixLen: 31 }));
    expect(host.ownAddr(a('10.1.0.1'))?.ifp).toBe(if1);
    expect(host.ownAddr(a('10.1.0.1'))?.ia.addr).toBe(a('10.1.0.1'));
    expect(host.ownAddr(a('10.1.0.2'))).toBeUndefined();
    expect(host.addrWithNet(a('10.1.0.77'))?.ia.addr).toBe(a('10.1.0.1'));
    expect(host.addrWithNet(a('10.0.0.77'))?.ifp).toBe(if0);
    expect(host.addrWithNet(a('127.0.0.5'))).toBeUndefined();
    expect(host.addrWithNet(a('10.9.0.1'))).toBeUndefined();
    expect(host.isBroadcastOn(if0, a('255.255.255.255'))).toBe(true);
    expect(host.isBroadcastOn(if0, a('10.0.0.255'))).toBe(true);
    expect(host.isBroadcastOn(if1, a('10.0.0.255'))).toBe(false);
    // A /31 has no broadcast address (RFC 3021).
    expect(host.isBroadcastOn(if1, a('10.2.0.1'))).toBe(false);
    unwrap(inAddAddress(host, if1, { addr: a('10.3.0.1'), prefixLen: 30 }));
    expect(host.isBroadcastOn(if1, a('10.3.0.3'))).toBe(true);
  });
});

describe('interface flags', () => {
  it('ifconfig names and the IFF_* word per kind', () => {
    const host = bootHost(new NetWorld(1), 'h');
    const shmif = unwrap(ifCreate(host, 'shmif0'));
    const gif = unwrap(ifCreate(host, 'gif0'));
    expect(ifFlagNames(host.lo0)).toEqual(['UP', 'LOOPBACK', 'RUNNING', 'MULTICAST']);
    expect(ifFlagsWord(host.lo0)).toBe(0x8049);
    expect(ifFlagNames(shmif)).toEqual(['BROADCAST', 'SIMPLEX', 'MULTICAST']);
    expect(ifFlagsWord(shmif)).toBe(0x8802);
    ifSetUp(host, shmif, true);
    ifSetNoarp(shmif, true);
    expect(ifFlagNames(shmif)).toEqual(['UP', 'BROADCAST', 'RUNNING', 'NOARP', 'SIMPLEX', 'MULTICAST']);
    expect(ifFlagsWord(shmif)).toBe(0x88c3);
    expect(ifFlagNames(gif)).toEqual(['POINTOPOINT', 'MULTICAST']);
    expect(ifFlagsWord(gif)).toBe(0x8010);
    expect(isUpAndRunning(shmif)).toBe(true);
    shmif.running = false;
    expect(isUpAndRunning(shmif)).toBe(false);
    shmif.running = true;
    shmif.up = false;
    expect(isUpAndRunning(shmif)).toBe(false);
    expect(activeMac(gif)).toBeUndefined();
  });
});

describe('routing socket', () => {
  it('logs every message, in order, and hands it to each listener until it stops listening', () => {
    const sock = new RoutingSocket();
    const got: string[] = [];
    const stop = sock.listen((m) => got.push(`1 ${m.type}`));
    sock.listen((m) => got.push(`2 ${m.type}`));
    const m1 = rtMsg('RTM_ADD', ['DONE', 'UP'], {});
    sock.send(m1);
    stop();
    sock.send(rtMsg('RTM_DELETE', [], {}, 3));
    expect(got).toEqual(['1 RTM_ADD', '2 RTM_ADD', '2 RTM_DELETE']);
    expect(sock.log.map((m) => [m.type, m.flags, m.errno])).toEqual([
      ['RTM_ADD', ['UP', 'DONE'], 0],
      ['RTM_DELETE', [], 3],
    ]);
  });
});

describe('sysctl names and errnos', () => {
  it('knob names and defaults of a rump kernel', () => {
    expect(isNetKnob('net.inet.ip.forwarding')).toBe(true);
    expect(isNetKnob('net.inet.ip.nonesuch')).toBe(false);
    expect(isNetKnob('toString')).toBe(false);
    const d = netSysctlDefaults();
    expect([d['net.inet.ip.forwarding'], d['net.inet6.ip6.forwarding'], d['net.inet.ip.dad_count']]).toEqual([
      1, 0, 3,
    ]);
    d['net.inet.ip.ttl'] = 1;
    expect(netSysctlDefaults()['net.inet.ip.ttl']).toBe(64);
  });

  it('errno values and their strerror texts', () => {
    expect(fail('EEXIST')).toEqual({ ok: false, error: 'EEXIST' });
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(errnoText.EHOSTUNREACH).toBe('No route to host');
    expect(errnoText.EADDRNOTAVAIL).toBe("Can't assign requested address");
  });
});
