/**
 * Interface ioctls of the model: cloning, destroy, up/down, shmif linkstr and media, link
 * addresses and IFF_NOARP (NetBSD sys/net/if.c if_clone_create, if_detach, if_up/if_down,
 * if_link_state_change, if_activate_sadl; rump libshmif shmif_ioctl).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import { activeMac } from './ifnet.ts';
import {
  ifAddLink,
  ifCreate,
  ifDeleteLink,
  ifDestroy,
  ifSetLinkstr,
  ifSetMedia,
  ifSetNoarp,
  ifSetUp,
} from './ifops.ts';
import { inAddAddress } from './in.ts';
import { type InAddr, parseInAddr } from './inet.ts';
import { type Mac, parseMac } from './mac.ts';
import { rtAdd } from './rtops.ts';
import { NetWorld } from './world.ts';

const a = (text: string): InAddr => {
  const addr = parseInAddr(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};
const mac = (text: string): Mac => parseMac(text) as Mac;

function host1() {
  const world = new NetWorld(1);
  const host = bootHost(world, 'h');
  host.sysctl['net.inet.ip.dad_count'] = 0;
  return { world, host };
}

describe('lo0 at boot', () => {
  it('index 1, up and running, 127.0.0.1/8, the loopback MTU, no link address', () => {
    const { host } = host1();
    const lo = host.lo0;
    expect(lo).toMatchObject({ name: 'lo0', index: 1, kind: 'loop', up: true, running: true, mtu: 33_624 });
    expect(lo.lladdrs).toEqual([]);
    expect(lo.inAddrs.map((ia) => [ia.addr, ia.prefixLen])).toEqual([[a('127.0.0.1'), 8]]);
    expect(host.rt4.exact(a('127.0.0.1'), 32)?.flags.has('LOCAL')).toBe(true);
  });
});

describe('SIOCIFCREATE', () => {
  it('names: EEXIST for a taken one, EINVAL for an unknown cloner or a missing unit', () => {
    const { host } = host1();
    unwrap(ifCreate(host, 'shmif0'));
    expect(ifCreate(host, 'shmif0')).toEqual({ ok: false, error: 'EEXIST' });
    expect(ifCreate(host, 'lo0')).toEqual({ ok: false, error: 'EEXIST' });
    for (const bad of ['vlan0', 'shmif', 'xshmif0', 'shmif0x', 'tap-1'])
      expect(ifCreate(host, bad)).toEqual({ ok: false, error: 'EINVAL' });
  });

  it('shmif and tap draw their vendor prefixes; bridge and gif have no MAC; MTUs per kind', () => {
    const { host } = host1();
    const shmif = unwrap(ifCreate(host, 'shmif0'));
    const tap = unwrap(ifCreate(host, 'tap3'));
    const bridge = unwrap(ifCreate(host, 'bridge0'));
    const gif = unwrap(ifCreate(host, 'gif1'));
    expect(activeMac(shmif)).toMatch(/^b2:a0:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(activeMac(tap)).toMatch(/^f2:0b:a4:/);
    expect(activeMac(shmif)).not.toBe(activeMac(tap));
    expect(bridge.lladdrs).toEqual([]);
    expect(gif.lladdrs).toEqual([]);
    expect([shmif.mtu, tap.mtu, bridge.mtu, gif.mtu]).toEqual([1500, 1500, 1500, 1280]);
    expect([shmif.kind, tap.kind, bridge.kind, gif.kind]).toEqual(['shmif', 'tap', 'bridge', 'gif']);
    expect([shmif.up, shmif.running, shmif.noarp, shmif.linkState, shmif.busName, shmif.metric]).toEqual([
      false,
      false,
      false,
      'unknown',
      undefined,
      0,
    ]);
    expect(shmif.index).toBe(2);
    expect(host.ifByName('tap3')).toBe(tap);
    expect(unwrap(ifCreate(host, 'shmif10')).name).toBe('shmif10');
  });

  it('the generated MAC carries the serial in its low three octets', () => {
    const world = new NetWorld(1);
    for (let i = 0; i < 70_000; i++) world.nextMacSerial();
    const host = bootHost(world, 'h');
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    const serial = Number.parseInt(activeMac(ifp)!.slice(9).replace(/:/g, ''), 16);
    expect(serial).toBeGreaterThan(70_000);
    expect(serial).toBeLessThan(70_010);
  });
});

describe('SIOCIFDESTROY', () => {
  it('lo0 cannot go: EPERM', () => {
    const { host } = host1();
    expect(ifDestroy(host, host.lo0)).toEqual({ ok: false, error: 'EPERM' });
  });

  it('takes its addresses, every route through it, its lltable and its bus port', () => {
    const { host, world } = host1();
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    const keep = unwrap(ifCreate(host, 'shmif1'));
    ifSetLinkstr(host, ifp, 'bus1');
    ifSetLinkstr(host, keep, 'bus2');
    unwrap(inAddAddress(host, ifp, { addr: a('10.0.0.1'), prefixLen: 24 }));
    unwrap(inAddAddress(host, keep, { addr: a('10.1.0.1'), prefixLen: 24 }));
    unwrap(
      rtAdd(host, {
        dst: a('192.168.0.0'),
        prefixLen: 16,
        gateway: { kind: 'addr', addr: a('10.0.0.254') },
        flags: ['GATEWAY'],
      }),
    );
    // A route out another interface whose gateway is a link on this one goes too.
    unwrap(
      rtAdd(host, {
        dst: a('172.16.0.0'),
        prefixLen: 16,
        gateway: { kind: 'link', ifIndex: ifp.index },
        flags: [],
        ifp: keep,
      }),
    );
    unwrap(
      rtAdd(host, {
        dst: a('192.169.0.0'),
        prefixLen: 16,
        gateway: { kind: 'addr', addr: a('10.1.0.254') },
        flags: ['GATEWAY'],
      }),
    );
    host.rt6.insert({
      dst: '2001:db8::' as never,
      prefixLen: 64,
      gateway: { kind: 'link', ifIndex: ifp.index },
      flags: new Set(['UP']),
      ifIndex: ifp.index,
      ifa: '2001:db8::1' as never,
      expireNs: undefined,
      timer: undefined,
    });
    const keep6 = {
      dst: '2001:db8:1::' as never,
      prefixLen: 64,
      gateway: { kind: 'link' as const, ifIndex: keep.index },
      flags: new Set(['UP'] as const),
      ifIndex: keep.index,
      ifa: '2001:db8:1::1' as never,
      expireNs: undefined,
      timer: undefined,
    };
    host.rt6.insert(keep6);
    const ln = ifp.arp.create(a('10.0.0.7'));
    ifp.arp.learn(ln, mac('b2:a0:00:00:00:07'), false);
    unwrap(ifDestroy(host, ifp));
    expect(host.rt6.entries).toEqual([keep6]);
    expect(host.ifByName('shmif0')).toBeUndefined();
    expect(ifp.up).toBe(false);
    expect(host.rt4.entries.some((rt) => rt.ifIndex === ifp.index)).toBe(false);
    expect(host.rt4.exact(a('172.16.0.0'), 16)).toBeUndefined();
    expect(host.rt4.exact(a('192.169.0.0'), 16)).toBeDefined();
    expect(ifp.arp.lookup(a('10.0.0.7'))).toBeUndefined();
    // Nothing written to bus1 reaches the destroyed interface any more.
    const peer = bootHost(world, 'p');
    const pif = unwrap(ifCreate(peer, 'shmif0'));
    expect(ifSetLinkstr(peer, pif, 'bus1').ok).toBe(true);
    expect(
      world.bus('bus1').write(
        pif.portId,
        {
          src: activeMac(pif)!,
          dst: activeMac(pif)!,
          payload: {
            kind: 'arp',
            op: 'request',
            sha: activeMac(pif)!,
            spa: a('1.1.1.1'),
            tha: activeMac(pif)!,
            tpa: a('1.1.1.1'),
          },
        },
        world.nowNs,
      ),
    ).toEqual([]);
  });

  it('an entry set while the interface was down is freed with it', () => {
    const { host } = host1();
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    ifp.arp.setManual(a('10.0.0.7'), mac('b2:a0:00:00:00:07'), { isStatic: true, published: false });
    const n = host.rtsock.log.length;
    unwrap(ifDestroy(host, ifp));
    expect(host.rtsock.log.slice(n).map((m) => m.type)).toEqual(['RTM_DELETE']);
    expect(ifp.arp.entries).toEqual([]);
  });

  it('an interface never attached to a bus is destroyed too', () => {
    const { host } = host1();
    const ifp = unwrap(ifCreate(host, 'tap0'));
    expect(ifDestroy(host, ifp)).toEqual({ ok: true, value: undefined });
    expect(host.ifnets.map((i) => i.name)).toEqual(['lo0']);
  });
});

describe('if_up / if_down', () => {
  it('up sets IFF_UP|IFF_RUNNING; down purges the lltable and detaches the addresses', () => {
    const { host } = host1();
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    ifSetUp(host, ifp, true);
    expect([ifp.up, ifp.running]).toEqual([true, true]);
    const ia = unwrap(inAddAddress(host, ifp, { addr: a('10.0.0.1'), prefixLen: 24 }));
    const ln = ifp.arp.create(a('10.0.0.7'));
    ifp.arp.learn(ln, mac('b2:a0:00:00:00:07'), false);
    ifSetUp(host, ifp, false);
    expect([ifp.up, ifp.running]).toEqual([false, false]);
    expect(ifp.arp.lookup(a('10.0.0.7'))).toBeUndefined();
    expect([...ia.flags]).toEqual(['detached']);
    ifSetUp(host, ifp, true);
    expect([...ia.flags]).toEqual([]);
  });

  it('setting the state it already has runs no hooks', () => {
    const { host } = host1();
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    ifSetUp(host, ifp, true);
    const ia = unwrap(inAddAddress(host, ifp, { addr: a('10.0.0.1'), prefixLen: 24 }));
    ia.flags.add('detached');
    ifSetUp(host, ifp, true);
    expect([...ia.flags]).toEqual(['detached']);
    ifp.up = false;
    ifp.running = true;
    ifSetUp(host, ifp, false);
    expect(ifp.running).toBe(true);
  });
});

describe('shmif linkstr and media', () => {
  it('only shmif has a linkstr: EINVAL elsewhere', () => {
    const { host } = host1();
    const tap = unwrap(ifCreate(host, 'tap0'));
    expect(ifSetLinkstr(host, tap, 'bus1')).toEqual({ ok: false, error: 'EINVAL' });
    expect(tap.busName).toBeUndefined();
  });

  it('attaching brings the link up; -linkstr leaves the bus but not the link state; a new bus replaces the old', () => {
    const { host, world } = host1();
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    expect(ifSetLinkstr(host, ifp, 'bus1')).toEqual({ ok: true, value: undefined });
    expect([ifp.busName, ifp.linkState]).toEqual(['bus1', 'up']);
    const probe = {
      src: 'b2:a0:99:99:99:99' as Mac,
      dst: 'b2:a0:99:99:99:98' as Mac,
      payload: {
        kind: 'arp' as const,
        op: 'request' as const,
        sha: 'b2:a0:99:99:99:99' as Mac,
        spa: a('1.1.1.1'),
        tha: 'b2:a0:99:99:99:99' as Mac,
        tpa: a('1.1.1.1'),
      },
    };
    expect(
      world
        .bus('bus1')
        .write(-1, probe, world.nowNs)
        .map((p) => p.portId),
    ).toEqual([ifp.portId]);
    unwrap(ifSetLinkstr(host, ifp, 'bus2'));
    expect(world.bus('bus1').write(-1, probe, world.nowNs)).toEqual([]);
    expect(world.bus('bus2').write(-1, probe, world.nowNs).length).toBe(1);
    expect(ifSetLinkstr(host, ifp, '')).toEqual({ ok: true, value: undefined });
    expect([ifp.busName, ifp.linkState]).toEqual([undefined, 'up']);
    expect(world.bus('bus2').write(-1, probe, world.nowNs)).toEqual([]);
    // Frames delivered by the bus reach ether_input of this interface.
    unwrap(ifSetLinkstr(host, ifp, 'bus3'));
    ifSetUp(host, ifp, true);
    const before = ifp.counters.ipackets;
    for (const port of world
      .bus('bus3')
      .write(-1, { ...probe, dst: 'ff:ff:ff:ff:ff:ff' as Mac }, world.nowNs))
      port.deliver({ ...probe, dst: 'ff:ff:ff:ff:ff:ff' as Mac });
    expect(ifp.counters.ipackets).toBe(before + 1);
  });

  it('media none takes the link down and detaches addresses; auto brings them back; lo0 has no media', () => {
    const { host, world } = host1();
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    unwrap(ifSetLinkstr(host, ifp, 'bus1'));
    const ia = unwrap(inAddAddress(host, ifp, { addr: a('10.0.0.1'), prefixLen: 24 }));
    expect(ifSetMedia(host, host.lo0, 'none')).toEqual({ ok: false, error: 'EINVAL' });
    expect(ifSetMedia(host, ifp, 'none')).toEqual({ ok: true, value: undefined });
    expect(ifp.linkState).toBe('down');
    expect([...ia.flags]).toEqual(['detached']);
    expect(ifSetMedia(host, ifp, 'none')).toEqual({ ok: true, value: undefined });
    host.sysctl['net.inet.ip.dad_count'] = 1;
    expect(ifSetMedia(host, ifp, 'auto')).toEqual({ ok: true, value: undefined });
    expect(ifp.linkState).toBe('up');
    expect([...ia.flags]).toEqual(['tentative']);
    world.runFor(10 * NS_PER_SECOND);
    expect([...ia.flags]).toEqual([]);
    ia.flags.add('detached');
    unwrap(ifSetMedia(host, ifp, 'auto'));
    expect([...ia.flags]).toEqual(['detached']);
  });
});

describe('link addresses', () => {
  it('lo0 takes none: EINVAL', () => {
    const { host } = host1();
    expect(ifAddLink(host, host.lo0, mac('b2:a0:00:00:00:01'), true)).toEqual({ ok: false, error: 'EINVAL' });
  });

  it('an inactive add only lists it; activating re-announces every usable address from the new MAC', () => {
    const { host, world } = host1();
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    unwrap(ifSetLinkstr(host, ifp, 'bus1'));
    unwrap(inAddAddress(host, ifp, { addr: a('10.0.0.1'), prefixLen: 24 }));
    const busy = unwrap(inAddAddress(host, ifp, { addr: a('10.0.1.1'), prefixLen: 24 }));
    busy.flags.add('tentative');
    const old = activeMac(ifp)!;
    const fresh = mac('b2:a0:00:00:00:42');
    const bus = world.bus('bus1');
    let n = bus.capture.length;
    unwrap(ifAddLink(host, ifp, fresh, false));
    expect(ifp.lladdrs).toEqual([
      { mac: old, active: true },
      { mac: fresh, active: false },
    ]);
    expect(bus.capture.length).toBe(n);
    unwrap(ifAddLink(host, ifp, fresh, false));
    expect(ifp.lladdrs.length).toBe(2);
    unwrap(ifAddLink(host, ifp, fresh, true));
    expect(activeMac(ifp)).toBe(fresh);
    expect(ifp.lladdrs).toEqual([
      { mac: old, active: false },
      { mac: fresh, active: true },
    ]);
    expect(bus.capture.slice(n).map((c) => c.frame)).toMatchObject([
      { src: fresh, payload: { kind: 'arp', sha: fresh, spa: a('10.0.0.1'), tpa: a('10.0.0.1') } },
    ]);
    n = bus.capture.length;
    unwrap(ifAddLink(host, ifp, fresh, true));
    expect(bus.capture.length).toBe(n);
    ifSetUp(host, ifp, false);
    unwrap(ifAddLink(host, ifp, old, true));
    expect(activeMac(ifp)).toBe(old);
    expect(bus.capture.length).toBe(n);
  });

  it('delete: EADDRNOTAVAIL for an unknown one, EBUSY for the active one', () => {
    const { host } = host1();
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    const active = activeMac(ifp)!;
    const spare = mac('b2:a0:00:00:00:42');
    expect(ifDeleteLink(ifp, spare)).toEqual({ ok: false, error: 'EADDRNOTAVAIL' });
    unwrap(ifAddLink(host, ifp, spare, false));
    expect(ifDeleteLink(ifp, active)).toEqual({ ok: false, error: 'EBUSY' });
    expect(ifDeleteLink(ifp, spare)).toEqual({ ok: true, value: undefined });
    expect(ifp.lladdrs).toEqual([{ mac: active, active: true }]);
    // The first one, once inactive, can go.
    unwrap(ifAddLink(host, ifp, spare, true));
    expect(ifDeleteLink(ifp, active)).toEqual({ ok: true, value: undefined });
    expect(ifp.lladdrs).toEqual([{ mac: spare, active: true }]);
  });
});

describe('IFF_NOARP', () => {
  it('setting it drops the cache; clearing it keeps what is there', () => {
    const { host } = host1();
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    unwrap(inAddAddress(host, ifp, { addr: a('10.0.0.1'), prefixLen: 24 }));
    const learn = (ip: string) => ifp.arp.learn(ifp.arp.create(a(ip)), mac('b2:a0:00:00:00:07'), false);
    learn('10.0.0.7');
    ifSetNoarp(ifp, false);
    expect(ifp.noarp).toBe(false);
    expect(ifp.arp.lookup(a('10.0.0.7'))).toBeDefined();
    ifSetNoarp(ifp, true);
    expect(ifp.noarp).toBe(true);
    expect(ifp.arp.lookup(a('10.0.0.7'))).toBeUndefined();
  });
});
