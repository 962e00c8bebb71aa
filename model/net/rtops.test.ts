/**
 * rtrequest and rtredirect of the IPv4 model: errnos, the entries the table holds and the
 * routing messages they announce (NetBSD sys/net/route.c rtrequest1, rt_ifa_ifwithroute,
 * rtredirect; sys/netinet/ip_icmp.c icmp_redirect_timeout).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { Host } from './host.ts';
import type { Ifnet } from './ifnet.ts';
import { ifCreate, ifSetLinkstr } from './ifops.ts';
import { inAddAddress } from './in.ts';
import { type InAddr, parseInAddr } from './inet.ts';
import { type Mac, parseMac } from './mac.ts';
import type { RtFlag } from './route.ts';
import { gatewaySockaddr, rtAdd, rtChange, rtDelete, rtRedirect, rtRemove } from './rtops.ts';
import { NetWorld } from './world.ts';

const a = (text: string): InAddr => {
  const addr = parseInAddr(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};
const mac = (text: string): Mac => parseMac(text) as Mac;

/** One host, shmif0 10.0.0.1/24 and shmif1 10.1.0.1/24, DAD off. */
function router() {
  const world = new NetWorld(1);
  const host = bootHost(world, 'r');
  host.sysctl['net.inet.ip.dad_count'] = 0;
  const ifs: Ifnet[] = [];
  for (const [i, addr] of ['10.0.0.1', '10.1.0.1'].entries()) {
    const ifp = unwrap(ifCreate(host, `shmif${i}`));
    ifSetLinkstr(host, ifp, `bus${i}`);
    unwrap(inAddAddress(host, ifp, { addr: a(addr), prefixLen: 24 }));
    ifs.push(ifp);
  }
  const log = (from: number) => host.rtsock.log.slice(from);
  return { world, host, if0: ifs[0]!, if1: ifs[1]!, log };
}

const viaGw = (host: Host, dst: string, prefixLen: number, gw: string, flags: RtFlag[] = ['GATEWAY']) =>
  rtAdd(host, { dst: a(dst), prefixLen, gateway: { kind: 'addr', addr: a(gw) }, flags });

