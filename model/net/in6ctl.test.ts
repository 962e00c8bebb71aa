/**
 * IPv6 interface addresses (NetBSD sys/netinet6/in6.c in6_update_ifa, in6_purgeaddr,
 * in6_if_up / in6_if_down, in6_ifattach / in6_ifdetach, nd6.c nd6_timer): the routes an address
 * brings and takes, DAD, the detached state of a down link, lifetimes, the routing messages.
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { Host } from './host.ts';
import type { Ifnet, In6Flag } from './ifnet.ts';
import { ifCreate, ifSetLinkstr, ifSetMedia } from './ifops.ts';
import { type In6Addr, in6Embed, parseIn6 } from './in6.ts';
import {
  type In6AddRequest,
  in6AddAddress,
  in6DeleteAddress,
  in6Hooks,
  in6IfAttach,
  in6IfDetach,
  in6IfDown,
  in6IfUp,
  in6LifetimeLeft,
  in6LinkActivated,
  nd6Start,
} from './in6ctl.ts';
import { type Mac, parseMac } from './mac.ts';
import { nd6Of } from './nd6.ts';
import { rt6Add } from './rt6ops.ts';
import { NetWorld } from './world.ts';

const a6 = (text: string): In6Addr => {
  const addr = parseIn6(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};
const SECOND_NS = 1_000_000_000;
const MAC = parseMac('b2:a0:00:00:00:99') as Mac;

/** A host with IPv6 and shmif0 (index 2) on bus1, not yet up; DAD as asked (default none). */
function host1(dadCount = 0) {
  const world = new NetWorld(1);
  const host = bootHost(world, 'h', { libs: ['netinet6'] });
  host.sysctl['net.inet6.ip6.dad_count'] = dadCount;
  const ifp = unwrap(ifCreate(host, 'shmif0'));
  unwrap(ifSetLinkstr(host, ifp, 'bus1'));
  const add = (addr: string, more: Partial<In6AddRequest> = {}, on: Ifnet = ifp) =>
    in6AddAddress(host, on, { addr: a6(addr), prefixLen: 64, ...more });
  const monitor = () => {
    const from = host.rtsock.log.length;
    return () => host.rtsock.log.slice(from);
  };
  /** DAD probes (NS from ::) on bus1 from now on, by target. */
  const probes = () => {
    const from = world.bus('bus1').capture.length;
    return () =>
      world
        .bus('bus1')
        .capture.slice(from)
        .flatMap((c) => {
          const p = c.frame.payload;
          if (p.kind !== 'ipv6' || p.src !== '::' || p.body.proto !== 'icmp6' || p.body.icmp6.type !== 'ns')
            return [];
          return [{ target: p.body.icmp6.target, atNs: c.atNs }];
        });
  };
  const routes = () =>
    host.rt6.entries
      .filter(
        (rt) => rt.ifIndex === ifp.index || (rt.gateway.kind === 'link' && rt.gateway.ifIndex === ifp.index),
      )
      .map((rt) => `${rt.dst}/${rt.prefixLen} ${[...rt.flags].join(',')} if${rt.ifIndex} ${rt.ifa}`)
      .sort();
  return { world, host, ifp, add, monitor, probes, routes };
}

const flags = (set: ReadonlySet<In6Flag>): In6Flag[] => [...set].sort();

