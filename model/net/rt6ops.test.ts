/**
 * The IPv6 routing table operations (NetBSD sys/net/route.c rtrequest, rt_ifa / ifa_ifwithroute
 * for AF_INET6, rtredirect and icmp6_redirect_timeout_q): the entries they make, the routing
 * messages route monitor prints, and the neighbour entries a deleted route takes along.
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { Host } from './host.ts';
import type { Ifnet } from './ifnet.ts';
import { ifCreate, ifSetLinkstr } from './ifops.ts';
import { type In6Addr, in6Embed, parseIn6 } from './in6.ts';
import { in6AddAddress } from './in6ctl.ts';
import { type Mac, parseMac } from './mac.ts';
import { nd6Of } from './nd6.ts';
import {
  formatIn6Scoped,
  gateway6Sockaddr,
  rt6Add,
  rt6Change,
  rt6Delete,
  rt6Redirect,
  rt6Remove,
} from './rt6ops.ts';
import { NetWorld } from './world.ts';

const a6 = (text: string): In6Addr => {
  const addr = parseIn6(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};
const MAC = parseMac('b2:a0:00:00:00:99') as Mac;
const SECOND_NS = 1_000_000_000;

/** A host with fc00:1::1/64 on shmif0 (index 2) and fc00:2::1/64 on shmif1 (index 3), no DAD. */
function host2() {
  const world = new NetWorld(1);
  const host = bootHost(world, 'h', { libs: ['netinet6'] });
  host.sysctl['net.inet6.ip6.dad_count'] = 0;
  const attach = (name: string, bus: string, addr: string): Ifnet => {
    const ifp = unwrap(ifCreate(host, name));
    unwrap(ifSetLinkstr(host, ifp, bus));
    unwrap(in6AddAddress(host, ifp, { addr: a6(addr), prefixLen: 64 }));
    return ifp;
  };
  const if0 = attach('shmif0', 'bus1', 'fc00:1::1');
  const if1 = attach('shmif1', 'bus2', 'fc00:2::1');
  /** Routing messages from now on. */
  const monitor = (h: Host = host) => {
    const from = h.rtsock.log.length;
    return () => h.rtsock.log.slice(from);
  };
  /** A dynamic neighbour entry with a link address, as an NA would leave it. */
  const neighbour = (ifp: Ifnet, addr: string) => {
    const table = nd6Of(host, ifp).table;
    const ln = table.create(a6(addr));
    table.learn(ln, MAC, true);
    return ln;
  };
  return { world, host, if0, if1, monitor, neighbour };
}

describe('scoped text', () => {
  it('an embedded zone prints as %interface, or %index for an interface that is gone', () => {
    const { host } = host2();
    expect(formatIn6Scoped(host, a6('fc00:1::5'))).toBe('fc00:1::5');
    expect(formatIn6Scoped(host, a6('fe80::5'))).toBe('fe80::5');
    expect(formatIn6Scoped(host, in6Embed(a6('fe80::5'), 3))).toBe('fe80::5%shmif1');
    expect(formatIn6Scoped(host, in6Embed(a6('fe80::5'), 9))).toBe('fe80::5%9');
  });

  it('a gateway sockaddr: the address, or the link with its name or its address', () => {
    const { host } = host2();
    expect(gateway6Sockaddr(host, { kind: 'addr', addr: in6Embed(a6('fe80::1'), 2) })).toEqual({
      kind: 'inet6',
      text: 'fe80::1%shmif0',
    });
    expect(gateway6Sockaddr(host, { kind: 'link', ifIndex: 2 })).toEqual({
      kind: 'link',
      ifIndex: 2,
      ifName: 'shmif0',
    });
    expect(gateway6Sockaddr(host, { kind: 'link', ifIndex: 9 })).toStrictEqual({ kind: 'link', ifIndex: 9 });
    expect(gateway6Sockaddr(host, { kind: 'link', ifIndex: 2, mac: MAC })).toEqual({
      kind: 'link',
      ifIndex: 2,
      mac: MAC,
    });
  });
});