describe('rtrequest(RTM_ADD)', () => {
  it('announces RTM_ADD with DONE, the gateway and the netmask; a host route has no netmask', () => {
    const { host, log } = router();
    const n = host.rtsock.log.length;
    const rt = unwrap(viaGw(host, '192.168.0.0', 16, '10.0.0.254'));
    expect(rt).toMatchObject({
      ifIndex: host.ifByName('shmif0')!.index,
      ifa: a('10.0.0.1'),
      expireNs: undefined,
    });
    expect([...rt.flags]).toEqual(['UP', 'GATEWAY']);
    unwrap(viaGw(host, '192.168.9.9', 32, '10.1.0.254', ['GATEWAY', 'HOST']));
    expect(log(n)).toEqual([
      {
        type: 'RTM_ADD',
        flags: ['UP', 'GATEWAY', 'DONE'],
        addrs: {
          DST: { kind: 'inet', addr: a('192.168.0.0') },
          GATEWAY: { kind: 'inet', addr: a('10.0.0.254') },
          NETMASK: { kind: 'inet', addr: a('255.255.0.0') },
        },
        errno: 0,
      },
      {
        type: 'RTM_ADD',
        flags: ['UP', 'GATEWAY', 'HOST', 'DONE'],
        addrs: {
          DST: { kind: 'inet', addr: a('192.168.9.9') },
          GATEWAY: { kind: 'inet', addr: a('10.1.0.254') },
        },
        errno: 0,
      },
    ]);
  });

  it('a second route with the same destination and prefix: EEXIST, nothing announced', () => {
    const { host } = router();
    unwrap(viaGw(host, '192.168.0.0', 16, '10.0.0.254'));
    const n = host.rtsock.log.length;
    expect(viaGw(host, '192.168.0.0', 16, '10.1.0.254')).toEqual({ ok: false, error: 'EEXIST' });
    expect(host.rtsock.log.length).toBe(n);
    expect(viaGw(host, '192.168.0.0', 24, '10.1.0.254').ok).toBe(true);
  });

  it('the gateway picks interface and source: own address, on-link, via an interface route', () => {
    const { host, if0, if1 } = router();
    expect(unwrap(viaGw(host, '192.168.1.0', 24, '10.1.0.1'))).toMatchObject({
      ifIndex: if1.index,
      ifa: a('10.1.0.1'),
    });
    expect(unwrap(viaGw(host, '192.168.2.0', 24, '10.1.0.77'))).toMatchObject({
      ifIndex: if1.index,
      ifa: a('10.1.0.1'),
    });
    unwrap(
      rtAdd(host, {
        dst: a('172.16.0.0'),
        prefixLen: 16,
        gateway: { kind: 'link', ifIndex: if0.index },
        flags: [],
      }),
    );
    expect(unwrap(viaGw(host, '192.168.3.0', 24, '172.16.5.5'))).toMatchObject({
      ifIndex: if0.index,
      ifa: a('10.0.0.1'),
    });
    // -ifp and -ifa win over what the gateway implies.
    const forced = rtAdd(host, {
      dst: a('192.168.4.0'),
      prefixLen: 24,
      gateway: { kind: 'addr', addr: a('10.1.0.77') },
      flags: ['GATEWAY'],
      ifp: if0,
      ifa: a('10.0.0.1'),
    });
    expect(unwrap(forced)).toMatchObject({ ifIndex: if0.index, ifa: a('10.0.0.1') });
    const own = rtAdd(host, {
      dst: a('192.168.5.0'),
      prefixLen: 24,
      gateway: { kind: 'addr', addr: a('10.1.0.1') },
      flags: [],
      ifp: if0,
      ifa: a('10.0.0.1'),
    });
    expect(unwrap(own)).toMatchObject({ ifIndex: if0.index, ifa: a('10.0.0.1') });
    const viaRoute = rtAdd(host, {
      dst: a('192.168.6.0'),
      prefixLen: 24,
      gateway: { kind: 'addr', addr: a('172.16.5.5') },
      flags: [],
      ifp: if1,
      ifa: a('10.1.0.1'),
    });
    expect(unwrap(viaRoute)).toMatchObject({ ifIndex: if1.index, ifa: a('10.1.0.1') });
  });

  it('an unreachable gateway: ENETUNREACH, also when only a gateway route covers it', () => {
    const { host } = router();
    expect(viaGw(host, '192.168.1.0', 24, '172.16.0.1')).toEqual({ ok: false, error: 'ENETUNREACH' });
    unwrap(viaGw(host, '172.16.0.0', 16, '10.0.0.254'));
    expect(viaGw(host, '192.168.1.0', 24, '172.16.0.1')).toEqual({ ok: false, error: 'ENETUNREACH' });
    expect(host.rt4.exact(a('192.168.1.0'), 24)).toBeUndefined();
  });

  it('a link gateway: that interface and its first address; an unknown index is ENETUNREACH', () => {
    const { host, if1 } = router();
    const link = (ifIndex: number, dst = '192.168.1.0') =>
      rtAdd(host, { dst: a(dst), prefixLen: 24, gateway: { kind: 'link', ifIndex }, flags: [] });
    expect(unwrap(link(if1.index))).toMatchObject({ ifIndex: if1.index, ifa: a('10.1.0.1') });
    expect(link(99, '192.168.2.0')).toEqual({ ok: false, error: 'ENETUNREACH' });
  });

  it('a link gateway on an interface without addresses: the address on the destination net, else ENETUNREACH', () => {
    const { host } = router();
    const bare = unwrap(ifCreate(host, 'shmif5'));
    const link = (dst: string) =>
      rtAdd(host, {
        dst: a(dst),
        prefixLen: 32,
        gateway: { kind: 'link', ifIndex: bare.index },
        flags: ['HOST'],
      });
    expect(unwrap(link('10.0.0.50'))).toMatchObject({ ifIndex: bare.index, ifa: a('10.0.0.1') });
    expect(link('172.16.0.1')).toEqual({ ok: false, error: 'ENETUNREACH' });
    const withIfp = rtAdd(host, {
      dst: a('172.16.0.2'),
      prefixLen: 32,
      gateway: { kind: 'link', ifIndex: 99 },
      flags: ['HOST'],
      ifp: host.ifByName('shmif1')!,
    });
    expect(unwrap(withIfp)).toMatchObject({ ifa: a('10.1.0.1') });
  });
});

describe('routes whose interface is gone', () => {
  function stale() {
    const r = router();
    const rt = {
      dst: a('172.16.0.0'),
      prefixLen: 16,
      gateway: { kind: 'link' as const, ifIndex: 42 },
      flags: new Set<RtFlag>(['UP']),
      ifIndex: 42,
      ifa: a('10.0.0.1'),
      expireNs: undefined,
      timer: undefined,
    };
    r.host.rt4.insert(rt);
    return { ...r, rt };
  }

  it('a gateway reached only through such a route: ENETUNREACH', () => {
    const { host } = stale();
    expect(viaGw(host, '192.168.1.0', 24, '172.16.0.1')).toEqual({ ok: false, error: 'ENETUNREACH' });
  });

  it('deleting such a route announces it and frees nothing', () => {
    const { host, log } = stale();
    const n = host.rtsock.log.length;
    expect(rtDelete(host, a('172.16.0.0'), 16).ok).toBe(true);
    expect(log(n)).toMatchObject([{ type: 'RTM_DELETE', addrs: { GATEWAY: { kind: 'link', ifIndex: 42 } } }]);
  });
});