describe('SIOCAIFADDR_IN6', () => {
  it('EAFNOSUPPORT on a kernel without netinet6', () => {
    const host = bootHost(new NetWorld(1), 'v4');
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    expect(in6AddAddress(host, ifp, { addr: a6('fc00:1::1'), prefixLen: 64 })).toEqual({
      ok: false,
      error: 'EAFNOSUPPORT',
    });
    expect(ifp.in6Addrs).toEqual([]);
  });

  it('EINVAL for a preferred lifetime beyond the valid one, or a valid lifetime alone', () => {
    const { add, ifp } = host1();
    expect(add('fc00:1::1', { pltimeSeconds: 20, vltimeSeconds: 10 })).toEqual({
      ok: false,
      error: 'EINVAL',
    });
    expect(add('fc00:1::1', { vltimeSeconds: 10 })).toEqual({ ok: false, error: 'EINVAL' });
    expect(ifp.in6Addrs.filter((ia) => !ia.linkLocal)).toEqual([]);
    expect(unwrap(add('fc00:1::1', { pltimeSeconds: 10, vltimeSeconds: 10 }))).toMatchObject({
      pltimeSeconds: 10,
      vltimeSeconds: 10,
    });
    expect(unwrap(add('fc00:1::2', { pltimeSeconds: 10 }))).toMatchObject({
      pltimeSeconds: 10,
      vltimeSeconds: undefined,
    });
  });

  it('brings the interface up; the local route via lo0, the prefix route, RTM_NEWADDR; then the link-local', () => {
    const { host, ifp, add, monitor, routes } = host1();
    expect(ifp.up).toBe(false);
    const seen = monitor();
    const ia = unwrap(add('fc00:1::1'));
    expect(ifp.up && ifp.running).toBe(true);
    expect(ia).toMatchObject({
      addr: 'fc00:1::1',
      prefixLen: 64,
      linkLocal: false,
      lifetimeBaseNs: host.world.nowNs,
    });
    expect(flags(ia.flags)).toEqual([]);
    const ll = ifp.in6Addrs.find((a) => a.linkLocal)?.addr ?? '';
    expect(ll).toBe('fe80::b0a0:ff:fe00:2');
    expect(routes()).toEqual([
      'fc00:1::/64 UP,CONNECTED if2 fc00:1::1',
      'fc00:1::1/128 UP,HOST,LOCAL if1 fc00:1::1',
      `fe80:2::/64 UP,CONNECTED if2 ${ll}`,
      `fe80:2::b0a0:ff:fe00:2/128 UP,HOST,LOCAL if1 ${ll}`,
    ]);
    expect(host.rt6.exact(a6('fc00:1::1'), 128)?.gateway).toEqual({ kind: 'link', ifIndex: ifp.index });
    expect(seen().map((m) => `${m.type} ${m.addrs.IFA?.kind === 'inet6' ? m.addrs.IFA.text : ''}`)).toEqual([
      'RTM_ADD ',
      'RTM_ADD ',
      'RTM_NEWADDR fc00:1::1',
      'RTM_ADD ',
      'RTM_ADD ',
      `RTM_NEWADDR ${ll}`,
    ]);
  });

  it('a /128 brings only its local route; a global address on lo0 no prefix route', () => {
    const { host, add, routes } = host1();
    add('fc00:1::1', { prefixLen: 128 });
    expect(routes().filter((r) => r.startsWith('fc00'))).toEqual([
      'fc00:1::1/128 UP,HOST,LOCAL if1 fc00:1::1',
    ]);
    unwrap(add('fc00:9::1', {}, host.lo0));
    expect(host.rt6.exact(a6('fc00:9::'), 64)).toBeUndefined();
    expect(host.rt6.exact(a6('fc00:9::1'), 128)?.flags.has('LOCAL')).toBe(true);
  });

  it('a point-to-point address: a host route to the far end instead of a prefix route', () => {
    const { host, add, routes } = host1();
    add('fc00:1::1', { dstaddr: a6('fc00:1::2') });
    expect(routes().filter((r) => r.startsWith('fc00'))).toEqual([
      'fc00:1::1/128 UP,HOST,LOCAL if1 fc00:1::1',
      'fc00:1::2/128 UP,HOST if2 fc00:1::1',
    ]);
    unwrap(in6DeleteAddress(host, host.ifByName('shmif0') as Ifnet, a6('fc00:1::1')));
    expect(routes().filter((r) => r.startsWith('fc00'))).toEqual([]);
  });

  it('a point-to-point peer already routed through another interface keeps that route', () => {
    const { host, ifp, add } = host1();
    const other = unwrap(ifCreate(host, 'shmif1'));
    unwrap(ifSetLinkstr(host, other, 'bus2'));
    const link = { kind: 'link', ifIndex: other.index } as const;
    const ifa = a6('fc00:2::1');
    const peer = unwrap(
      rt6Add(host, { dst: a6('fc00:1::2'), prefixLen: 128, gateway: link, flags: ['HOST'], ifa }),
    );
    unwrap(add('fc00:1::1', { dstaddr: a6('fc00:1::2') }));
    unwrap(in6DeleteAddress(host, ifp, a6('fc00:1::1')));
    expect(host.rt6.exact(a6('fc00:1::2'), 128)).toBe(peer);
  });

  it('a route already there stays as it is', () => {
    const { host, ifp, add } = host1();
    unwrap(add('fc00:2::1'));
    const other = unwrap(ifCreate(host, 'shmif1'));
    unwrap(ifSetLinkstr(host, other, 'bus2'));
    const link = { kind: 'link', ifIndex: other.index } as const;
    const ifa = a6('fc00:2::1');
    const admin = unwrap(
      rt6Add(host, { dst: a6('fc00:1::'), prefixLen: 64, gateway: link, flags: ['STATIC'], ifa }),
    );
    const peer = unwrap(
      rt6Add(host, { dst: a6('fc00:1::1'), prefixLen: 128, gateway: link, flags: ['HOST', 'STATIC'], ifa }),
    );
    unwrap(add('fc00:1::1'));
    expect(host.rt6.exact(a6('fc00:1::'), 64)).toBe(admin);
    expect(host.rt6.exact(a6('fc00:1::1'), 128)).toBe(peer);
    // Deleting the address leaves routes it did not make: not LOCAL, or of another interface.
    unwrap(in6DeleteAddress(host, ifp, a6('fc00:1::1')));
    expect(host.rt6.exact(a6('fc00:1::'), 64)).toBe(admin);
    expect(host.rt6.exact(a6('fc00:1::1'), 128)).toBe(peer);
  });

  it('again for an address it has: the same entry with new flags, prefix and lifetimes', () => {
    const { world, host, ifp, add } = host1();
    const ia = unwrap(
      add('fc00:1::1', { flags: ['anycast', 'autoconf', 'nodad', 'temporary'], pltimeSeconds: 10 }),
    );
    ia.flags.add('duplicated');
    ia.flags.add('deprecated');
    world.runFor(5 * SECOND_NS);
    expect(unwrap(add('fc00:1::1', { prefixLen: 48 }))).toBe(ia);
    expect(flags(ia.flags)).toEqual([]);
    const again = unwrap(add('fc00:1::1', { prefixLen: 48, flags: ['temporary'] }));
    expect(again).toBe(ia);
    expect(ifp.in6Addrs.filter((a) => a.addr === 'fc00:1::1')).toHaveLength(1);
    expect(flags(ia.flags)).toEqual(['temporary']);
    expect(ia).toMatchObject({ prefixLen: 48, pltimeSeconds: undefined, lifetimeBaseNs: world.nowNs });
    expect(host.rt6.exact(a6('fc00:1::'), 64)).toBeUndefined();
    expect(host.rt6.exact(a6('fc00:1::'), 48)?.flags.has('CONNECTED')).toBe(true);
  });

  it('deprecated: a zero preferred lifetime, flagged by the nd6 timer', () => {
    const { world, add } = host1();
    const ia = unwrap(add('fc00:1::1', { flags: ['deprecated', 'autoconf'] }));
    expect(ia.pltimeSeconds).toBe(0);
    expect(flags(ia.flags)).toEqual(['autoconf']);
    world.runFor(2 * SECOND_NS);
    expect(flags(ia.flags)).toEqual(['autoconf', 'deprecated']);
  });

  it('on a link that is down: detached, not tentative, no DAD', () => {
    const { host, ifp, add, probes } = host1(1);
    unwrap(ifSetMedia(host, ifp, 'none'));
    const heard = probes();
    const ia = unwrap(add('fc00:1::1'));
    expect(flags(ia.flags)).toEqual(['detached']);
    expect(heard()).toEqual([]);
  });

  it('again for a tentative address on a link gone down: detached, no longer tentative', () => {
    const { host, ifp, add } = host1(1);
    ifp.up = true;
    ifp.running = true;
    const ia = unwrap(add('fc00:1::1'));
    expect(flags(ia.flags)).toEqual(['tentative']);
    unwrap(ifSetMedia(host, ifp, 'none'));
    unwrap(add('fc00:1::1'));
    expect(flags(ia.flags)).toEqual(['detached']);
  });

  it('lo0 taken down stays down when it gets an address', () => {
    const { host, add } = host1();
    host.lo0.up = false;
    unwrap(add('fc00:9::1', {}, host.lo0));
    expect(host.lo0.up).toBe(false);
  });
});

