/**
 * Router advertisement input on a host (NetBSD sys/netinet6/nd6_rtr.c nd6_ra_input,
 * defrtrlist_update, prelist_update, defrouter_select): the default router list and its default
 * route, the prefix list, stateless autoconfiguration (RFC 4862 5.5.3) with temporary addresses
 * (RFC 4941 3.2), the MTU option, and the expiry and flushes of routers and prefixes.
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import { activeMac, type Ifnet } from './ifnet.ts';
import { ifCreate, ifSetLinkstr, ifSetUp } from './ifops.ts';
import { type In6Addr, in6Embed, in6WithEui64, parseIn6Groups } from './in6.ts';
import { in6AddAddress, in6IfDetach } from './in6ctl.ts';
import { inet6Of } from './in6var.ts';
import { ip6Hooks, ip6Input } from './ip6.ts';
import { macOctets } from './mac.ts';
import { nd6IsRouter, nd6Of } from './nd6.ts';
import {
  defrtrlistDel,
  nd6FlushPrefixes,
  nd6FlushRouters,
  nd6PrefixExpireSeconds,
  nd6RtrDetach,
  prelistRemove,
} from './nd6rtr.ts';
import { rt6Add, rt6Delete } from './rt6ops.ts';
import type { Icmp6Message, Ipv6Packet, RaPrefix } from './wire.ts';
import { NetWorld } from './world.ts';

const a6 = (text: string): In6Addr => text as In6Addr;
const R1 = a6('fe80::1');
const R2 = a6('fe80::2');
const PFX = a6('fc00:1::');

type Ra = Extract<Icmp6Message, { type: 'ra' }>;

const prefix = (fields: Partial<RaPrefix> = {}): RaPrefix => ({
  prefix: PFX,
  prefixLen: 64,
  onLink: true,
  autonomous: true,
  vltimeSeconds: 20_000,
  pltimeSeconds: 10_000,
  ...fields,
});

/** A host accepting RAs on shmif0 (up, link-local ready, DAD off). */
function node() {
  const world = new NetWorld(1);
  const host = bootHost(world, 'h0', { libs: ['netinet6'] });
  host.sysctl['net.inet6.ip6.dad_count'] = 0;
  host.sysctl['net.inet6.ip6.accept_rtadv'] = 1;
  const ifp = unwrap(ifCreate(host, 'shmif0'));
  ifSetLinkstr(host, ifp, 'bus1');
  ifSetUp(host, ifp, true);
  world.runFor(NS_PER_SECOND);
  const state = inet6Of(host);
  const ra = (src: In6Addr, fields: Partial<Omit<Ra, 'type'>> = {}, hlim = 255, on: Ifnet = ifp) => {
    const msg: Ra = {
      type: 'ra',
      routerLifetimeSeconds: 1_800,
      sllao: undefined,
      mtu: undefined,
      prefixes: [],
      ...fields,
    };
    const pkt: Ipv6Packet = {
      kind: 'ipv6',
      src,
      dst: a6('ff02::1'),
      hlim,
      body: { proto: 'icmp6', icmp6: msg },
    };
    ip6Input(host, on, pkt, true);
  };
  const eui = (p: In6Addr = PFX, on: Ifnet = ifp) =>
    in6WithEui64(p, macOctets(activeMac(on) as NonNullable<ReturnType<typeof activeMac>>));
  const addr = (x: In6Addr, on: Ifnet = ifp) => on.in6Addrs.find((ia) => ia.addr === x);
  const defaultRoute = () => host.rt6.exact(a6('::'), 0);
  return { world, host, ifp, state, ra, eui, addr, defaultRoute };
}

