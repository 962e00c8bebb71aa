/**
 * rtrequest on AF_INET6, rt_ifa for an address gateway, the neighbour purge of a deleted route and
 * rtredirect: the rules a route(8) or an ICMPv6 redirect would show.
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { Ifnet } from './ifnet.ts';
import { ifCreate, ifSetLinkstr } from './ifops.ts';
import { type In6Addr, in6Embed, parseIn6 } from './in6.ts';
import { in6AddAddress } from './in6ctl.ts';
import { rt6Add, rt6Change, rt6Delete, rt6Redirect } from './rt6ops.ts';
import { NetWorld } from './world.ts';

const a6 = (text: string): In6Addr => {
  const addr = parseIn6(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};

/** A host with fc00:1::1/64 on shmif0, no DAD. */
function host1(seed = 1) {
  const host = bootHost(new NetWorld(seed), 'h', { libs: ['netinet6'] });
  host.sysctl['net.inet6.ip6.dad_count'] = 0;
  const attach = (name: string, bus: string, addrs: readonly string[]): Ifnet => {
    const ifp = unwrap(ifCreate(host, name));
    unwrap(ifSetLinkstr(host, ifp, bus));
    for (const addr of addrs) unwrap(in6AddAddress(host, ifp, { addr: a6(addr), prefixLen: 64 }));
    return ifp;
  };
  return { host, if0: attach('shmif0', 'bus1', ['fc00:1::1']), attach };
}

describe('route add with a link gateway', () => {
  it('takes the interface of the link and its address', () => {
    const { host, if0 } = host1();
    const rt = unwrap(
      rt6Add(host, {
        dst: a6('fc00:9::'),
        prefixLen: 64,
        gateway: { kind: 'link', ifIndex: if0.index },
        flags: [],
      }),
    );
    expect([rt.ifIndex, rt.ifa]).toEqual([if0.index, 'fc00:1::1']);
  });

  it('answers ENETUNREACH for a link of no interface', () => {
    const { host } = host1();
    const r = rt6Add(host, {
      dst: a6('fc00:9::'),
      prefixLen: 64,
      gateway: { kind: 'link', ifIndex: 9 },
      flags: [],
    });
    expect(r).toEqual({ ok: false, error: 'ENETUNREACH' });
  });
});

describe('route add with an address gateway', () => {
  const gw = (text: string) => ({ kind: 'addr', addr: a6(text) }) as const;

  it('a gateway on a connected prefix routes through that interface', () => {
    const { host, if0 } = host1();
    const rt = unwrap(
      rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: gw('fc00:1::9'), flags: ['GATEWAY'] }),
    );
    expect([rt.ifIndex, rt.ifa]).toEqual([if0.index, 'fc00:1::1']);
  });

  it('a link-local gateway on an interface without IPv6 addresses is ENETUNREACH (no source address)', () => {
    const { host } = host1();
    const bare = unwrap(ifCreate(host, 'shmif1'));
    expect(bare.in6Addrs).toEqual([]);
    const r = rt6Add(host, {
      dst: a6('fc00:9::'),
      prefixLen: 64,
      gateway: { kind: 'addr', addr: in6Embed(a6('fe80::9'), bare.index) },
      flags: ['GATEWAY'],
    });
    expect(r).toEqual({ ok: false, error: 'ENETUNREACH' });
  });

  it('a gateway reached only through another gateway or not at all is ENETUNREACH', () => {
    const { host } = host1();
    unwrap(
      rt6Add(host, { dst: a6('fc00:5::'), prefixLen: 64, gateway: gw('fc00:1::9'), flags: ['GATEWAY'] }),
    );
    for (const far of ['fc00:5::9', 'fc00:6::9']) {
      const r = rt6Add(host, { dst: a6('fc00:9::'), prefixLen: 64, gateway: gw(far), flags: ['GATEWAY'] });
      expect(r).toEqual({ ok: false, error: 'ENETUNREACH' });
    }
  });
});

describe('route delete and route change', () => {
  it('deleting a route through lo0 creates no neighbour state, so later random draws are the same', () => {
    const draw = (deleteViaLo0: boolean) => {
      const { host } = host1(7);
      const lo = { kind: 'link', ifIndex: host.lo0.index } as const;
      unwrap(rt6Add(host, { dst: a6('fc00:4::'), prefixLen: 64, gateway: lo, flags: [] }));
      if (deleteViaLo0) unwrap(rt6Delete(host, a6('fc00:4::'), 64));
      return host.world.random.below(1 << 30);
    };
    expect(draw(true)).toBe(draw(false));
  });

  it('route change to an interface whose first address is link-local takes its global address', () => {
    const { host, if0, attach } = host1();
    const if1 = attach('shmif1', 'bus2', ['fe80::2:1', 'fc00:2::1']);
    unwrap(
      rt6Add(host, {
        dst: a6('fc00:9::'),
        prefixLen: 64,
        gateway: { kind: 'link', ifIndex: if0.index },
        flags: [],
      }),
    );
    const rt = unwrap(rt6Change(host, a6('fc00:9::'), 64, { ifp: if1 }));
    expect([rt.ifIndex, rt.ifa]).toEqual([if1.index, 'fc00:2::1']);
  });
});

describe('rtredirect', () => {
  it('re-points only a host route: a gateway route of a shorter prefix gets a host route beside it', () => {
    const { host, if0 } = host1();
    const old = in6Embed(a6('fe80::8'), if0.index);
    const better = in6Embed(a6('fe80::9'), if0.index);
    // A gateway route flagged HOST but 64 bits long is a network route for the redirect.
    unwrap(
      rt6Add(host, {
        dst: a6('fc00:9::'),
        prefixLen: 64,
        gateway: { kind: 'addr', addr: old },
        flags: ['GATEWAY', 'HOST'],
      }),
    );
    rt6Redirect(host, a6('fc00:9::5'), better, old);
    const net = host.rt6.exact(a6('fc00:9::'), 64);
    expect([net?.flags.has('MODIFIED'), net?.gateway]).toEqual([false, { kind: 'addr', addr: old }]);
    expect(host.rt6.exact(a6('fc00:9::5'), 128)?.gateway).toEqual({ kind: 'addr', addr: better });
  });
});