describe('DAD of a new address', () => {
  it('tentative at once with a probe right away; usable after the probe', () => {
    const { world, ifp, add, probes } = host1(1);
    ifp.up = true;
    ifp.running = true;
    const heard = probes();
    const start = world.nowNs;
    const ia = unwrap(add('fc00:1::1'));
    expect(flags(ia.flags)).toEqual(['tentative']);
    world.runFor(2 * SECOND_NS);
    expect(heard()).toEqual([{ target: 'fc00:1::1', atNs: start }]);
    expect(flags(ia.flags)).toEqual([]);
  });

  it('delayed DAD waits a random time below a second first', () => {
    const { world, ifp, add, probes } = host1(1);
    ifp.up = true;
    ifp.running = true;
    const heard = probes();
    const start = world.nowNs;
    unwrap(add('fc00:1::1', { dad: 'delayed' }));
    world.runFor(3 * SECOND_NS);
    const first = heard().find((p) => p.target === 'fc00:1::1');
    expect(first?.atNs).toBeGreaterThan(start);
    expect(first?.atNs).toBeLessThan(start + SECOND_NS);
  });

  it('none with dad none, nodad, anycast, dad_count 0, or on lo0', () => {
    for (const more of [{ dad: 'none' }, { flags: ['nodad'] }, { flags: ['anycast'] }] as const) {
      const { ifp, add } = host1(1);
      ifp.up = true;
      ifp.running = true;
      expect(flags(unwrap(add('fc00:1::1', more)).flags), JSON.stringify(more)).not.toContain('tentative');
    }
    const zero = host1(0);
    zero.ifp.up = true;
    zero.ifp.running = true;
    expect(flags(unwrap(zero.add('fc00:1::1')).flags)).toEqual([]);
    const lo = host1(1);
    expect(flags(unwrap(lo.add('fc00:9::1', {}, lo.host.lo0)).flags)).toEqual([]);
  });

  it('the address that brings its interface up skips DAD (not running yet); the new link-local has it', () => {
    const { world, ifp, add, probes } = host1(1);
    const heard = probes();
    const ia = unwrap(add('fc00:1::1'));
    const ll = ifp.in6Addrs.find((a) => a.linkLocal);
    expect(flags(ia.flags)).toEqual([]);
    expect(ll !== undefined && flags(ll.flags)).toEqual(['tentative']);
    world.runFor(3 * SECOND_NS);
    expect(heard().map((p) => p.target)).toEqual([ll?.addr]);
  });

  it('an address already there redoes DAD only while still tentative', () => {
    const { world, ifp, add, probes } = host1(1);
    ifp.up = true;
    ifp.running = true;
    const ia = unwrap(add('fc00:1::1'));
    const heard = probes();
    unwrap(add('fc00:1::1'));
    expect(flags(ia.flags)).toEqual(['tentative']);
    world.runFor(3 * SECOND_NS);
    expect(flags(ia.flags)).toEqual([]);
    unwrap(add('fc00:1::1'));
    expect(flags(ia.flags)).toEqual([]);
    world.runFor(3 * SECOND_NS);
    expect(heard().map((p) => p.target)).toEqual(['fc00:1::1']);
  });
});