describe('nd6_ra_input: who is listened to', () => {
  it('a host with accept_rtadv takes a link-local router: router, default route, prefix, address, MTU', () => {
    const { host, ifp, state, ra, eui, addr, defaultRoute, world } = node();
    const rmac = 'b2:a0:00:00:99:01' as never;
    ra(R1, { sllao: rmac, mtu: 1_400, prefixes: [prefix()] });
    expect(state.defrouters).toEqual([
      { addr: R1, ifIndex: ifp.index, expireNs: world.nowNs + 1_800 * NS_PER_SECOND, installed: true },
    ]);
    expect(defaultRoute()?.gateway).toEqual({ kind: 'addr', addr: in6Embed(R1, ifp.index) });
    expect(defaultRoute()?.flags.has('GATEWAY')).toBe(true);
    expect(state.prefixes).toEqual([
      {
        prefix: PFX,
        prefixLen: 64,
        ifIndex: ifp.index,
        onLink: true,
        autonomous: true,
        vltimeSeconds: 20_000,
        pltimeSeconds: 10_000,
        baseNs: world.nowNs,
        advertisers: [R1],
      },
    ]);
    const ia = addr(eui());
    expect([...(ia?.flags ?? [])]).toEqual(['autoconf']);
    expect(ia).toMatchObject({ prefixLen: 64, vltimeSeconds: 20_000, pltimeSeconds: 10_000 });
    expect(ifp.in6Addrs.filter((x) => x.flags.has('temporary'))).toEqual([]);
    expect(state.linkmtu.get(ifp.index)).toBe(1_400);
    const ln = nd6Of(host, ifp).table.lookup(R1);
    expect(ln?.lladdr).toBe(rmac);
    expect(ln?.state).toBe('stale');
    expect(nd6IsRouter(ln as never)).toBe(true);
  });

  it('not with accept_rtadv off, not as a router, not below hop limit 255, not from a global address', () => {
    for (const variant of ['off', 'forwarding', 'hlim', 'global'] as const) {
      const { host, state, ra } = node();
      if (variant === 'off') host.sysctl['net.inet6.ip6.accept_rtadv'] = 0;
      if (variant === 'forwarding') host.sysctl['net.inet6.ip6.forwarding'] = 1;
      const src = variant === 'global' ? a6('fc00:9::1') : R1;
      ra(src, { prefixes: [prefix()], mtu: 1_400 }, variant === 'hlim' ? 254 : 255);
      expect({
        variant,
        routers: state.defrouters,
        prefixes: state.prefixes,
        mtu: state.linkmtu.size,
      }).toEqual({
        variant,
        routers: [],
        prefixes: [],
        mtu: 0,
      });
    }
  });

  it('link-local, multicast and over-long prefixes are skipped; the others are taken', () => {
    const { state, ra } = node();
    ra(R1, {
      prefixes: [
        prefix({ prefix: a6('fe80::'), prefixLen: 64 }),
        prefix({ prefix: a6('ff05::'), prefixLen: 64 }),
        prefix({ prefix: a6('fc00:5::'), prefixLen: 129 }),
        prefix({ prefix: a6('fc00:6::'), prefixLen: 128, autonomous: false }),
        prefix(),
      ],
    });
    expect(state.prefixes.map((p) => `${p.prefix}/${p.prefixLen}`)).toEqual(['fc00:6::/128', 'fc00:1::/64']);
  });

  it('the MTU option: between 1280 and the link MTU', () => {
    const { ifp, state, ra } = node();
    ra(R1, { mtu: 1_279 });
    expect(state.linkmtu.has(ifp.index)).toBe(false);
    ra(R1, { mtu: ifp.mtu + 1 });
    expect(state.linkmtu.has(ifp.index)).toBe(false);
    ra(R1, { mtu: 1_280 });
    expect(state.linkmtu.get(ifp.index)).toBe(1_280);
    ra(R1, { mtu: ifp.mtu });
    expect(state.linkmtu.get(ifp.index)).toBe(ifp.mtu);
  });
});

