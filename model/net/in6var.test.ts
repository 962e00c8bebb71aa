/**
 * The inet6 per-host state and the address queries of netinet6: IN6_IFF_NOTREADY,
 * in6ifa_ifpwithaddr, in6_selectsrc (RFC 6724 5), nd6_is_addr_neighbor and in6_lookup_multi.
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { In6Flag, In6Ifaddr } from './ifnet.ts';
import { ifCreate } from './ifops.ts';
import { type In6Addr, parseIn6 } from './in6.ts';
import { in6AddAddress } from './in6ctl.ts';
import { in6IsMember, in6IsNeighbor, in6IsReady, in6OwnAddr, in6SelectSrc, inet6Of } from './in6var.ts';
import { NetWorld } from './world.ts';

const a6 = (text: string): In6Addr => {
  const addr = parseIn6(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};

/** A host with IPv6, no DAD, and two Ethernet interfaces (shmif0 index 2, shmif1 index 3). */
function host2() {
  const host = bootHost(new NetWorld(1), 'h', { libs: ['netinet6'] });
  host.sysctl['net.inet6.ip6.dad_count'] = 0;
  const if0 = unwrap(ifCreate(host, 'shmif0'));
  const if1 = unwrap(ifCreate(host, 'shmif1'));
  const add = (ifp: typeof if0, addr: string, prefixLen = 64, flags: readonly In6Flag[] = []): In6Ifaddr => {
    const ia = unwrap(in6AddAddress(host, ifp, { addr: a6(addr), prefixLen }));
    for (const f of flags) ia.flags.add(f);
    return ia;
  };
  return { host, if0, if1, add };
}

describe('inet6Of: one inet6 state per host', () => {
  it('starts empty, and is the same record on every call', () => {
    const { host } = host2();
    const state = inet6Of(host);
    expect(state.stats).toEqual({ inRouterAdvert: 0, inRedirect: 0, outRedirect: 0 });
    expect(state.defrouters).toEqual([]);
    expect(state.prefixes).toEqual([]);
    expect(state.icmp6Listeners.size).toBe(0);
    expect(state.linkmtu.size).toBe(0);
    state.stats.inRedirect = 3;
    expect(inet6Of(host)).toBe(state);
    expect(inet6Of(host).stats.inRedirect).toBe(3);
    expect(inet6Of(bootHost(new NetWorld(1), 'other')).stats.inRedirect).toBe(0);
  });
});

describe('IN6_IFF_NOTREADY', () => {
  it('tentative and duplicated addresses are not ready; deprecated, detached ones are', () => {
    const { if0, add } = host2();
    const ready = (flags: In6Flag[]) => in6IsReady({ ...add(if0, 'fc00:1::1'), flags: new Set(flags) });
    expect(ready([])).toBe(true);
    expect(ready(['tentative'])).toBe(false);
    expect(ready(['duplicated'])).toBe(false);
    expect(ready(['deprecated', 'detached', 'anycast', 'autoconf'])).toBe(true);
  });
});

describe('in6ifa_ifpwithaddr: our own address', () => {
  it('a global address on any interface; a link-local one only in its zone', () => {
    const { host, if0, if1, add } = host2();
    const g = add(if1, 'fc00:2::1');
    const ll = add(if1, 'fe80::77');
    expect(in6OwnAddr(host, a6('fc00:2::1'), 0)).toEqual({ ifp: if1, ia: g });
    expect(in6OwnAddr(host, a6('fc00:2::1'), if0.index)).toEqual({ ifp: if1, ia: g });
    expect(in6OwnAddr(host, a6('fe80::77'), if1.index)).toEqual({ ifp: if1, ia: ll });
    expect(in6OwnAddr(host, a6('fe80::77'), if0.index)).toBeUndefined();
    expect(in6OwnAddr(host, a6('fe80::77'), 0)).toBeUndefined();
    expect(in6OwnAddr(host, a6('fc00:2::2'), 0)).toBeUndefined();
    // lo0's fe80::1 lives in lo0's zone.
    expect(in6OwnAddr(host, a6('fe80::1'), host.lo0.index)?.ifp).toBe(host.lo0);
  });
});