describe('SIOCDIFADDR_IN6', () => {
  it('EADDRNOTAVAIL for an address the interface does not have', () => {
    const { host, ifp } = host1();
    expect(in6DeleteAddress(host, ifp, a6('fc00:1::1'))).toEqual({ ok: false, error: 'EADDRNOTAVAIL' });
  });

  it('takes the local route, and the prefix route unless another address of that prefix remains', () => {
    const { host, ifp, add, monitor, routes } = host1();
    unwrap(add('fc00:1::1'));
    unwrap(add('fc00:1::2'));
    unwrap(add('fc00:1::3', { prefixLen: 80 }));
    const seen = monitor();
    unwrap(in6DeleteAddress(host, ifp, a6('fc00:1::1')));
    expect(routes().filter((r) => r.startsWith('fc00'))).toEqual([
      'fc00:1::/64 UP,CONNECTED if2 fc00:1::1',
      'fc00:1::/80 UP,CONNECTED if2 fc00:1::3',
      'fc00:1::2/128 UP,HOST,LOCAL if1 fc00:1::2',
      'fc00:1::3/128 UP,HOST,LOCAL if1 fc00:1::3',
    ]);
    expect(seen().map((m) => m.type)).toEqual(['RTM_DELETE', 'RTM_DELADDR']);
    expect(seen()[1]?.addrs).toEqual({ IFA: { kind: 'inet6', text: 'fc00:1::1' } });
    unwrap(in6DeleteAddress(host, ifp, a6('fc00:1::2')));
    expect(routes().filter((r) => r.startsWith('fc00'))).toEqual([
      'fc00:1::/80 UP,CONNECTED if2 fc00:1::3',
      'fc00:1::3/128 UP,HOST,LOCAL if1 fc00:1::3',
    ]);
    expect(ifp.in6Addrs.map((a) => a.addr)).not.toContain('fc00:1::2');
  });

  it('stops the DAD of a tentative address', () => {
    const { world, host, ifp, add, probes } = host1(2);
    ifp.up = true;
    ifp.running = true;
    const heard = probes();
    unwrap(add('fc00:1::1'));
    unwrap(in6DeleteAddress(host, ifp, a6('fc00:1::1')));
    world.runFor(3 * SECOND_NS);
    expect(heard()).toHaveLength(1);
  });
});