describe('the default router list', () => {
  it('a second router waits; when the first says lifetime 0, the second gets the default route', () => {
    const { ifp, state, ra, defaultRoute } = node();
    ra(R1, { prefixes: [prefix()] });
    ra(R2, { prefixes: [prefix()] });
    expect(state.defrouters.map((d) => [d.addr, d.installed])).toEqual([
      [R1, true],
      [R2, false],
    ]);
    expect(state.prefixes[0]?.advertisers).toEqual([R2, R1]);
    ra(R1, { routerLifetimeSeconds: 0 });
    expect(state.defrouters.map((d) => [d.addr, d.installed])).toEqual([[R2, true]]);
    expect(state.prefixes[0]?.advertisers).toEqual([R2]);
    expect(defaultRoute()?.gateway).toEqual({ kind: 'addr', addr: in6Embed(R2, ifp.index) });
    ra(R2, { routerLifetimeSeconds: 0 });
    expect(state.defrouters).toEqual([]);
    expect(defaultRoute()).toBeUndefined();
    // A lifetime of 0 from a router never heard of adds nothing, but its prefixes count.
    ra(a6('fe80::3'), { routerLifetimeSeconds: 0, prefixes: [prefix({ prefix: a6('fc00:3::') })] });
    expect(state.defrouters).toEqual([]);
    expect(state.prefixes.find((p) => p.prefix === 'fc00:3::')?.advertisers).toEqual([]);
  });

  it('a known router: its lifetime is renewed, it is listed once', () => {
    const { state, ra, world } = node();
    ra(R1, { prefixes: [prefix()] });
    world.runFor(100 * NS_PER_SECOND);
    ra(R1, { routerLifetimeSeconds: 60, prefixes: [prefix()] });
    expect(state.defrouters).toHaveLength(1);
    expect(state.defrouters[0]?.expireNs).toBe(world.nowNs + 60 * NS_PER_SECOND);
    expect(state.prefixes[0]?.advertisers).toEqual([R1]);
  });

  it('maxifdefrouters: a router beyond the limit is not listed, its prefixes have no advertiser', () => {
    const { host, state, ra } = node();
    host.sysctl['net.inet6.ip6.maxifdefrouters'] = 1;
    ra(R1);
    ra(R2, { prefixes: [prefix()] });
    expect(state.defrouters.map((d) => d.addr)).toEqual([R1]);
    expect(state.prefixes[0]?.advertisers).toEqual([]);
  });

  it('an administrator default route is left alone: the router is listed but not installed', () => {
    const { host, ifp, state, ra, defaultRoute } = node();
    const gw = in6Embed(a6('fe80::99'), ifp.index);
    unwrap(
      rt6Add(host, { dst: a6('::'), prefixLen: 0, gateway: { kind: 'addr', addr: gw }, flags: ['GATEWAY'] }),
    );
    ra(R1);
    expect(state.defrouters[0]?.installed).toBe(false);
    ra(R1, { routerLifetimeSeconds: 0 });
    expect(defaultRoute()?.gateway).toEqual({ kind: 'addr', addr: gw });
  });

  it("an administrator default route through the router itself is not the router's to remove", () => {
    const { host, ifp, ra, defaultRoute } = node();
    const gw = in6Embed(R1, ifp.index);
    unwrap(
      rt6Add(host, { dst: a6('::'), prefixLen: 0, gateway: { kind: 'addr', addr: gw }, flags: ['GATEWAY'] }),
    );
    ra(R1);
    ra(R1, { routerLifetimeSeconds: 0 });
    expect(defaultRoute()?.gateway).toEqual({ kind: 'addr', addr: gw });
  });

  it('a router that leaves removes only its own default route', () => {
    const { host, ifp, state, ra, defaultRoute } = node();
    ra(R1);
    unwrap(rt6Delete(host, a6('::'), 0));
    const gw = in6Embed(a6('fe80::99'), ifp.index);
    unwrap(
      rt6Add(host, { dst: a6('::'), prefixLen: 0, gateway: { kind: 'addr', addr: gw }, flags: ['GATEWAY'] }),
    );
    expect(state.defrouters[0]?.installed).toBe(true);
    ra(R1, { routerLifetimeSeconds: 0 });
    expect(defaultRoute()?.gateway).toEqual({ kind: 'addr', addr: gw });
  });

  it('a router already holding the route keeps it deleted when another router arrives', () => {
    const { host, ifp, ra, defaultRoute } = node();
    ra(R1);
    unwrap(rt6Delete(host, a6('::'), 0));
    ra(R2);
    expect(defaultRoute()).toBeUndefined();
    // When R1 leaves there is no route of its to remove; R2 is selected.
    const r1 = inet6Of(host).defrouters[0];
    ra(R1, { routerLifetimeSeconds: 0 });
    expect(r1?.installed).toBe(false);
    expect(defaultRoute()?.gateway).toEqual({ kind: 'addr', addr: in6Embed(R2, ifp.index) });
  });

  it('maxifdefrouters counts the routers of this interface only', () => {
    const { host, state, ra } = node();
    const other = unwrap(ifCreate(host, 'shmif1'));
    ifSetUp(host, other, true);
    host.sysctl['net.inet6.ip6.maxifdefrouters'] = 1;
    ra(R1, {}, 255, other);
    ra(R1);
    expect(state.defrouters).toHaveLength(2);
  });

  it('a router over the limit adds no advertiser to a known prefix', () => {
    const { host, state, ra } = node();
    host.sysctl['net.inet6.ip6.maxifdefrouters'] = 1;
    ra(R1, { prefixes: [prefix()] });
    ra(R2, { prefixes: [prefix()] });
    expect(state.prefixes[0]?.advertisers).toEqual([R1]);
  });

  it('a default route that could not be added (no address to send from) is added on the next selection', () => {
    const world = new NetWorld(1);
    const host = bootHost(world, 'h0', { libs: ['netinet6'] });
    host.sysctl['net.inet6.ip6.dad_count'] = 0;
    host.sysctl['net.inet6.ip6.accept_rtadv'] = 1;
    host.sysctl['net.inet6.ip6.auto_linklocal'] = 0;
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    ifSetUp(host, ifp, true);
    const ra = (src: In6Addr): void => {
      const msg: Ra = {
        type: 'ra',
        routerLifetimeSeconds: 600,
        sllao: undefined,
        mtu: undefined,
        prefixes: [],
      };
      ip6Hooks.raInput(
        host,
        ifp,
        { kind: 'ipv6', src, dst: a6('ff02::1'), hlim: 255, body: { proto: 'icmp6', icmp6: msg } },
        msg,
      );
    };
    ra(R1);
    const state = inet6Of(host);
    expect(state.defrouters.map((d) => [d.addr, d.installed])).toEqual([[R1, false]]);
    expect(host.rt6.exact(a6('::'), 0)).toBeUndefined();
    unwrap(in6AddAddress(host, ifp, { addr: a6('fc00:1::7'), prefixLen: 64 }));
    ra(R2);
    expect(host.rt6.exact(a6('::'), 0)?.gateway).toEqual({ kind: 'addr', addr: in6Embed(R1, ifp.index) });
    expect(state.defrouters.map((d) => [d.addr, d.installed])).toEqual([
      [R1, true],
      [R2, false],
    ]);
  });

  it('a router expires on the nd6 timer once its lifetime has passed', () => {
    const { state, ra, world, defaultRoute } = node();
    ra(R1, { routerLifetimeSeconds: 10 });
    world.runFor(9 * NS_PER_SECOND);
    expect(state.defrouters).toHaveLength(1);
    world.runFor(1 * NS_PER_SECOND);
    expect(state.defrouters).toEqual([]);
    expect(defaultRoute()).toBeUndefined();
  });

  it('defrtrlist_del of a router no longer listed does nothing; ndp -R flushes every router', () => {
    const { host, state, ra, defaultRoute } = node();
    ra(R1, { prefixes: [prefix()] });
    ra(R2);
    const r1 = state.defrouters[0] as (typeof state.defrouters)[number];
    const r2 = state.defrouters[1] as (typeof state.defrouters)[number];
    // R2 never advertised the prefix: R1 stays its advertiser.
    defrtrlistDel(host, r2);
    expect(state.prefixes[0]?.advertisers).toEqual([R1]);
    ra(R2);
    defrtrlistDel(host, r1);
    defrtrlistDel(host, r1);
    expect(state.defrouters.map((d) => d.addr)).toEqual([R2]);
    nd6FlushRouters(host);
    expect(state.defrouters).toEqual([]);
    expect(defaultRoute()).toBeUndefined();
  });
});