describe('in6_selectsrc (RFC 6724 5)', () => {
  it('only addresses of the destination scope; a link-local destination only from the outgoing link', () => {
    const { host, if0, if1, add } = host2();
    add(if0, 'fc00:1::1');
    add(if1, 'fe80::1:1');
    expect(in6SelectSrc(host, a6('fe80::5'), if1)).toBe('fe80::1:1');
    expect(in6SelectSrc(host, a6('ff02::1'), if1)).toBe('fe80::1:1');
    expect(in6SelectSrc(host, a6('fc00:9::5'), if1)).toBe('fc00:1::1');
    // if0's own EUI-64 link-local (auto_linklocal) is the only link-local choice on if0.
    expect(in6SelectSrc(host, a6('fe80::5'), if0)).toBe(if0.in6Addrs.find((ia) => ia.linkLocal)?.addr);
  });

  it("a link-local destination never takes another link's link-local address", () => {
    const { host, if0, if1, add } = host2();
    add(if1, 'fe80::1:1');
    for (const ia of if0.in6Addrs) if (ia.linkLocal) ia.flags.add('tentative');
    expect(in6SelectSrc(host, a6('fe80::5'), if0)).toBeUndefined();
    expect(in6SelectSrc(host, a6('fe80::1:1'), if0)).toBeUndefined();
  });

  it('none without a usable address: tentative, duplicated, detached and anycast ones never serve', () => {
    for (const flag of ['tentative', 'duplicated', 'detached', 'anycast'] as const) {
      const { host, if0, add } = host2();
      add(if0, 'fc00:1::1', 64, [flag]);
      expect(in6SelectSrc(host, a6('fc00:1::5'), if0), flag).toBeUndefined();
      add(if0, 'fc00:1::2');
      expect(in6SelectSrc(host, a6('fc00:1::1'), if0), flag).toBe('fc00:1::2');
    }
  });

  it('::1 is a source only for ::1', () => {
    const { host } = host2();
    expect(in6SelectSrc(host, a6('fc00:1::5'), host.lo0)).toBeUndefined();
    expect(in6SelectSrc(host, a6('::1'), host.lo0)).toBe('::1');
  });

  it('rule 1: the destination itself, even deprecated or on another interface', () => {
    const { host, if0, if1, add } = host2();
    add(if0, 'fc00:1::1', 64, ['deprecated']);
    add(if0, 'fc00:1::2');
    add(if1, 'fc00:2::9');
    expect(in6SelectSrc(host, a6('fc00:1::1'), if0)).toBe('fc00:1::1');
    expect(in6SelectSrc(host, a6('fc00:2::9'), if0)).toBe('fc00:2::9');
  });

  it('rule 3: not deprecated beats the outgoing interface and a longer match', () => {
    const { host, if0, if1, add } = host2();
    add(if0, 'fc00:1::1', 64, ['deprecated']);
    add(if1, 'fc00:2::1');
    expect(in6SelectSrc(host, a6('fc00:1::5'), if0)).toBe('fc00:2::1');
  });

  it('rule 5: the outgoing interface beats a longer match', () => {
    const { host, if0, if1, add } = host2();
    add(if0, 'fc00:1::1');
    add(if1, 'fc00:2::1');
    expect(in6SelectSrc(host, a6('fc00:2::5'), if0)).toBe('fc00:1::1');
    expect(in6SelectSrc(host, a6('fc00:1::5'), if1)).toBe('fc00:2::1');
  });

  it('rule 7: public addresses unless net.inet6.ip6.prefer_tempaddr=1, before the longest match', () => {
    const { host, if0, add } = host2();
    add(if0, 'fc00:1::1');
    add(if0, 'fc00:1::5:0:0:2', 64, ['temporary']);
    expect(in6SelectSrc(host, a6('fc00:1::5:0:0:3'), if0)).toBe('fc00:1::1');
    host.sysctl['net.inet6.ip6.prefer_tempaddr'] = 1;
    expect(in6SelectSrc(host, a6('fc00:1::4'), if0)).toBe('fc00:1::5:0:0:2');
  });

  it('rule 8: the longest matching prefix; the first address of equal ones', () => {
    const { host, if0, add } = host2();
    add(if0, 'fc00:1::1');
    add(if0, 'fc00:1::2');
    add(if0, 'fc00:1::8000');
    expect(in6SelectSrc(host, a6('fc00:1::8001'), if0)).toBe('fc00:1::8000');
    expect(in6SelectSrc(host, a6('fc00:1::3'), if0)).toBe('fc00:1::2');
    // ::1 and ::2 share 124 bits with ::8: the first configured wins.
    expect(in6SelectSrc(host, a6('fc00:1::8'), if0)).toBe('fc00:1::1');
  });
});

describe('nd6_is_addr_neighbor', () => {
  it('link-local, or inside the prefix of a global address shorter than /128', () => {
    const { if0, add } = host2();
    add(if0, 'fc00:1::1');
    add(if0, 'fc00:3::1', 128);
    expect(in6IsNeighbor(if0, a6('fe80::99'))).toBe(true);
    expect(in6IsNeighbor(if0, a6('fc00:1::99'))).toBe(true);
    expect(in6IsNeighbor(if0, a6('fc00:2::99'))).toBe(false);
    expect(in6IsNeighbor(if0, a6('fc00:3::1'))).toBe(false);
  });

  it('the prefix of a link-local address makes no global neighbour', () => {
    const { if0, add } = host2();
    add(if0, 'fe80::1:1', 8);
    expect(in6IsNeighbor(if0, a6('fe00::5'))).toBe(false);
  });
});

describe('in6_lookup_multi', () => {
  it('all-nodes always, all-routers when forwarding, the solicited-node groups of our addresses', () => {
    const { host, if0, if1, add } = host2();
    add(if0, 'fc00:1::12:3456');
    expect(in6IsMember(host, if0, a6('ff02::1'))).toBe(true);
    expect(in6IsMember(host, if0, a6('ff02::2'))).toBe(false);
    expect(in6IsMember(host, if0, a6('ff02::1:ff12:3456'))).toBe(true);
    expect(in6IsMember(host, if1, a6('ff02::1:ff12:3456'))).toBe(false);
    expect(in6IsMember(host, if0, a6('ff02::1:ff12:3457'))).toBe(false);
    expect(in6IsMember(host, if0, a6('ff05::1'))).toBe(false);
    expect(in6IsMember(host, if0, a6('fc00:1::12:3456'))).toBe(false);
    host.sysctl['net.inet6.ip6.forwarding'] = 1;
    expect(in6IsMember(host, if0, a6('ff02::2'))).toBe(true);
  });
});