describe('routing messages name link gateways', () => {
  it('a link gateway carries the interface name, an llinfo one its MAC instead', () => {
    const { host, if0 } = router();
    expect(gatewaySockaddr(host, { kind: 'link', ifIndex: if0.index })).toEqual({
      kind: 'link',
      ifIndex: if0.index,
      ifName: 'shmif0',
    });
    expect(gatewaySockaddr(host, { kind: 'link', ifIndex: 42 })).toEqual({ kind: 'link', ifIndex: 42 });
    const m = mac('b2:a0:00:00:00:09');
    expect(gatewaySockaddr(host, { kind: 'link', ifIndex: if0.index, mac: m })).toEqual({
      kind: 'link',
      ifIndex: if0.index,
      mac: m,
    });
  });
});

describe('rtrequest(RTM_DELETE) and route change', () => {
  it('route delete: ESRCH for no exact entry; RTM_DELETE without UP', () => {
    const { host, log } = router();
    unwrap(viaGw(host, '192.168.0.0', 16, '10.0.0.254'));
    expect(rtDelete(host, a('192.168.0.0'), 24)).toEqual({ ok: false, error: 'ESRCH' });
    const n = host.rtsock.log.length;
    unwrap(rtDelete(host, a('192.168.0.0'), 16));
    expect(host.rt4.exact(a('192.168.0.0'), 16)).toBeUndefined();
    expect(log(n)).toMatchObject([{ type: 'RTM_DELETE', flags: ['GATEWAY', 'DONE'] }]);
  });

  it('deleting an interface route frees the dynamic ARP entries it covered, not static ones', () => {
    const { host, if0 } = router();
    const dyn = if0.arp.create(a('10.0.0.7'));
    if0.arp.learn(dyn, mac('b2:a0:00:00:00:07'), false);
    const out = if0.arp.create(a('10.0.9.9'));
    if0.arp.learn(out, mac('b2:a0:00:00:00:08'), false);
    // A gateway route leaves the cache alone.
    unwrap(viaGw(host, '10.0.0.0', 25, '10.0.0.254'));
    unwrap(rtDelete(host, a('10.0.0.0'), 25));
    expect(if0.arp.lookup(a('10.0.0.7'))).toBeDefined();
    unwrap(rtDelete(host, a('10.0.0.0'), 24));
    expect(if0.arp.lookup(a('10.0.0.7'))).toBeUndefined();
    expect(if0.arp.lookup(a('10.0.9.9'))).toBeDefined();
  });

  it('deleting a local route keeps the cache', () => {
    const { host, if0 } = router();
    const dyn = if0.arp.create(a('10.0.0.1'));
    if0.arp.learn(dyn, mac('b2:a0:00:00:00:07'), false);
    const local = host.rt4.exact(a('10.0.0.1'), 32)!;
    expect(local.flags.has('LOCAL')).toBe(true);
    rtRemove(host, local);
    expect(if0.arp.lookup(a('10.0.0.1'))).toBeDefined();
  });

  it('route change: ESRCH for no entry; a new gateway; a new interface moves ifa and a link gateway', () => {
    const { host, if0, if1, log } = router();
    expect(rtChange(host, a('192.168.0.0'), 16, {})).toEqual({ ok: false, error: 'ESRCH' });
    unwrap(viaGw(host, '192.168.0.0', 16, '10.0.0.254'));
    const n = host.rtsock.log.length;
    const rt = unwrap(
      rtChange(host, a('192.168.0.0'), 16, { gateway: { kind: 'addr', addr: a('10.0.0.253') } }),
    );
    expect(rt).toMatchObject({ gateway: { kind: 'addr', addr: a('10.0.0.253') }, ifIndex: if0.index });
    expect(log(n)).toMatchObject([{ type: 'RTM_CHANGE', flags: ['UP', 'GATEWAY', 'DONE'] }]);
    unwrap(rtChange(host, a('192.168.0.0'), 16, { ifp: if1 }));
    expect(rt).toMatchObject({ ifIndex: if1.index, ifa: a('10.1.0.1'), gateway: { kind: 'addr' } });
    unwrap(
      rtAdd(host, {
        dst: a('172.16.0.0'),
        prefixLen: 16,
        gateway: { kind: 'link', ifIndex: if0.index },
        flags: [],
      }),
    );
    const moved = unwrap(rtChange(host, a('172.16.0.0'), 16, { ifp: if1 }));
    expect(moved).toMatchObject({
      ifIndex: if1.index,
      ifa: a('10.1.0.1'),
      gateway: { kind: 'link', ifIndex: if1.index },
    });
  });

  it('route change to an interface: the address on the old source net is kept when it has one', () => {
    const { host, if0, if1 } = router();
    unwrap(inAddAddress(host, if1, { addr: a('10.0.5.1'), prefixLen: 16 }));
    unwrap(viaGw(host, '192.168.0.0', 16, '10.0.0.254'));
    const rt = unwrap(rtChange(host, a('192.168.0.0'), 16, { ifp: if1 }));
    expect(rt.ifa).toBe(a('10.0.5.1'));
    const bare = unwrap(ifCreate(host, 'shmif7'));
    unwrap(rtChange(host, a('192.168.0.0'), 16, { ifp: bare }));
    expect(rt).toMatchObject({ ifIndex: bare.index, ifa: a('10.0.5.1') });
    expect(if0.index).not.toBe(bare.index);
  });

  it('route change re-pointing an interface route frees what it covered', () => {
    const { host, if0, if1 } = router();
    const dyn = if0.arp.create(a('10.0.0.7'));
    if0.arp.learn(dyn, mac('b2:a0:00:00:00:07'), false);
    unwrap(rtChange(host, a('10.0.0.0'), 24, { ifp: if1 }));
    expect(if0.arp.lookup(a('10.0.0.7'))).toBeUndefined();
  });
});