describe('RTM_ADD', () => {
  it('an entry with UP and the flags asked, announced with DONE, a netmask unless a host route', () => {
    const { host, if1, monitor } = host2();
    const seen = monitor();
    const gw = { kind: 'addr', addr: a6('fc00:2::9') } as const;
    const net = unwrap(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: gw, flags: ['GATEWAY'] }));
    expect(net).toMatchObject({
      dst: 'fc00:9::',
      prefixLen: 64,
      gateway: gw,
      ifIndex: if1.index,
      ifa: 'fc00:2::1',
    });
    expect([...net.flags]).toEqual(['UP', 'GATEWAY']);
    expect(net.expireNs).toBeUndefined();
    const hostRoute = {
      dst: a6('fc00:8::1'),
      prefixLen: 128,
      gateway: gw,
      flags: ['GATEWAY', 'HOST'],
    } as const;
    unwrap(rt6Add(host, hostRoute));
    expect(seen()).toEqual([
      {
        type: 'RTM_ADD',
        flags: ['UP', 'GATEWAY', 'DONE'],
        addrs: {
          DST: { kind: 'inet6', text: 'fc00:9::' },
          GATEWAY: { kind: 'inet6', text: 'fc00:2::9' },
          NETMASK: { kind: 'inet6', text: 'ffff:ffff:ffff:ffff::' },
        },
        errno: 0,
      },
      {
        type: 'RTM_ADD',
        flags: ['UP', 'GATEWAY', 'HOST', 'DONE'],
        addrs: { DST: { kind: 'inet6', text: 'fc00:8::1' }, GATEWAY: { kind: 'inet6', text: 'fc00:2::9' } },
        errno: 0,
      },
    ]);
    expect(rt6Add(host, hostRoute)).toEqual({ ok: false, error: 'EEXIST' });
  });

  it('a link gateway: its interface (or the one given) and a global address of it first', () => {
    const { host, if0, if1 } = host2();
    const link0 = { kind: 'link', ifIndex: if0.index } as const;
    const viaLink = unwrap(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: link0, flags: [] }));
    expect(viaLink).toMatchObject({ ifIndex: if0.index, ifa: 'fc00:1::1' });
    const viaIfp = unwrap(
      rt6Add(host, { dst: a6('fc00:8::'), prefixLen: 64, gateway: link0, flags: [], ifp: if1 }),
    );
    expect(viaIfp).toMatchObject({ ifIndex: if1.index, ifa: 'fc00:2::1' });
    const given = {
      dst: a6('fc00:7::'),
      prefixLen: 64,
      gateway: link0,
      flags: [],
      ifa: a6('fc00:1::77'),
    } as const;
    expect(unwrap(rt6Add(host, given)).ifa).toBe('fc00:1::77');
    // Only a link-local address: that one.
    const bare = unwrap(ifCreate(host, 'shmif2'));
    unwrap(ifSetLinkstr(host, bare, 'bus3'));
    unwrap(in6AddAddress(host, bare, { addr: a6('fe80::2:1'), prefixLen: 64 }));
    const ll = {
      dst: a6('fc00:6::'),
      prefixLen: 64,
      gateway: { kind: 'link', ifIndex: bare.index },
      flags: [],
    } as const;
    expect(unwrap(rt6Add(host, ll)).ifa).toBe('fe80::2:1');
    // A global address configured after the link-local one is still preferred.
    unwrap(in6AddAddress(host, bare, { addr: a6('fc00:3::1'), prefixLen: 64 }));
    expect(unwrap(rt6Add(host, { ...ll, dst: a6('fc00:5::') })).ifa).toBe('fc00:3::1');
  });

  it('ENETUNREACH: a link gateway of no interface, or of one without IPv6 addresses', () => {
    const { host } = host2();
    const gone = { kind: 'link', ifIndex: 9 } as const;
    expect(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: gone, flags: [] })).toEqual({
      ok: false,
      error: 'ENETUNREACH',
    });
    const empty = unwrap(ifCreate(host, 'shmif2'));
    const bare = { kind: 'link', ifIndex: empty.index } as const;
    expect(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: bare, flags: [] })).toEqual({
      ok: false,
      error: 'ENETUNREACH',
    });
    expect(host.rt6.exact(a6('fc00:9::'), 64)).toBeUndefined();
  });

  it('an address gateway: our own address routes through its interface', () => {
    const { host, if1 } = host2();
    const own = { kind: 'addr', addr: a6('fc00:2::1') } as const;
    expect(
      unwrap(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: own, flags: ['GATEWAY'] })),
    ).toMatchObject({ ifIndex: if1.index, ifa: 'fc00:2::1' });
    const ownLl = { kind: 'addr', addr: in6Embed(a6('fe80::1'), host.lo0.index) } as const;
    expect(
      unwrap(rt6Add(host, { dst: a6('fc00:8::'), prefixLen: 64, gateway: ownLl, flags: ['GATEWAY'] })),
    ).toMatchObject({ ifIndex: host.lo0.index, ifa: 'fe80::1' });
  });

  it('an address gateway: the interface of its zone, or of the route to it; none through another gateway', () => {
    const { host, if0, if1 } = host2();
    const ll = { kind: 'addr', addr: in6Embed(a6('fe80::9'), if1.index) } as const;
    const viaZone = unwrap(
      rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: ll, flags: ['GATEWAY'] }),
    );
    // A link-local gateway: a link-local source of that link.
    expect(viaZone).toMatchObject({ ifIndex: if1.index, ifa: if1.in6Addrs.find((ia) => ia.linkLocal)?.addr });
    const onLink = { kind: 'addr', addr: a6('fc00:1::9') } as const;
    const viaRoute = unwrap(
      rt6Add(host, { dst: a6('fc00:8::'), prefixLen: 64, gateway: onLink, flags: ['GATEWAY'] }),
    );
    expect(viaRoute).toMatchObject({ ifIndex: if0.index, ifa: 'fc00:1::1' });
    const given = {
      dst: a6('fc00:6::'),
      prefixLen: 64,
      gateway: onLink,
      flags: ['GATEWAY'],
      ifp: if1,
    } as const;
    expect(unwrap(rt6Add(host, given)).ifIndex).toBe(if1.index);
    const offLink = { kind: 'addr', addr: a6('fc00:9::5') } as const;
    expect(
      rt6Add(host, { dst: a6('fc00:7::'), prefixLen: 64, gateway: offLink, flags: ['GATEWAY'] }),
    ).toEqual({
      ok: false,
      error: 'ENETUNREACH',
    });
    const nowhere = { kind: 'addr', addr: a6('fc00:5::5') } as const;
    expect(
      rt6Add(host, { dst: a6('fc00:7::'), prefixLen: 64, gateway: nowhere, flags: ['GATEWAY'] }),
    ).toEqual({
      ok: false,
      error: 'ENETUNREACH',
    });
    const gone = { kind: 'addr', addr: in6Embed(a6('fe80::9'), 9) } as const;
    expect(rt6Add(host, { dst: a6('fc00:7::'), prefixLen: 64, gateway: gone, flags: ['GATEWAY'] })).toEqual({
      ok: false,
      error: 'ENETUNREACH',
    });
  });

  it('an address gateway: the source for a link-scoped destination is a link-local one, else one for the gateway', () => {
    const { host, if0 } = host2();
    const ll0 = if0.in6Addrs.find((ia) => ia.linkLocal)?.addr;
    const gw = { kind: 'addr', addr: a6('fc00:1::9') } as const;
    const scoped = in6Embed(a6('fe80::77'), if0.index);
    expect(
      unwrap(rt6Add(host, { dst: scoped, prefixLen: 128, gateway: gw, flags: ['GATEWAY', 'HOST'] })).ifa,
    ).toBe(ll0);
    const given = {
      dst: a6('fc00:9::'),
      prefixLen: 64,
      gateway: gw,
      flags: ['GATEWAY'],
      ifa: a6('fc00:1::44'),
    } as const;
    expect(unwrap(rt6Add(host, given)).ifa).toBe('fc00:1::44');
    // No usable source at all: the interface's first address.
    for (const ia of host.ifnets.flatMap((i) => i.in6Addrs)) ia.flags.add('tentative');
    expect(
      unwrap(rt6Add(host, { dst: a6('fc00:8::'), prefixLen: 64, gateway: gw, flags: ['GATEWAY'] })).ifa,
    ).toBe(if0.in6Addrs[0]?.addr);
  });
});