describe('in6_ifattach', () => {
  it('lo0 gets ::1 and fe80::1 once', () => {
    const { host } = host1();
    expect(host.lo0.in6Addrs.map((a) => [a.addr, a.prefixLen, flags(a.flags)])).toEqual([
      ['::1', 128, ['nodad']],
      ['fe80::1', 64, []],
    ]);
    in6IfAttach(host, host.lo0);
    expect(host.lo0.in6Addrs).toHaveLength(2);
    expect(host.rt6.exact(in6Embed(a6('fe80::'), host.lo0.index), 64)?.flags.has('CONNECTED')).toBe(true);
  });

  it('nothing without netinet6, with auto_linklocal 0, without a link address, or with a link-local already', () => {
    const v4 = bootHost(new NetWorld(1), 'v4');
    expect(v4.lo0.in6Addrs).toEqual([]);
    const off = host1();
    off.host.sysctl['net.inet6.ip6.auto_linklocal'] = 0;
    in6IfAttach(off.host, off.ifp);
    expect(off.ifp.in6Addrs).toEqual([]);
    const gif = host1();
    const g = unwrap(ifCreate(gif.host, 'gif0'));
    in6IfAttach(gif.host, g);
    expect(g.in6Addrs).toEqual([]);
    const mine = host1();
    unwrap(mine.add('fe80::77'));
    in6IfAttach(mine.host, mine.ifp);
    expect(mine.ifp.in6Addrs.map((a) => a.addr)).toEqual(['fe80::77']);
  });

  it('if_up attaches the EUI-64 link-local without DAD, usable at once', () => {
    const { host, ifp } = host1(1);
    ifp.up = true;
    ifp.running = true;
    in6IfUp(host, ifp);
    expect(ifp.in6Addrs.map((a) => [a.addr, flags(a.flags)])).toEqual([['fe80::b0a0:ff:fe00:2', []]]);
    // Up again: an address that was not detached does no DAD.
    in6IfUp(host, ifp);
    expect(ifp.in6Addrs.map((a) => [a.addr, flags(a.flags)])).toEqual([['fe80::b0a0:ff:fe00:2', []]]);
    // lo0 does no DAD (if_do_dad).
    in6IfDown(host, host.lo0);
    in6IfUp(host, host.lo0);
    expect(host.lo0.in6Addrs.map((a) => flags(a.flags))).toEqual([['nodad'], []]);
  });
});