describe('rtredirect', () => {
  function withDefault() {
    const r = router();
    unwrap(viaGw(r.host, '0.0.0.0', 0, '10.0.0.254'));
    return r;
  }

  it('creates a dynamic host route and announces RTM_ADD then RTM_REDIRECT with the author', () => {
    const { host, log } = withDefault();
    const n = host.rtsock.log.length;
    expect(rtRedirect(host, a('192.168.3.3'), a('10.0.0.253'), a('10.0.0.254'))).toBeUndefined();
    const rt = host.rt4.exact(a('192.168.3.3'), 32)!;
    expect([...rt.flags]).toEqual(['UP', 'GATEWAY', 'HOST', 'DYNAMIC']);
    expect(log(n)).toEqual([
      expect.objectContaining({ type: 'RTM_ADD' }),
      {
        type: 'RTM_REDIRECT',
        flags: ['GATEWAY', 'HOST', 'DONE'],
        addrs: {
          DST: { kind: 'inet', addr: a('192.168.3.3') },
          GATEWAY: { kind: 'inet', addr: a('10.0.0.253') },
          AUTHOR: { kind: 'inet', addr: a('10.0.0.254') },
        },
        errno: 0,
      },
    ]);
  });

  it('the redirect route expires after net.inet.icmp.redirtimeout; 0 keeps it', () => {
    const { host, world } = withDefault();
    host.sysctl['net.inet.icmp.redirtimeout'] = 10;
    rtRedirect(host, a('192.168.3.3'), a('10.0.0.253'), a('10.0.0.254'));
    const rt = host.rt4.exact(a('192.168.3.3'), 32)!;
    expect(rt.expireNs).toBe(world.nowNs + 10 * NS_PER_SECOND);
    world.runFor(10 * NS_PER_SECOND - 1);
    expect(host.rt4.exact(a('192.168.3.3'), 32)).toBe(rt);
    const n = host.rtsock.log.length;
    world.runFor(1);
    expect(host.rt4.exact(a('192.168.3.3'), 32)).toBeUndefined();
    expect(host.rtsock.log.slice(n).map((m) => m.type)).toEqual(['RTM_DELETE']);
    host.sysctl['net.inet.icmp.redirtimeout'] = 0;
    rtRedirect(host, a('192.168.4.4'), a('10.0.0.253'), a('10.0.0.254'));
    expect(host.rt4.exact(a('192.168.4.4'), 32)).toMatchObject({ expireNs: undefined, timer: undefined });
    world.runFor(10_000 * NS_PER_SECOND);
    expect(host.rt4.exact(a('192.168.4.4'), 32)).toBeDefined();
  });

  it('a timer that finds its route no longer dynamic leaves it; deleting a route cancels its timer', () => {
    const { host, world } = withDefault();
    host.sysctl['net.inet.icmp.redirtimeout'] = 10;
    rtRedirect(host, a('192.168.3.3'), a('10.0.0.253'), a('10.0.0.254'));
    const rt = host.rt4.exact(a('192.168.3.3'), 32)!;
    rt.flags.delete('DYNAMIC');
    world.runFor(11 * NS_PER_SECOND);
    expect(host.rt4.exact(a('192.168.3.3'), 32)).toBe(rt);
    expect(rt.timer).toBeUndefined();
    rtRedirect(host, a('192.168.4.4'), a('10.0.0.253'), a('10.0.0.254'));
    const other = host.rt4.exact(a('192.168.4.4'), 32)!;
    rtRemove(host, other);
    expect(other.timer).toBeUndefined();
    const n = host.rtsock.log.length;
    world.runFor(11 * NS_PER_SECOND);
    expect(host.rtsock.log.length).toBe(n);
  });

  it('refused: gateway off-net ENETUNREACH, not from the current router EINVAL, gateway is us EHOSTUNREACH', () => {
    const { host } = withDefault();
    expect(rtRedirect(host, a('192.168.3.3'), a('172.16.0.1'), a('10.0.0.254'))).toBe('ENETUNREACH');
    expect(rtRedirect(host, a('192.168.3.3'), a('10.0.0.253'), a('10.0.0.99'))).toBe('EINVAL');
    // The gateway on another interface than the route's: EINVAL too.
    expect(rtRedirect(host, a('192.168.3.3'), a('10.1.0.253'), a('10.0.0.254'))).toBe('EINVAL');
    expect(rtRedirect(host, a('192.168.3.3'), a('10.0.0.1'), a('10.0.0.254'))).toBe('EHOSTUNREACH');
    expect(host.rt4.exact(a('192.168.3.3'), 32)).toBeUndefined();
  });

  it('without any route the redirect is taken from anyone on the link', () => {
    const { host } = router();
    expect(rtRedirect(host, a('192.168.3.3'), a('10.0.0.253'), a('10.0.0.99'))).toBeUndefined();
    expect(host.rt4.exact(a('192.168.3.3'), 32)?.flags.has('DYNAMIC')).toBe(true);
  });

  it('an interface route (no gateway) is not redirected: EINVAL from a non-router', () => {
    const { host } = router();
    expect(rtRedirect(host, a('10.0.0.9'), a('10.0.0.253'), a('10.0.0.254'))).toBe('EINVAL');
  });

  it('a net route through the router gets a host route; an existing host route is MODIFIED in place', () => {
    const { host } = router();
    unwrap(viaGw(host, '192.168.0.0', 16, '10.0.0.254'));
    expect(rtRedirect(host, a('192.168.3.3'), a('10.0.0.253'), a('10.0.0.254'))).toBeUndefined();
    expect(host.rt4.exact(a('192.168.3.3'), 32)).toBeDefined();
    unwrap(viaGw(host, '192.168.7.7', 32, '10.0.0.254', ['GATEWAY', 'HOST']));
    const n = host.rt4.entries.length;
    expect(rtRedirect(host, a('192.168.7.7'), a('10.0.0.253'), a('10.0.0.254'))).toBeUndefined();
    const rt = host.rt4.exact(a('192.168.7.7'), 32)!;
    expect(rt.gateway).toEqual({ kind: 'addr', addr: a('10.0.0.253') });
    expect([...rt.flags]).toEqual(['UP', 'GATEWAY', 'HOST', 'MODIFIED']);
    expect(host.rt4.entries.length).toBe(n);
  });

  it('a host route without a gateway but from its own address: EHOSTUNREACH, still reported', () => {
    const { host, if0 } = router();
    unwrap(
      rtAdd(host, {
        dst: a('192.168.8.8'),
        prefixLen: 32,
        gateway: { kind: 'addr', addr: a('10.0.0.254') },
        flags: ['HOST'],
        ifp: if0,
      }),
    );
    const n = host.rtsock.log.length;
    expect(rtRedirect(host, a('192.168.8.8'), a('10.0.0.253'), a('10.0.0.254'))).toBe('EHOSTUNREACH');
    expect(host.rtsock.log.slice(n).map((m) => m.type)).toEqual(['RTM_REDIRECT']);
  });

  it('a failed add of the host route is the error of the redirect', () => {
    const { host } = withDefault();
    // A rejected REJECT-free host route already there but DOWN: exact() finds it, lookup() does not.
    const rt = unwrap(viaGw(host, '192.168.3.3', 32, '10.0.0.254', ['GATEWAY', 'HOST']));
    rt.flags.delete('UP');
    expect(rtRedirect(host, a('192.168.3.3'), a('10.0.0.253'), a('10.0.0.254'))).toBe('EEXIST');
  });
});