describe('the prefix list and autoconfiguration', () => {
  it('an update takes the new flags and lifetimes and restarts the clock', () => {
    const { state, ra, world } = node();
    ra(R1, { prefixes: [prefix()] });
    world.runFor(50 * NS_PER_SECOND);
    ra(R1, {
      prefixes: [prefix({ onLink: false, autonomous: false, vltimeSeconds: 9_000, pltimeSeconds: 100 })],
    });
    expect(state.prefixes).toHaveLength(1);
    expect(state.prefixes[0]).toMatchObject({
      onLink: false,
      autonomous: false,
      vltimeSeconds: 9_000,
      pltimeSeconds: 100,
      baseNs: world.nowNs,
    });
  });

  it('a prefix is matched by interface, length and network part', () => {
    const { state, ra } = node();
    ra(R1, { prefixes: [prefix({ prefix: a6('fc00:1::5') })] });
    ra(R1, { prefixes: [prefix({ prefixLen: 48, autonomous: false })] });
    expect(state.prefixes.map((p) => `${p.prefix}/${p.prefixLen}`)).toEqual(['fc00:1::/64', 'fc00:1::/48']);
    ra(R1, { prefixes: [prefix({ prefix: a6('fc00:1::77'), vltimeSeconds: 30_000 })] });
    expect(state.prefixes).toHaveLength(2);
    expect(state.prefixes[0]?.vltimeSeconds).toBe(30_000);
  });

  it('a new prefix is refused with a zero valid lifetime, a preferred one beyond it, or past maxifprefixes', () => {
    const { host, state, ra } = node();
    ra(R1, { prefixes: [prefix({ vltimeSeconds: 0, pltimeSeconds: 0 })] });
    ra(R1, { prefixes: [prefix({ vltimeSeconds: 100, pltimeSeconds: 101 })] });
    expect(state.prefixes).toEqual([]);
    ra(R1, { prefixes: [prefix({ vltimeSeconds: 100, pltimeSeconds: 100 })] });
    expect(state.prefixes).toHaveLength(1);
    host.sysctl['net.inet6.ip6.maxifprefixes'] = 2;
    ra(R1, { prefixes: [prefix({ prefix: a6('fc00:2::') }), prefix({ prefix: a6('fc00:3::') })] });
    expect(state.prefixes.map((p) => p.prefix)).toEqual([PFX, 'fc00:2::']);
  });

  it('maxifprefixes counts the prefixes of this interface only', () => {
    const { host, state, ra } = node();
    const other = unwrap(ifCreate(host, 'shmif1'));
    ifSetUp(host, other, true);
    host.sysctl['net.inet6.ip6.maxifprefixes'] = 1;
    ra(R1, { prefixes: [prefix({ prefix: a6('fc00:2::') })] }, 255, other);
    ra(R1, { prefixes: [prefix()] });
    expect(state.prefixes).toHaveLength(2);
  });

  it('no address without a link address to build it from', () => {
    const { ifp, state, ra } = node();
    ifp.lladdrs.length = 0;
    const before = ifp.in6Addrs.length;
    ra(R1, { prefixes: [prefix()] });
    expect(state.prefixes).toHaveLength(1);
    expect(ifp.in6Addrs).toHaveLength(before);
  });

  it('no address from a prefix that is not autonomous or not a /64', () => {
    const { ifp, ra } = node();
    const before = ifp.in6Addrs.length;
    ra(R1, {
      prefixes: [prefix({ autonomous: false }), prefix({ prefix: a6('fc00:2::'), prefixLen: 80 })],
    });
    expect(ifp.in6Addrs).toHaveLength(before);
  });

  it('autoconfigured addresses start DAD after a random delay, not at once', () => {
    const { host, ifp, ra, world, eui } = node();
    host.sysctl['net.inet6.ip6.dad_count'] = 1;
    host.sysctl['net.inet6.ip6.use_tempaddr'] = 1;
    const bus = world.bus('bus1');
    const from = bus.capture.length;
    const t0 = world.nowNs;
    ra(R1, { prefixes: [prefix()] });
    const temp = ifp.in6Addrs.find((ia) => ia.flags.has('temporary'))?.addr;
    world.runFor(NS_PER_SECOND);
    const probeAt = (target: In6Addr | undefined) =>
      bus.capture.slice(from).find((c) => {
        const p = c.frame.payload;
        return (
          p.kind === 'ipv6' &&
          p.body.proto === 'icmp6' &&
          p.body.icmp6.type === 'ns' &&
          p.body.icmp6.target === target
        );
      })?.atNs;
    for (const target of [eui(), temp]) {
      const at = probeAt(target);
      expect(at).toBeDefined();
      expect((at ?? t0) - t0).toBeGreaterThan(0);
    }
  });

  it('use_tempaddr: a temporary address too, random with the u/l bit clear, lifetimes capped', () => {
    const { host, ifp, ra, eui } = node();
    host.sysctl['net.inet6.ip6.use_tempaddr'] = 1;
    ra(R1, { prefixes: [prefix({ vltimeSeconds: 2_592_000, pltimeSeconds: 604_800 })] });
    const auto = ifp.in6Addrs.filter((ia) => ia.flags.has('autoconf'));
    expect(auto.map((ia) => ia.addr)[0]).toBe(eui());
    const temp = auto[1];
    expect([...(temp?.flags ?? [])]).toEqual(['autoconf', 'temporary']);
    expect(temp).toMatchObject({ prefixLen: 64, vltimeSeconds: 604_800, pltimeSeconds: 86_400 });
    const groups = parseIn6Groups(temp?.addr ?? '') ?? [];
    expect(groups.slice(0, 4)).toEqual([0xfc00, 1, 0, 0]);
    expect((groups[4] ?? 0) & 0x0200).toBe(0);
    expect(temp?.addr).not.toBe(eui());
    // Short lifetimes are kept as advertised.
    ra(R1, { prefixes: [prefix({ prefix: a6('fc00:2::'), vltimeSeconds: 500, pltimeSeconds: 400 })] });
    const temp2 = ifp.in6Addrs.find((ia) => ia.flags.has('temporary') && ia.addr.startsWith('fc00:2:'));
    expect(temp2).toMatchObject({ vltimeSeconds: 500, pltimeSeconds: 400 });
  });

  it('the temporary identifier draws each of its groups at random, the u/l bit always clear', () => {
    const seen: Set<number>[] = [new Set(), new Set(), new Set(), new Set()];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const world = new NetWorld(seed);
      const host = bootHost(world, 'h0', { libs: ['netinet6'] });
      host.sysctl['net.inet6.ip6.dad_count'] = 0;
      host.sysctl['net.inet6.ip6.accept_rtadv'] = 1;
      host.sysctl['net.inet6.ip6.use_tempaddr'] = 1;
      const ifp = unwrap(ifCreate(host, 'shmif0'));
      ifSetUp(host, ifp, true);
      const msg: Ra = {
        type: 'ra',
        routerLifetimeSeconds: 0,
        sllao: undefined,
        mtu: undefined,
        prefixes: [prefix()],
      };
      const pkt: Ipv6Packet = {
        kind: 'ipv6',
        src: R1,
        dst: a6('ff02::1'),
        hlim: 255,
        body: { proto: 'icmp6', icmp6: msg },
      };
      ip6Input(host, ifp, pkt, true);
      const temp = ifp.in6Addrs.find((ia) => ia.flags.has('temporary'));
      const groups = parseIn6Groups(temp?.addr ?? '') ?? [];
      expect((groups[4] ?? 0) & 0x0200).toBe(0);
      for (const [k, g] of groups.slice(4).entries()) seen[k]?.add(g);
    }
    expect(seen.map((values) => values.size >= 5)).toEqual([true, true, true, true]);
  });
});