describe('in6_if_up and in6_if_down', () => {
  it('down: DAD stopped, every address detached (no longer tentative or duplicated), neighbours purged', () => {
    const { world, host, ifp, add, probes } = host1(2);
    ifp.up = true;
    ifp.running = true;
    const ia = unwrap(add('fc00:1::1'));
    const dup = unwrap(add('fc00:1::2', { dad: 'none' }));
    dup.flags.add('duplicated');
    const table = nd6Of(host, ifp).table;
    table.learn(table.create(a6('fc00:1::9')), MAC, true);
    const heard = probes();
    in6IfDown(host, ifp);
    expect(flags(ia.flags)).toEqual(['detached']);
    expect(flags(dup.flags)).toEqual(['detached']);
    expect(table.entries).toEqual([]);
    world.runFor(3 * SECOND_NS);
    expect(heard()).toEqual([]);
    in6IfDown(host, ifp);
    expect(flags(ia.flags)).toEqual(['detached']);
  });

  it('up again: detached addresses redo DAD after a random delay; not anycast ones, not with dad_count 0', () => {
    const { world, host, ifp, add, probes } = host1(1);
    ifp.up = true;
    ifp.running = true;
    const ia = unwrap(add('fc00:1::1', { dad: 'none' }));
    const any = unwrap(add('fc00:1::2', { flags: ['anycast'] }));
    in6IfDown(host, ifp);
    const heard = probes();
    const start = world.nowNs;
    in6IfUp(host, ifp);
    expect(flags(ia.flags)).toEqual(['tentative']);
    expect(flags(any.flags)).toEqual(['anycast']);
    world.runFor(3 * SECOND_NS);
    const first = heard().find((p) => p.target === 'fc00:1::1');
    expect(first?.atNs).toBeGreaterThan(start);
    expect(flags(ia.flags)).toEqual([]);
    host.sysctl['net.inet6.ip6.dad_count'] = 0;
    in6IfDown(host, ifp);
    in6IfUp(host, ifp);
    expect(flags(ia.flags)).toEqual([]);
  });

  it('up on a link that is down, or an interface not running: addresses stay detached', () => {
    const { host, ifp, add } = host1(1);
    ifp.up = true;
    ifp.running = true;
    const ia = unwrap(add('fc00:1::1', { dad: 'none' }));
    in6IfDown(host, ifp);
    ifp.running = false;
    in6IfUp(host, ifp);
    expect(flags(ia.flags)).toEqual(['detached']);
    ifp.running = true;
    ifp.linkState = 'down';
    in6IfUp(host, ifp);
    expect(flags(ia.flags)).toEqual(['detached']);
  });

  it('without netinet6 neither does anything', () => {
    const host = bootHost(new NetWorld(1), 'v4');
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    ifp.in6Addrs.push({
      addr: a6('fc00:1::1'),
      prefixLen: 64,
      flags: new Set(['detached']),
      pltimeSeconds: undefined,
      vltimeSeconds: undefined,
      lifetimeBaseNs: host.world.nowNs,
      linkLocal: false,
    });
    ifp.up = true;
    ifp.running = true;
    in6IfUp(host, ifp);
    expect(ifp.in6Addrs.map((a) => flags(a.flags))).toEqual([['detached']]);
    const ia = ifp.in6Addrs[0];
    ia?.flags.delete('detached');
    in6IfDown(host, ifp);
    expect(ia !== undefined && flags(ia.flags)).toEqual([]);
  });
});

describe('in6_ifdetach', () => {
  it('every address and every route through the interface go, the detach passes run, neighbours purged', () => {
    const { host, ifp, add, routes } = host1();
    unwrap(add('fc00:1::1'));
    const gw = { kind: 'addr', addr: a6('fc00:1::9') } as const;
    unwrap(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: gw, flags: ['GATEWAY'] }));
    const lo = { kind: 'link', ifIndex: ifp.index } as const;
    unwrap(rt6Add(host, { dst: a6('fc00:8::'), prefixLen: 64, gateway: lo, flags: [], ifp: host.lo0 }));
    const table = nd6Of(host, ifp).table;
    table.learn(table.create(a6('fc00:1::9')), MAC, true);
    const passes: string[] = [];
    const pass = (_h: Host, i: Ifnet) => passes.push(i.name);
    in6Hooks.detach.push(pass);
    try {
      in6IfDetach(host, ifp);
    } finally {
      in6Hooks.detach.splice(in6Hooks.detach.indexOf(pass), 1);
    }
    expect(passes).toEqual(['shmif0']);
    expect(ifp.in6Addrs).toEqual([]);
    expect(routes()).toEqual([]);
    expect(table.entries).toEqual([]);
    expect(host.rt6.exact(in6Embed(a6('fe80::'), host.lo0.index), 64)).toBeDefined();
  });
});