describe('RTM_DELETE and RTM_CHANGE', () => {
  it('deleting: ESRCH for no such entry; the message drops UP', () => {
    const { host, monitor } = host2();
    expect(rt6Delete(host, a6('fc00:9::'), 64)).toEqual({ ok: false, error: 'ESRCH' });
    const gw = { kind: 'addr', addr: a6('fc00:1::9') } as const;
    unwrap(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: gw, flags: ['GATEWAY', 'STATIC'] }));
    const seen = monitor();
    const gone = unwrap(rt6Delete(host, a6('fc00:9::'), 64));
    expect(gone.dst).toBe('fc00:9::');
    expect(host.rt6.exact(a6('fc00:9::'), 64)).toBeUndefined();
    expect(seen()).toMatchObject([{ type: 'RTM_DELETE', flags: ['GATEWAY', 'DONE', 'STATIC'] }]);
  });

  it('deleting a route to a link frees the dynamic neighbour entries under it, not static ones', () => {
    const { host, if0, neighbour } = host2();
    const link0 = { kind: 'link', ifIndex: if0.index } as const;
    unwrap(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: link0, flags: [] }));
    neighbour(if0, 'fc00:9::5');
    neighbour(if0, 'fc00:1::5');
    const table = nd6Of(host, if0).table;
    table.setManual(a6('fc00:9::6'), MAC, { isStatic: true, published: false });
    unwrap(rt6Delete(host, a6('fc00:9::'), 64));
    expect(table.entries.map((ln) => ln.l3).sort()).toEqual(['fc00:1::5', 'fc00:9::6']);
  });

  it('deleting a gateway route or a local route leaves the neighbour entries alone', () => {
    const { host, if0, neighbour } = host2();
    const gw = { kind: 'addr', addr: a6('fc00:1::9') } as const;
    unwrap(rt6Add(host, { dst: a6('fc00:1::'), prefixLen: 96, gateway: gw, flags: ['GATEWAY'] }));
    neighbour(if0, 'fc00:1::5');
    unwrap(rt6Delete(host, a6('fc00:1::'), 96));
    expect(nd6Of(host, if0).table.lookup(a6('fc00:1::5'))).toBeDefined();
    const local = host.rt6.exact(a6('fc00:1::1'), 128);
    expect(local?.flags.has('LOCAL')).toBe(true);
    neighbour(if0, 'fc00:1::1');
    unwrap(rt6Delete(host, a6('fc00:1::1'), 128));
    expect(nd6Of(host, if0).table.lookup(a6('fc00:1::1'))).toBeDefined();
  });

  it('deleting a route through lo0 touches no neighbour table', () => {
    const { host, neighbour, if0 } = host2();
    const lo = { kind: 'link', ifIndex: host.lo0.index } as const;
    unwrap(rt6Add(host, { dst: a6('fc00:1::'), prefixLen: 100, gateway: lo, flags: [] }));
    neighbour(if0, 'fc00:1::5');
    unwrap(rt6Delete(host, a6('fc00:1::'), 100));
    expect(nd6Of(host, if0).table.lookup(a6('fc00:1::5'))).toBeDefined();
  });

  it('route change -ifp: the new interface, its global address, a link gateway moved along, RTM_CHANGE', () => {
    const { host, if0, if1, monitor, neighbour } = host2();
    expect(rt6Change(host, a6('fc00:9::'), 64, { ifp: if1 })).toEqual({ ok: false, error: 'ESRCH' });
    const link0 = { kind: 'link', ifIndex: if0.index } as const;
    unwrap(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: link0, flags: [] }));
    const gw = { kind: 'addr', addr: a6('fc00:1::9') } as const;
    unwrap(rt6Add(host, { dst: a6('fc00:8::'), prefixLen: 64, gateway: gw, flags: ['GATEWAY'] }));
    neighbour(if0, 'fc00:9::5');
    const seen = monitor();
    const moved = unwrap(rt6Change(host, a6('fc00:9::'), 64, { ifp: if1 }));
    expect(moved).toMatchObject({
      ifIndex: if1.index,
      ifa: 'fc00:2::1',
      gateway: { kind: 'link', ifIndex: if1.index },
    });
    expect(nd6Of(host, if0).table.lookup(a6('fc00:9::5'))).toBeUndefined();
    const kept = unwrap(rt6Change(host, a6('fc00:8::'), 64, { ifp: if1 }));
    expect(kept).toMatchObject({ ifIndex: if1.index, ifa: 'fc00:2::1', gateway: gw });
    const same = unwrap(rt6Change(host, a6('fc00:8::'), 64, {}));
    expect(same).toMatchObject({ ifIndex: if1.index, ifa: 'fc00:2::1', gateway: gw });
    const changes = seen().filter((m) => m.type === 'RTM_CHANGE');
    expect(changes.map((m) => [m.type, m.addrs.GATEWAY])).toEqual([
      ['RTM_CHANGE', { kind: 'link', ifIndex: if1.index, ifName: 'shmif1' }],
      ['RTM_CHANGE', { kind: 'inet6', text: 'fc00:1::9' }],
      ['RTM_CHANGE', { kind: 'inet6', text: 'fc00:1::9' }],
    ]);
  });

  it('route change -ifp to an interface with only a link-local address, or with none', () => {
    const { host, if0 } = host2();
    const link0 = { kind: 'link', ifIndex: if0.index } as const;
    unwrap(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: link0, flags: [] }));
    const ll = unwrap(ifCreate(host, 'shmif2'));
    unwrap(ifSetLinkstr(host, ll, 'bus3'));
    unwrap(in6AddAddress(host, ll, { addr: a6('fe80::2:1'), prefixLen: 64 }));
    expect(unwrap(rt6Change(host, a6('fc00:9::'), 64, { ifp: ll })).ifa).toBe('fe80::2:1');
    const none = unwrap(ifCreate(host, 'shmif3'));
    expect(unwrap(rt6Change(host, a6('fc00:9::'), 64, { ifp: none }))).toMatchObject({
      ifIndex: none.index,
      ifa: 'fe80::2:1',
    });
  });

  it('removing a redirect route stops its timer', () => {
    const { world, host, if0, monitor } = host2();
    const gw = in6Embed(a6('fe80::9'), if0.index);
    rt6Redirect(host, a6('fc00:9::5'), gw, gw);
    const rt = host.rt6.exact(a6('fc00:9::5'), 128);
    expect(rt?.timer).toBeDefined();
    if (rt === undefined) return;
    rt6Remove(host, rt);
    expect(rt.timer).toBeUndefined();
    const seen = monitor();
    world.runFor(700 * SECOND_NS);
    expect(seen()).toEqual([]);
  });
});