describe('RFC 4862 5.5.3 (e): lifetimes of autoconfigured addresses on a prefix update', () => {
  /** After an RA with vltime `initial`, `elapsed` seconds, then an RA with vltime `next`. */
  function update(initial: number, elapsedSeconds: number, next: number, pltime = 0) {
    const env = node();
    env.ra(R1, { prefixes: [prefix({ vltimeSeconds: initial, pltimeSeconds: Math.min(initial, 1_000) })] });
    const ia = env.addr(env.eui());
    env.world.runFor(elapsedSeconds * NS_PER_SECOND);
    ia?.flags.add('deprecated');
    env.ra(R1, { prefixes: [prefix({ vltimeSeconds: next, pltimeSeconds: pltime })] });
    return { ...env, ia };
  }

  it('a valid lifetime over two hours is taken as advertised', () => {
    const { ia, world } = update(20_000, 10, 7_201, 9_000);
    expect(ia).toMatchObject({ vltimeSeconds: 7_201, pltimeSeconds: 7_201, lifetimeBaseNs: world.nowNs });
    expect(ia?.flags.has('deprecated')).toBe(false);
  });

  it('a valid lifetime beyond what is left is taken as advertised', () => {
    const { ia } = update(3_000, 1_000, 2_001, 50);
    expect(ia).toMatchObject({ vltimeSeconds: 2_001, pltimeSeconds: 50 });
  });

  it('a short lifetime cuts a long remaining one to two hours', () => {
    const { ia } = update(20_000, 10, 600, 300);
    expect(ia).toMatchObject({ vltimeSeconds: 7_200, pltimeSeconds: 300 });
  });

  it('a short lifetime leaves a remaining one of two hours or less as it is', () => {
    expect(update(7_200, 0, 600).ia?.vltimeSeconds).toBe(7_200);
    expect(update(3_000, 1_000, 2_000).ia?.vltimeSeconds).toBe(2_000);
    expect(update(3_000, 1_000, 600).ia?.vltimeSeconds).toBe(2_000);
  });

  it('an address with an infinite lifetime is cut to two hours by a short one', () => {
    const { ifp, host, ra, addr } = node();
    const x = a6('fc00:1::99');
    unwrap(in6AddAddress(host, ifp, { addr: x, prefixLen: 64, flags: ['autoconf'] }));
    ra(R1, { prefixes: [prefix({ autonomous: false })] });
    expect(addr(x)?.vltimeSeconds).toBeUndefined();
    ra(R1, { prefixes: [prefix({ vltimeSeconds: 600, pltimeSeconds: 60 })] });
    expect(addr(x)).toMatchObject({ vltimeSeconds: 7_200, pltimeSeconds: 60 });
  });

  it("a link-local address is never one of a prefix's addresses, even when the prefix covers it", () => {
    const { ifp, host, ra, addr } = node();
    const ll = a6('fe80::5');
    unwrap(in6AddAddress(host, ifp, { addr: ll, prefixLen: 7, flags: ['autoconf'] }));
    // fe00::/7 is neither link-local nor multicast as a prefix, yet it covers fe80::/10.
    const wide = prefix({ prefix: a6('fe00::'), prefixLen: 7, autonomous: false });
    ra(R1, { prefixes: [wide] });
    ra(R1, { prefixes: [{ ...wide, vltimeSeconds: 600, pltimeSeconds: 60 }] });
    expect(addr(ll)?.vltimeSeconds).toBeUndefined();
    nd6FlushPrefixes(host);
    expect(addr(ll)).toBeDefined();
  });

  it('only autoconfigured, non-temporary, in-prefix addresses of the same length are touched', () => {
    const { ifp, host, ra, addr } = node();
    host.sysctl['net.inet6.ip6.use_tempaddr'] = 1;
    const manual = a6('fc00:1::98');
    const other = a6('fc00:7::97');
    const longer = a6('fc00:1::96');
    unwrap(in6AddAddress(host, ifp, { addr: manual, prefixLen: 64 }));
    unwrap(in6AddAddress(host, ifp, { addr: other, prefixLen: 64, flags: ['autoconf'] }));
    unwrap(in6AddAddress(host, ifp, { addr: longer, prefixLen: 80, flags: ['autoconf'] }));
    ra(R1, { prefixes: [prefix({ vltimeSeconds: 20_000, pltimeSeconds: 10_000 })] });
    const temp = ifp.in6Addrs.find((ia) => ia.flags.has('temporary'));
    ra(R1, { prefixes: [prefix({ vltimeSeconds: 8_000, pltimeSeconds: 100 })] });
    expect([manual, other, longer].map((x) => addr(x)?.vltimeSeconds)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(temp?.vltimeSeconds).toBe(20_000);
  });
});

describe('expiry, flushes and detach', () => {
  it('a prefix expires on the nd6 timer; its addresses are left to their own lifetimes', () => {
    const { host, ifp, state, ra, addr } = node();
    const x = a6('fc00:1::99');
    unwrap(in6AddAddress(host, ifp, { addr: x, prefixLen: 64, flags: ['autoconf'] }));
    ra(R1, {
      routerLifetimeSeconds: 0,
      prefixes: [prefix({ autonomous: false, vltimeSeconds: 30, pltimeSeconds: 30 })],
    });
    const pr = state.prefixes[0] as (typeof state.prefixes)[number];
    expect(nd6PrefixExpireSeconds(host, pr)).toBe(30);
    host.world.runFor(10.5 * NS_PER_SECOND);
    expect(nd6PrefixExpireSeconds(host, pr)).toBe(19);
    host.world.runFor(19 * NS_PER_SECOND);
    expect(state.prefixes).toHaveLength(1);
    host.world.runFor(1 * NS_PER_SECOND);
    expect(state.prefixes).toEqual([]);
    host.world.runFor(5 * NS_PER_SECOND);
    expect(nd6PrefixExpireSeconds(host, pr)).toBe(0);
    expect(addr(x)).toBeDefined();
  });

  it('ndp -P: every prefix goes with the addresses made from it', () => {
    const { host, ifp, state, ra, addr, eui } = node();
    const x = a6('fc00:1::99');
    unwrap(in6AddAddress(host, ifp, { addr: x, prefixLen: 64 }));
    ra(R1, { prefixes: [prefix(), prefix({ prefix: a6('fc00:2::') })] });
    expect(addr(eui())).toBeDefined();
    nd6FlushPrefixes(host);
    expect(state.prefixes).toEqual([]);
    expect(addr(eui())).toBeUndefined();
    expect(addr(eui(a6('fc00:2::')))).toBeUndefined();
    expect(addr(x)).toBeDefined();
  });

  it('prelist_remove of a prefix no longer listed does nothing; without purge the addresses stay', () => {
    const { host, state, ra, addr, eui } = node();
    ra(R1, { prefixes: [prefix()] });
    const pr = state.prefixes[0] as (typeof state.prefixes)[number];
    prelistRemove(host, pr, false);
    expect(state.prefixes).toEqual([]);
    expect(addr(eui())).toBeDefined();
    prelistRemove(host, pr, true);
    expect(addr(eui())).toBeDefined();
  });

  it('a detached interface takes its routers, prefixes and link MTU, and nothing of another interface', () => {
    const { host, ifp, state, ra } = node();
    const other = unwrap(ifCreate(host, 'shmif1'));
    ifSetLinkstr(host, other, 'bus2');
    ifSetUp(host, other, true);
    ra(R1, { mtu: 1_300, prefixes: [prefix()] });
    ra(R1, { mtu: 1_400, prefixes: [prefix()] }, 255, other);
    expect(state.defrouters).toHaveLength(2);
    const autoconf = ifp.in6Addrs.filter((ia) => ia.flags.has('autoconf')).length;
    nd6RtrDetach(host, ifp);
    // The addresses go with in6_ifdetach's own pass, not with their prefixes.
    expect(ifp.in6Addrs.filter((ia) => ia.flags.has('autoconf'))).toHaveLength(autoconf);
    expect(autoconf).toBe(1);
    expect(state.defrouters.map((d) => d.ifIndex)).toEqual([other.index]);
    expect(state.prefixes.map((p) => p.ifIndex)).toEqual([other.index]);
    expect([...state.linkmtu.keys()]).toEqual([other.index]);
    // The other interface's router now has the default route.
    expect(host.rt6.exact(a6('::'), 0)?.gateway).toEqual({ kind: 'addr', addr: in6Embed(R1, other.index) });
    in6IfDetach(host, other);
    expect(state.defrouters).toEqual([]);
  });

  it('a router leaving takes itself off the advertisers of its own interface only', () => {
    const { host, ifp, state, ra } = node();
    const other = unwrap(ifCreate(host, 'shmif1'));
    ifSetUp(host, other, true);
    ra(R1, { prefixes: [prefix()] });
    ra(R1, { prefixes: [prefix()] }, 255, other);
    const onIfp = state.defrouters.find((d) => d.ifIndex === ifp.index);
    defrtrlistDel(host, onIfp as NonNullable<typeof onIfp>);
    expect(state.prefixes.map((p) => [p.ifIndex, p.advertisers])).toEqual([
      [ifp.index, []],
      [other.index, [R1]],
    ]);
  });
});