describe('a new link address', () => {
  it('is announced by unsolicited neighbour advertisements while the interface is up', () => {
    const { world, host, ifp, add } = host1();
    const nas = () =>
      world.bus('bus1').capture.filter((c) => {
        const p = c.frame.payload;
        return p.kind === 'ipv6' && p.body.proto === 'icmp6' && p.body.icmp6.type === 'na';
      }).length;
    in6LinkActivated(host, ifp);
    world.runFor(SECOND_NS);
    expect(nas()).toBe(0);
    unwrap(add('fc00:1::1'));
    world.runFor(SECOND_NS);
    const before = nas();
    in6LinkActivated(host, ifp);
    world.runFor(SECOND_NS);
    expect(nas()).toBeGreaterThan(before);
    const v4 = bootHost(world, 'v4');
    const v4if = unwrap(ifCreate(v4, 'shmif0'));
    unwrap(ifSetLinkstr(v4, v4if, 'bus1'));
    v4if.up = true;
    v4if.in6Addrs.push({
      addr: a6('fc00:1::7'),
      prefixLen: 64,
      flags: new Set(),
      pltimeSeconds: undefined,
      vltimeSeconds: undefined,
      lifetimeBaseNs: world.nowNs,
      linkLocal: false,
    });
    const mid = nas();
    in6LinkActivated(v4, v4if);
    world.runFor(SECOND_NS);
    expect(nas()).toBe(mid);
  });
});

describe('lifetimes (nd6_timer)', () => {
  it('deprecated once the preferred lifetime is over, removed once the valid one is', () => {
    const { world, host, ifp, add, monitor } = host1();
    host.sysctl['net.inet6.icmp6.nd6_prune'] = 1;
    const ia = unwrap(add('fc00:1::1', { pltimeSeconds: 3, vltimeSeconds: 6 }));
    expect(in6LifetimeLeft(host, ia, 'pltime')).toBe(3);
    expect(in6LifetimeLeft(host, ia, 'vltime')).toBe(6);
    world.runFor(2.5 * SECOND_NS);
    expect(flags(ia.flags)).toEqual([]);
    expect(in6LifetimeLeft(host, ia, 'pltime')).toBe(0);
    expect(in6LifetimeLeft(host, ia, 'vltime')).toBe(3);
    world.runFor(1 * SECOND_NS);
    expect(flags(ia.flags)).toEqual(['deprecated']);
    const seen = monitor();
    world.runFor(2 * SECOND_NS);
    expect(ifp.in6Addrs).toContain(ia);
    world.runFor(1 * SECOND_NS);
    expect(ifp.in6Addrs).not.toContain(ia);
    expect(seen().map((m) => m.type)).toContain('RTM_DELADDR');
    expect(in6LifetimeLeft(host, ia, 'vltime')).toBe(0);
  });

  it('infinite lifetimes: no deadline, nothing happens', () => {
    const { world, host, add } = host1();
    const ia = unwrap(add('fc00:1::1'));
    expect(in6LifetimeLeft(host, ia, 'pltime')).toBeUndefined();
    expect(in6LifetimeLeft(host, ia, 'vltime')).toBeUndefined();
    world.runFor(100 * SECOND_NS);
    expect(flags(ia.flags)).toEqual([]);
  });

  it('the timer runs every nd6_prune seconds and runs the other passes; only with netinet6', () => {
    const world = new NetWorld(1);
    const host = bootHost(world, 'h', { libs: ['netinet6'] });
    host.sysctl['net.inet6.icmp6.nd6_prune'] = 5;
    const ticks: number[] = [];
    const pass = (h: Host) => {
      if (h === host) ticks.push(world.nowNs);
    };
    in6Hooks.timer.push(pass);
    try {
      world.runFor(11 * SECOND_NS);
      expect(ticks.length).toBeGreaterThan(0);
      const late = ticks.length;
      world.runFor(5 * SECOND_NS);
      expect(ticks.length).toBe(late + 1);
      const v4 = bootHost(world, 'v4');
      const v4ticks: number[] = [];
      const v4pass = (h: Host) => {
        if (h === v4) v4ticks.push(world.nowNs);
      };
      in6Hooks.timer.push(v4pass);
      nd6Start(v4);
      world.runFor(20 * SECOND_NS);
      in6Hooks.timer.splice(in6Hooks.timer.indexOf(v4pass), 1);
      expect(v4ticks).toEqual([]);
    } finally {
      in6Hooks.timer.splice(in6Hooks.timer.indexOf(pass), 1);
    }
    const gaps = ticks.slice(1).map((t, i) => t - (ticks[i] ?? 0));
    expect(new Set(gaps)).toEqual(new Set([5 * SECOND_NS]));
  });
});