describe('rtredirect', () => {
  it('a new dynamic host route to the better first hop, announced as RTM_REDIRECT, gone after redirtimeout', () => {
    const { world, host, if0, monitor } = host2();
    host.sysctl['net.inet6.icmp6.redirtimeout'] = 30;
    const seen = monitor();
    const gw = in6Embed(a6('fe80::9'), if0.index);
    const author = in6Embed(a6('fe80::1'), if0.index);
    rt6Redirect(host, a6('fc00:9::5'), gw, author);
    const rt = host.rt6.exact(a6('fc00:9::5'), 128);
    expect([...(rt?.flags ?? [])]).toEqual(['UP', 'GATEWAY', 'HOST', 'DYNAMIC']);
    expect(rt?.gateway).toEqual({ kind: 'addr', addr: gw });
    expect(rt?.expireNs).toBe(world.nowNs + 30 * SECOND_NS);
    expect(seen().map((m) => m.type)).toEqual(['RTM_ADD', 'RTM_REDIRECT']);
    expect(seen()[1]).toEqual({
      type: 'RTM_REDIRECT',
      flags: ['GATEWAY', 'HOST', 'DONE'],
      addrs: {
        DST: { kind: 'inet6', text: 'fc00:9::5' },
        GATEWAY: { kind: 'inet6', text: 'fe80::9%shmif0' },
        AUTHOR: { kind: 'inet6', text: 'fe80::1%shmif0' },
      },
      errno: 0,
    });
    world.runFor(29 * SECOND_NS);
    expect(host.rt6.exact(a6('fc00:9::5'), 128)).toBe(rt);
    world.runFor(2 * SECOND_NS);
    expect(host.rt6.exact(a6('fc00:9::5'), 128)).toBeUndefined();
    expect(seen().map((m) => m.type)).toEqual(['RTM_ADD', 'RTM_REDIRECT', 'RTM_DELETE']);
  });

  it('redirtimeout 0: the route stays', () => {
    const { world, host, if0 } = host2();
    host.sysctl['net.inet6.icmp6.redirtimeout'] = 0;
    const gw = in6Embed(a6('fe80::9'), if0.index);
    rt6Redirect(host, a6('fc00:9::5'), gw, gw);
    const rt = host.rt6.exact(a6('fc00:9::5'), 128);
    expect(rt?.expireNs).toBeUndefined();
    expect(rt?.timer).toBeUndefined();
    world.runFor(10_000 * SECOND_NS);
    expect(host.rt6.exact(a6('fc00:9::5'), 128)).toBe(rt);
  });

  it('the timer leaves a route that is no longer dynamic, or that was replaced', () => {
    const { world, host, if0 } = host2();
    host.sysctl['net.inet6.icmp6.redirtimeout'] = 30;
    const gw = in6Embed(a6('fe80::9'), if0.index);
    rt6Redirect(host, a6('fc00:9::5'), gw, gw);
    host.rt6.exact(a6('fc00:9::5'), 128)?.flags.delete('DYNAMIC');
    rt6Redirect(host, a6('fc00:8::5'), gw, gw);
    const first = host.rt6.exact(a6('fc00:8::5'), 128);
    if (first === undefined) throw new Error('no redirect route');
    host.rt6.remove(first);
    const again = unwrap(
      rt6Add(host, {
        dst: a6('fc00:8::5'),
        prefixLen: 128,
        gateway: first.gateway,
        flags: ['GATEWAY', 'HOST', 'DYNAMIC'],
      }),
    );
    world.runFor(31 * SECOND_NS);
    expect(host.rt6.exact(a6('fc00:9::5'), 128)).toBeDefined();
    expect(host.rt6.exact(a6('fc00:8::5'), 128)).toBe(again);
  });

  it('an existing gateway host route is re-pointed and marked MODIFIED, with no timer', () => {
    const { host, if0, monitor } = host2();
    const old = { kind: 'addr', addr: in6Embed(a6('fe80::8'), if0.index) } as const;
    const rt = unwrap(
      rt6Add(host, { dst: a6('fc00:9::5'), prefixLen: 128, gateway: old, flags: ['GATEWAY', 'HOST'] }),
    );
    const seen = monitor();
    const gw = in6Embed(a6('fe80::9'), if0.index);
    rt6Redirect(host, a6('fc00:9::5'), gw, old.addr);
    expect(host.rt6.exact(a6('fc00:9::5'), 128)).toBe(rt);
    expect([...rt.flags]).toEqual(['UP', 'GATEWAY', 'HOST', 'MODIFIED']);
    expect(rt.gateway).toEqual({ kind: 'addr', addr: gw });
    expect(rt.timer).toBeUndefined();
    expect(seen().map((m) => m.type)).toEqual(['RTM_REDIRECT']);
  });

  it('a network route or a host route to the link is not re-pointed: a new host route beside it', () => {
    const { host, if0 } = host2();
    const gw = in6Embed(a6('fe80::9'), if0.index);
    const old = { kind: 'addr', addr: in6Embed(a6('fe80::8'), if0.index) } as const;
    unwrap(rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: old, flags: ['GATEWAY'] }));
    unwrap(
      rt6Add(host, {
        dst: a6('fc00:8::5'),
        prefixLen: 128,
        gateway: { kind: 'link', ifIndex: if0.index },
        flags: ['HOST'],
      }),
    );
    unwrap(rt6Add(host, { dst: a6('fc00:7::5'), prefixLen: 128, gateway: old, flags: ['GATEWAY'] }));
    rt6Redirect(host, a6('fc00:9::5'), gw, old.addr);
    expect(host.rt6.exact(a6('fc00:9::'), 64)?.gateway).toEqual(old);
    expect(host.rt6.exact(a6('fc00:9::5'), 128)?.flags.has('DYNAMIC')).toBe(true);
    // A host route to the link and a /128 without HOST stay as they are: the redirect cannot add beside them.
    rt6Redirect(host, a6('fc00:8::5'), gw, old.addr);
    rt6Redirect(host, a6('fc00:7::5'), gw, old.addr);
    expect(host.rt6.exact(a6('fc00:8::5'), 128)?.gateway).toEqual({ kind: 'link', ifIndex: if0.index });
    expect(host.rt6.exact(a6('fc00:7::5'), 128)?.gateway).toEqual(old);
  });

  it('no RTM_REDIRECT when the host route cannot be added', () => {
    const { host, monitor } = host2();
    const seen = monitor();
    rt6Redirect(host, a6('fc00:9::5'), a6('fc00:5::9'), a6('fc00:5::9'));
    expect(host.rt6.exact(a6('fc00:9::5'), 128)).toBeUndefined();
    expect(seen()).toEqual([]);
  });
});
