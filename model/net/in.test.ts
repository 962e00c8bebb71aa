/**
 * IPv4 interface addresses: the routes they bring, their IN_IFF_* flags through DAD and link
 * changes, and the routing messages (NetBSD sys/netinet/in.c in_ifinit, in_addprefix,
 * in_scrubprefix, in_purgeaddr, in_if_link_up/down; net/if_ethersubr.c ether_ioctl).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { Ifnet } from './ifnet.ts';
import { ifCreate, ifSetLinkstr, ifSetMedia, ifSetUp } from './ifops.ts';
import { inAddAddress, inDeleteAddress, inIfDown, inIfLinkDown, inIfLinkUp } from './in.ts';
import { type InAddr, parseInAddr } from './inet.ts';
import { ETHER_BROADCAST, type Mac, parseMac } from './mac.ts';
import { rtRemove } from './rtops.ts';
import { NetWorld } from './world.ts';

const a = (text: string): InAddr => {
  const addr = parseInAddr(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};
const mac = (text: string): Mac => parseMac(text) as Mac;

function host1(dadCount = 0) {
  const world = new NetWorld(1);
  const host = bootHost(world, 'h');
  host.sysctl['net.inet.ip.dad_count'] = dadCount;
  const ifp = unwrap(ifCreate(host, 'shmif0'));
  ifSetLinkstr(host, ifp, 'bus1');
  const bus = world.bus('bus1');
  const frames = (from = 0) => bus.capture.slice(from).map((c) => c.frame);
  return { world, host, ifp, frames };
}

const add = (
  host: ReturnType<typeof host1>['host'],
  ifp: Ifnet,
  addr: string,
  prefixLen = 24,
  broadcast?: string,
) =>
  unwrap(
    inAddAddress(host, ifp, {
      addr: a(addr),
      prefixLen,
      ...(broadcast === undefined ? {} : { broadcast: a(broadcast) }),
    }),
  );

describe('SIOCAIFADDR', () => {
  it('brings the interface up, adds the local route via lo0 and the connected route, announces', () => {
    const { host, ifp, frames } = host1();
    expect(ifp.up).toBe(false);
    const n = host.rtsock.log.length;
    const ia = add(host, ifp, '10.0.0.1');
    expect(ifp.up && ifp.running).toBe(true);
    expect(ia).toMatchObject({ prefixLen: 24, broadcast: a('10.0.0.255') });
    expect([...ia.flags]).toEqual([]);
    const local = host.rt4.exact(a('10.0.0.1'), 32)!;
    expect([...local.flags]).toEqual(['UP', 'HOST', 'LOCAL']);
    expect(local).toMatchObject({
      ifIndex: host.lo0.index,
      ifa: a('10.0.0.1'),
      gateway: { kind: 'link', ifIndex: ifp.index },
    });
    const net = host.rt4.exact(a('10.0.0.0'), 24)!;
    expect([...net.flags]).toEqual(['UP', 'CONNECTED']);
    expect(net).toMatchObject({ ifIndex: ifp.index, ifa: a('10.0.0.1') });
    expect(host.rtsock.log.slice(n).map((m) => m.type)).toEqual(['RTM_ADD', 'RTM_ADD', 'RTM_NEWADDR']);
    expect(host.rtsock.log.at(-1)?.addrs).toEqual({ IFA: { kind: 'inet', addr: a('10.0.0.1') } });
    // Without DAD the address is announced at once (gratuitous ARP).
    expect(frames()).toMatchObject([
      {
        dst: ETHER_BROADCAST,
        payload: { kind: 'arp', op: 'request', spa: a('10.0.0.1'), tpa: a('10.0.0.1') },
      },
    ]);
  });

  it('a /32 has no connected route; an explicit broadcast is kept', () => {
    const { host, ifp } = host1();
    add(host, ifp, '10.0.0.1', 32);
    expect(host.rt4.entries.filter((rt) => rt.ifIndex === ifp.index)).toEqual([]);
    const ia = add(host, ifp, '10.0.1.1', 24, '10.0.1.127');
    expect(ia.broadcast).toBe(a('10.0.1.127'));
  });

  it('loopback addresses get a local route but no connected route and no announcement', () => {
    const { host } = host1();
    const n = host.rt4.entries.length;
    add(host, host.lo0, '127.0.0.2', 8);
    expect(host.rt4.entries.length).toBe(n + 1);
    expect(host.rt4.exact(a('127.0.0.2'), 32)?.flags.has('LOCAL')).toBe(true);
  });

  it('a second address on the same net shares the connected route; deleting the owner hands it over', () => {
    const { host, ifp } = host1();
    add(host, ifp, '10.0.0.1');
    add(host, ifp, '10.0.0.2');
    const net = host.rt4.exact(a('10.0.0.0'), 24)!;
    expect(net.ifa).toBe(a('10.0.0.1'));
    unwrap(inDeleteAddress(host, ifp, a('10.0.0.2')));
    expect(host.rt4.exact(a('10.0.0.0'), 24)).toBe(net);
    add(host, ifp, '10.0.0.2');
    unwrap(inDeleteAddress(host, ifp, a('10.0.0.1')));
    const handed = host.rt4.exact(a('10.0.0.0'), 24)!;
    expect(handed).not.toBe(net);
    expect(handed.ifa).toBe(a('10.0.0.2'));
    expect(host.rt4.exact(a('10.0.0.1'), 32)).toBeUndefined();
    expect(host.rt4.exact(a('10.0.0.2'), 32)).toBeDefined();
  });

  it('a sibling with another prefix length does not inherit the connected route', () => {
    const { host, ifp } = host1();
    add(host, ifp, '10.0.0.1');
    add(host, ifp, '10.0.0.2', 16);
    unwrap(inDeleteAddress(host, ifp, a('10.0.0.1')));
    expect(host.rt4.exact(a('10.0.0.0'), 24)).toBeUndefined();
    expect(host.rt4.exact(a('10.0.0.0'), 16)?.ifa).toBe(a('10.0.0.2'));
  });

  it('the sibling may live on another interface', () => {
    const { host, ifp } = host1();
    const if1 = unwrap(ifCreate(host, 'shmif1'));
    add(host, ifp, '10.0.0.1');
    add(host, if1, '10.0.0.2');
    unwrap(inDeleteAddress(host, ifp, a('10.0.0.1')));
    expect(host.rt4.exact(a('10.0.0.0'), 24)).toMatchObject({ ifIndex: if1.index, ifa: a('10.0.0.2') });
  });

  it('re-adding an address with a new prefix replaces its connected route and broadcast', () => {
    const { host, ifp } = host1();
    const ia = add(host, ifp, '10.0.0.1');
    ia.flags.add('duplicated');
    const again = add(host, ifp, '10.0.0.1', 16);
    expect(again).toBe(ia);
    expect(ifp.inAddrs.length).toBe(1);
    expect(ia).toMatchObject({ prefixLen: 16, broadcast: a('10.0.255.255') });
    expect([...ia.flags]).toEqual([]);
    expect(host.rt4.exact(a('10.0.0.0'), 24)).toBeUndefined();
    expect(host.rt4.exact(a('10.0.0.0'), 16)).toBeDefined();
    add(host, ifp, '10.0.0.1', 16, '10.0.0.255');
    expect(ia.broadcast).toBe(a('10.0.0.255'));
  });

  it('a connected route someone else added by hand is not scrubbed with the address', () => {
    const { host, ifp } = host1();
    add(host, ifp, '10.0.0.1');
    const net = host.rt4.exact(a('10.0.0.0'), 24)!;
    net.flags.delete('CONNECTED');
    unwrap(inDeleteAddress(host, ifp, a('10.0.0.1')));
    expect(host.rt4.exact(a('10.0.0.0'), 24)).toBe(net);
  });

  it('on a link that is down the address is detached and not announced', () => {
    const { host, ifp, frames } = host1(3);
    ifSetMedia(host, ifp, 'none');
    const ia = add(host, ifp, '10.0.0.1');
    expect([...ia.flags]).toEqual(['detached']);
    expect(ia.dad).toBeUndefined();
    expect(frames()).toEqual([]);
  });

  it('with DAD a new address is tentative and probes; an existing one re-added is not', () => {
    const { host, ifp, world, frames } = host1(3);
    ifSetUp(host, ifp, true);
    const ia = add(host, ifp, '10.0.0.1');
    expect([...ia.flags]).toEqual(['tentative']);
    expect(ia.dad).toBeDefined();
    world.runFor(20 * NS_PER_SECOND);
    expect([...ia.flags]).toEqual([]);
    expect(frames().filter((f) => f.payload.kind === 'arp' && f.payload.spa === 0).length).toBe(3);
    const n = frames().length;
    add(host, ifp, '10.0.0.1', 16);
    expect([...ia.flags]).toEqual([]);
    expect(frames(n).length).toBe(1);
  });

  it('DAD needs the interface up and running, and a non-zero dad_count', () => {
    const { host, ifp } = host1(3);
    // Down: ether_ioctl brings it up without the if_up hooks, so no DAD for this address.
    const ia = add(host, ifp, '10.0.0.1');
    expect([...ia.flags]).toEqual([]);
    const off = host1(0);
    ifSetUp(off.host, off.ifp, true);
    expect([...add(off.host, off.ifp, '10.0.0.1').flags]).toEqual([]);
  });
});

describe('corner cases of in_ifinit and link changes', () => {
  it('loopback addresses never run DAD', () => {
    const { host } = host1(3);
    const ia = add(host, host.lo0, '127.0.0.2', 8);
    expect([...ia.flags]).toEqual([]);
    expect(ia.dad).toBeUndefined();
  });

  it('an interface that is up but not running keeps IFF_RUNNING clear when an address is added', () => {
    const { host, ifp } = host1();
    ifp.up = true;
    add(host, ifp, '10.0.0.1');
    expect(ifp.running).toBe(false);
  });

  it('deleting an address whose local route was removed by hand', () => {
    const { host, ifp } = host1();
    add(host, ifp, '10.0.0.1');
    rtRemove(host, host.rt4.exact(a('10.0.0.1'), 32)!);
    expect(inDeleteAddress(host, ifp, a('10.0.0.1')).ok).toBe(true);
  });

  it('link down during DAD: the tentative address is detached, not tentative', () => {
    const { host, ifp } = host1(3);
    ifSetUp(host, ifp, true);
    const ia = add(host, ifp, '10.0.0.1');
    expect([...ia.flags]).toEqual(['tentative']);
    inIfLinkDown(host, ifp);
    expect([...ia.flags]).toEqual(['detached']);
  });

  it('link up leaves a usable address alone', () => {
    const { host, ifp, frames } = host1(3);
    ifSetUp(host, ifp, true);
    const ia = add(host, ifp, '10.0.0.1');
    ia.flags.delete('tentative');
    const n = frames().length;
    inIfLinkUp(host, ifp);
    expect([...ia.flags]).toEqual([]);
    expect(frames(n)).toEqual([]);
  });
});

describe('connected routes and the cache, more', () => {
  it('lo0 at boot has its local route but no 127/8 connected route', () => {
    const { host } = host1();
    expect(host.rt4.exact(a('127.0.0.1'), 32)).toBeDefined();
    expect(host.rt4.exact(a('127.0.0.0'), 8)).toBeUndefined();
  });

  it('the connected route goes to a sibling of the same prefix length, skipping one of another length', () => {
    const { host, ifp } = host1();
    const if1 = unwrap(ifCreate(host, 'shmif1'));
    add(host, ifp, '10.0.0.1');
    add(host, ifp, '10.0.0.2', 16);
    add(host, if1, '10.0.0.3');
    unwrap(inDeleteAddress(host, ifp, a('10.0.0.1')));
    expect(host.rt4.exact(a('10.0.0.0'), 24)).toMatchObject({ ifIndex: if1.index, ifa: a('10.0.0.3') });
  });

  it('deleting an address that shares its connected route still frees the dynamic entries on its net', () => {
    const { host, ifp } = host1();
    add(host, ifp, '10.0.0.1');
    add(host, ifp, '10.0.0.2');
    ifp.arp.learn(ifp.arp.create(a('10.0.0.7')), mac('b2:a0:00:00:00:07'), false);
    ifp.arp.setManual(a('10.0.0.8'), mac('b2:a0:00:00:00:08'), { isStatic: true, published: false });
    unwrap(inDeleteAddress(host, ifp, a('10.0.0.2')));
    expect(host.rt4.exact(a('10.0.0.0'), 24)).toBeDefined();
    expect(ifp.arp.lookup(a('10.0.0.7'))).toBeUndefined();
    expect(ifp.arp.lookup(a('10.0.0.8'))).toBeDefined();
  });

  it('link up starts no DAD for a usable address', () => {
    const { host, ifp, world, frames } = host1(0);
    ifSetUp(host, ifp, true);
    const ia = add(host, ifp, '10.0.0.1');
    host.sysctl['net.inet.ip.dad_count'] = 3;
    const n = frames().length;
    inIfLinkUp(host, ifp);
    world.runFor(20 * NS_PER_SECOND);
    expect(frames(n)).toEqual([]);
    expect(ia.dad).toBeUndefined();
  });
});

describe('SIOCDIFADDR', () => {
  it('EADDRNOTAVAIL for an address the interface does not have', () => {
    const { host, ifp } = host1();
    expect(inDeleteAddress(host, ifp, a('10.0.0.1'))).toEqual({ ok: false, error: 'EADDRNOTAVAIL' });
  });

  it('removes the routes, frees the covered dynamic ARP entries, stops DAD, sends RTM_DELADDR', () => {
    const { host, ifp, world, frames } = host1(3);
    ifSetUp(host, ifp, true);
    add(host, ifp, '10.0.0.1');
    const ln = ifp.arp.create(a('10.0.0.7'));
    ifp.arp.learn(ln, mac('b2:a0:00:00:00:07'), false);
    const other = ifp.arp.create(a('10.9.0.7'));
    ifp.arp.learn(other, mac('b2:a0:00:00:00:08'), false);
    const n = host.rtsock.log.length;
    unwrap(inDeleteAddress(host, ifp, a('10.0.0.1')));
    expect(ifp.inAddrs).toEqual([]);
    expect(ifp.arp.lookup(a('10.0.0.7'))).toBeUndefined();
    expect(ifp.arp.lookup(a('10.9.0.7'))).toBeDefined();
    expect(host.rtsock.log.slice(n).map((m) => m.type)).toEqual([
      'RTM_DELETE',
      'RTM_DELETE',
      'RTM_DELETE',
      'RTM_DELADDR',
    ]);
    expect(host.rtsock.log.at(-1)?.addrs).toEqual({ IFA: { kind: 'inet', addr: a('10.0.0.1') } });
    const sent = frames().length;
    world.runFor(20 * NS_PER_SECOND);
    expect(frames().length).toBe(sent);
  });

  it('the local route stays when another interface owns the same address', () => {
    const { host, ifp } = host1();
    const if1 = unwrap(ifCreate(host, 'shmif1'));
    add(host, ifp, '10.0.0.1');
    add(host, if1, '10.0.0.1');
    unwrap(inDeleteAddress(host, if1, a('10.0.0.1')));
    expect(host.rt4.exact(a('10.0.0.1'), 32)).toBeDefined();
  });

  it('a non-local host route to the address is left alone', () => {
    const { host, ifp } = host1();
    add(host, ifp, '10.0.0.1');
    host.rt4.exact(a('10.0.0.1'), 32)!.flags.delete('LOCAL');
    unwrap(inDeleteAddress(host, ifp, a('10.0.0.1')));
    expect(host.rt4.exact(a('10.0.0.1'), 32)).toBeDefined();
  });
});

describe('link state', () => {
  it('link down detaches every address and stops DAD; link up re-runs DAD on them', () => {
    const { host, ifp, world, frames } = host1(3);
    ifSetUp(host, ifp, true);
    const ia = add(host, ifp, '10.0.0.1');
    ia.flags.add('duplicated');
    inIfLinkDown(host, ifp);
    expect([...ia.flags]).toEqual(['detached']);
    expect(ia.dad).toBeUndefined();
    inIfLinkDown(host, ifp);
    expect([...ia.flags]).toEqual(['detached']);
    inIfLinkUp(host, ifp);
    expect([...ia.flags]).toEqual(['tentative']);
    expect(ia.dad).toBeDefined();
    const n = frames().length;
    world.runFor(20 * NS_PER_SECOND);
    expect(frames(n).length).toBe(5);
    expect([...ia.flags]).toEqual([]);
  });

  it('without DAD a detached address is announced when the link comes back', () => {
    const { host, ifp, frames } = host1(0);
    const ia = add(host, ifp, '10.0.0.1');
    inIfLinkDown(host, ifp);
    const n = frames().length;
    inIfLinkUp(host, ifp);
    expect([...ia.flags]).toEqual([]);
    expect(frames(n)).toMatchObject([{ payload: { kind: 'arp', spa: a('10.0.0.1'), tpa: a('10.0.0.1') } }]);
  });

  it('a tentative address that is not detached restarts DAD on link up', () => {
    const { host, ifp } = host1(3);
    ifSetUp(host, ifp, true);
    const ia = add(host, ifp, '10.0.0.1');
    const first = ia.dad;
    ia.flags.add('duplicated');
    inIfLinkUp(host, ifp);
    expect(ia.dad).not.toBe(first);
    expect([...ia.flags]).toEqual(['tentative']);
  });

  it('link up does nothing while the link is down, the interface down, or on lo0', () => {
    const { host, ifp } = host1(3);
    ifSetUp(host, ifp, true);
    const ia = add(host, ifp, '10.0.0.1');
    inIfLinkDown(host, ifp);
    ifp.linkState = 'down';
    inIfLinkUp(host, ifp);
    expect([...ia.flags]).toEqual(['detached']);
    ifp.linkState = 'up';
    ifp.running = false;
    inIfLinkUp(host, ifp);
    expect([...ia.flags]).toEqual(['detached']);
    ifp.running = true;
    ifp.up = false;
    inIfLinkUp(host, ifp);
    expect([...ia.flags]).toEqual(['detached']);
    const lo = host.lo0;
    const loIa = lo.inAddrs[0]!;
    loIa.flags.add('detached');
    inIfLinkUp(host, lo);
    expect([...loIa.flags]).toEqual(['detached']);
  });

  it('if down also empties the lltable', () => {
    const { host, ifp } = host1();
    add(host, ifp, '10.0.0.1');
    const st = ifp.arp.create(a('10.9.9.9'));
    ifp.arp.learn(st, mac('b2:a0:00:00:00:07'), false);
    inIfDown(host, ifp);
    expect(ifp.arp.lookup(a('10.9.9.9'))).toBeUndefined();
    expect([...ifp.inAddrs[0]!.flags]).toEqual(['detached']);
  });
});
