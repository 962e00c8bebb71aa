/**
 * IPv6 neighbour discovery of the model: what NS and NA input answer and learn, what the
 * solicitations look like, the neighbour cache's routing messages and its size limit
 * (NetBSD sys/netinet6/nd6.c, nd6_nbr.c; RFC 4861 4.3, 4.4, 7.2).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { Host } from './host.ts';
import { activeMac, type Ifnet, type In6Flag } from './ifnet.ts';
import { ifAddLink, ifCreate, ifSetLinkstr } from './ifops.ts';
import type { In6Addr } from './in6.ts';
import { in6AddAddress, in6DeleteAddress } from './in6ctl.ts';
import { type Icmp6Delivery, inet6Of } from './in6var.ts';
import { ip6Output, ip6Packet } from './ip6.ts';
import { ND_GC_SECONDS } from './knobs.ts';
import { ND6_REACHABLE_TIME_MS, ND6_RETRANS_TIMER_MS } from './knobs6.ts';
import type { Mac } from './mac.ts';
import {
  type Nd6Entry,
  nd6AnnounceLink,
  nd6CacheLladdr,
  nd6IsRouter,
  nd6NaInput,
  nd6NsInput,
  nd6NsOutput,
  nd6Of,
  nd6Resolve,
} from './nd6.ts';
import type { EtherFrame, Icmp6Message, Ipv6Packet } from './wire.ts';
import { NetWorld } from './world.ts';

const a6 = (text: string): In6Addr => text as In6Addr;
const OURS = a6('fc00::1');
const PEER = a6('fc00::9');
const PEER_MAC = 'b2:a0:00:00:99:09' as Mac;
const OTHER_MAC = 'b2:a0:00:00:99:0a' as Mac;

type Ns = Extract<Icmp6Message, { type: 'ns' }>;
type Na = Extract<Icmp6Message, { type: 'na' }>;

/** h0 with fc00::1/64 on shmif0 (bus1), DAD off; the frames it sends; crafted ND input. */
function node(seed = 1) {
  const world = new NetWorld(seed);
  const host = bootHost(world, 'h0', { libs: ['netinet6'] });
  host.sysctl['net.inet6.ip6.dad_count'] = 0;
  const ifp = unwrap(ifCreate(host, 'shmif0'));
  ifSetLinkstr(host, ifp, 'bus1');
  unwrap(in6AddAddress(host, ifp, { addr: OURS, prefixLen: 64 }));
  world.runFor(NS_PER_SECOND);
  const bus = world.bus('bus1');
  const mark = { frames: bus.capture.length, rtsock: host.rtsock.log.length };
  /** Frames sent since the last call (or since the node came up). */
  const sent = (): EtherFrame[] => {
    const out = bus.capture.slice(mark.frames).map((c) => c.frame);
    mark.frames = bus.capture.length;
    return out;
  };
  /** Routing messages since the last call. */
  const msgs = () => {
    const out = host.rtsock.log.slice(mark.rtsock);
    mark.rtsock = host.rtsock.log.length;
    return out;
  };
  const table = nd6Of(host, ifp).table;
  const entry = (addr: In6Addr) => table.lookup(addr);
  return { world, host, ifp, bus, sent, msgs, table, entry, own: activeMac(ifp) as Mac };
}

const nsPkt = (src: In6Addr, target: In6Addr, sllao: Mac | undefined, hlim = 255) => {
  const ns: Ns = { type: 'ns', target, sllao };
  const pkt: Ipv6Packet = { kind: 'ipv6', src, dst: target, hlim, body: { proto: 'icmp6', icmp6: ns } };
  return { pkt, ns };
};

const naPkt = (target: In6Addr, fields: Partial<Omit<Na, 'type' | 'target'>>, hlim = 255) => {
  const na: Na = {
    type: 'na',
    target,
    tllao: PEER_MAC,
    router: false,
    solicited: true,
    override: true,
    ...fields,
  };
  const pkt: Ipv6Packet = { kind: 'ipv6', src: target, dst: OURS, hlim, body: { proto: 'icmp6', icmp6: na } };
  return { pkt, na };
};

const echo = (host: Host, src: In6Addr, dst: In6Addr): Ipv6Packet =>
  ip6Packet(host, src, dst, { proto: 'icmp6', icmp6: { type: 'echo-request', id: 1, seq: 1, dataBytes: 8 } });

const icmp6Of = (f: EtherFrame | undefined): Icmp6Message | undefined =>
  f?.payload.kind === 'ipv6' && f.payload.body.proto === 'icmp6' ? f.payload.body.icmp6 : undefined;

/** h0 sends an echo to PEER: the neighbour entry is INCOMPLETE with the echo held. */
function incomplete() {
  const env = node();
  expect(ip6Output(env.host, echo(env.host, OURS, PEER))).toBeUndefined();
  const ln = env.entry(PEER) as Nd6Entry;
  expect(ln.state).toBe('incomplete');
  return { ...env, ln };
}

/** PEER resolved by a solicited NA: REACHABLE at PEER_MAC. */
function resolved() {
  const env = incomplete();
  const { pkt, na } = naPkt(PEER, {});
  nd6NaInput(env.host, env.ifp, pkt, na);
  expect(env.ln.state).toBe('reachable');
  env.sent();
  env.msgs();
  return env;
}

function setFlag(ifp: Ifnet, addr: In6Addr, flag: In6Flag): void {
  ifp.in6Addrs.find((ia) => ia.addr === addr)?.flags.add(flag);
}

describe('nd6_ns_input', () => {
  it('an NS for our address: the sender is cached STALE and gets a solicited, overriding NA', () => {
    const { host, ifp, sent, msgs, entry, own, world } = node();
    const { pkt, ns } = nsPkt(PEER, OURS, PEER_MAC);
    nd6NsInput(host, ifp, pkt, ns);
    const ln = entry(PEER) as Nd6Entry;
    expect(ln.lladdr).toBe(PEER_MAC);
    expect(nd6IsRouter(ln)).toBe(false);
    world.runFor(NS_PER_MS);
    const out = sent();
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual({
      src: own,
      dst: PEER_MAC,
      payload: {
        kind: 'ipv6',
        src: OURS,
        dst: PEER,
        hlim: 255,
        body: {
          proto: 'icmp6',
          icmp6: { type: 'na', target: OURS, tllao: own, router: false, solicited: true, override: true },
        },
      },
    });
    expect(msgs()).toEqual([
      {
        type: 'RTM_ADD',
        flags: ['UP', 'HOST', 'DONE', 'LLINFO', 'CLONED'],
        addrs: { DST: { kind: 'inet6', text: PEER }, GATEWAY: { kind: 'link', ifIndex: ifp.index } },
        errno: 0,
      },
    ]);
  });

  it('a router (forwarding on) sets the R flag; an anycast target does not override', () => {
    const { host, ifp, sent } = node();
    host.sysctl['net.inet6.ip6.forwarding'] = 1;
    const any = a6('fc00::80');
    unwrap(in6AddAddress(host, ifp, { addr: any, prefixLen: 64, flags: ['anycast'] }));
    sent();
    nd6NsInput(host, ifp, ...(Object.values(nsPkt(PEER, any, PEER_MAC)) as [Ipv6Packet, Ns]));
    expect(icmp6Of(sent()[0])).toMatchObject({ type: 'na', target: any, router: true, override: false });
  });

  it('not from a neighbour (hop limit below 255), or not for us: no answer, nothing learnt', () => {
    const { host, ifp, sent, entry } = node();
    const lowHop = nsPkt(PEER, OURS, PEER_MAC, 254);
    nd6NsInput(host, ifp, lowHop.pkt, lowHop.ns);
    const notOurs = nsPkt(PEER, a6('fc00::77'), PEER_MAC);
    nd6NsInput(host, ifp, notOurs.pkt, notOurs.ns);
    expect(sent()).toEqual([]);
    expect(entry(PEER)).toBeUndefined();
  });

  it('a DAD probe for our address: an unsolicited NA to all nodes, no cache entry for ::', () => {
    const { host, ifp, sent, entry, own } = node();
    const { pkt, ns } = nsPkt(a6('::'), OURS, undefined);
    nd6NsInput(host, ifp, pkt, ns);
    const out = sent();
    expect(out).toHaveLength(1);
    expect(out[0]?.dst).toBe('33:33:00:00:00:01');
    // To a link-scoped group: from our link-local address.
    const linkLocal = ifp.in6Addrs.find((ia) => ia.linkLocal)?.addr;
    expect(out[0]?.payload).toMatchObject({ src: linkLocal, dst: 'ff02::1', hlim: 255 });
    expect(icmp6Of(out[0])).toEqual({
      type: 'na',
      target: OURS,
      tllao: own,
      router: false,
      solicited: false,
      override: true,
    });
    expect(entry(a6('::'))).toBeUndefined();
  });

  it('a DAD probe for an anycast address of ours is answered without override', () => {
    const { host, ifp, sent } = node();
    const any = a6('fc00::80');
    unwrap(in6AddAddress(host, ifp, { addr: any, prefixLen: 64, flags: ['anycast'] }));
    sent();
    const { pkt, ns } = nsPkt(a6('::'), any, undefined);
    nd6NsInput(host, ifp, pkt, ns);
    expect(icmp6Of(sent()[0])).toMatchObject({ type: 'na', solicited: false, override: false });
  });

  it('for a tentative address: a DAD probe makes it duplicated; a plain NS is ignored', () => {
    const { host, ifp, sent, entry } = node();
    setFlag(ifp, OURS, 'tentative');
    const plain = nsPkt(PEER, OURS, PEER_MAC);
    nd6NsInput(host, ifp, plain.pkt, plain.ns);
    const ia = ifp.in6Addrs.find((x) => x.addr === OURS);
    expect([...(ia?.flags ?? [])]).toEqual(['tentative']);
    expect(entry(PEER)).toBeUndefined();
    const probe = nsPkt(a6('::'), OURS, undefined);
    nd6NsInput(host, ifp, probe.pkt, probe.ns);
    expect(ia?.flags.has('duplicated')).toBe(true);
    expect(ia?.flags.has('tentative')).toBe(false);
    expect(sent()).toEqual([]);
  });

  it('no answer without a usable source or without a link address; nothing cloned for it', () => {
    const { host, ifp, sent, msgs, entry } = node();
    const any = a6('fc00::80');
    unwrap(in6AddAddress(host, ifp, { addr: any, prefixLen: 64, flags: ['anycast'] }));
    unwrap(in6DeleteAddress(host, ifp, OURS));
    sent();
    msgs();
    const toAnycast = nsPkt(PEER, any, undefined);
    nd6NsInput(host, ifp, toAnycast.pkt, toAnycast.ns);
    expect(sent()).toEqual([]);
    const bare = node();
    bare.ifp.lladdrs.length = 0;
    const plain = nsPkt(PEER, OURS, undefined);
    nd6NsInput(bare.host, bare.ifp, plain.pkt, plain.ns);
    expect(bare.msgs()).toEqual([]);
    expect(bare.entry(PEER)).toBeUndefined();
    expect(entry(PEER)).toBeUndefined();
  });

  it('for a duplicated address: no answer to anyone', () => {
    const { host, ifp, sent, entry } = node();
    setFlag(ifp, OURS, 'duplicated');
    for (const src of [PEER, a6('::')]) {
      const { pkt, ns } = nsPkt(src, OURS, src === PEER ? PEER_MAC : undefined);
      nd6NsInput(host, ifp, pkt, ns);
    }
    expect(sent()).toEqual([]);
    expect(entry(PEER)).toBeUndefined();
  });
});

describe('nd6_na_input', () => {
  it('an NA for our own ready address reports a duplicate; for a tentative one, DAD fails', () => {
    const { host, ifp } = node();
    const mine = naPkt(OURS, {});
    nd6NaInput(host, ifp, mine.pkt, mine.na);
    expect(host.dmesg.at(-1)).toBe(`nd6_na_input: duplicate IP6 address ${OURS}`);
    const ia = ifp.in6Addrs.find((x) => x.addr === OURS);
    expect(ia?.flags.has('duplicated')).toBe(false);
    setFlag(ifp, OURS, 'tentative');
    nd6NaInput(host, ifp, mine.pkt, mine.na);
    expect(ia?.flags.has('duplicated')).toBe(true);
  });

  it('an NA nobody asked for creates no entry; one with the wrong hop limit is dropped', () => {
    const { host, ifp, entry } = node();
    const { pkt, na } = naPkt(PEER, {});
    nd6NaInput(host, ifp, pkt, na);
    expect(entry(PEER)).toBeUndefined();
    const env = incomplete();
    const low = naPkt(PEER, {}, 254);
    nd6NaInput(env.host, env.ifp, low.pkt, low.na);
    expect(env.ln.state).toBe('incomplete');
  });

  it('a solicited NA resolves an INCOMPLETE entry: REACHABLE, the held packet leaves to the new address', () => {
    const { host, ifp, ln, sent, world } = incomplete();
    sent();
    const { pkt, na } = naPkt(PEER, { router: true });
    nd6NaInput(host, ifp, pkt, na);
    expect(ln.state).toBe('reachable');
    expect(ln.lladdr).toBe(PEER_MAC);
    expect(nd6IsRouter(ln)).toBe(true);
    const out = sent();
    expect(out.map((f) => [f.dst, icmp6Of(f)?.type])).toEqual([[PEER_MAC, 'echo-request']]);
    // ReachableTime is BaseReachableTime times a factor in [0.5, 1.5).
    const reachableNs = (ln.expireNs as number) - world.nowNs;
    expect(reachableNs).toBeGreaterThanOrEqual((ND6_REACHABLE_TIME_MS / 2) * NS_PER_MS);
    expect(reachableNs).toBeLessThan(((ND6_REACHABLE_TIME_MS * 3) / 2) * NS_PER_MS);
    expect(reachableNs).toBe(nd6Of(host, ifp).reachableMs * NS_PER_MS);
  });

  it('an unsolicited NA for an INCOMPLETE entry makes it STALE; one without a link address is ignored', () => {
    const bare = incomplete();
    const noLl = naPkt(PEER, { tllao: undefined });
    nd6NaInput(bare.host, bare.ifp, noLl.pkt, noLl.na);
    expect(bare.ln.state).toBe('incomplete');
    expect(bare.ln.lladdr).toBeUndefined();
    const uns = naPkt(PEER, { solicited: false });
    nd6NaInput(bare.host, bare.ifp, uns.pkt, uns.na);
    expect(bare.ln.state).toBe('stale');
    expect(bare.ln.lladdr).toBe(PEER_MAC);
  });

  it('an NA without override and with another address: the known address stays, REACHABLE goes STALE, nothing else is learnt', () => {
    const { host, ifp, ln, sent } = resolved();
    const other = naPkt(PEER, { tllao: OTHER_MAC, override: false, solicited: true, router: true });
    nd6NaInput(host, ifp, other.pkt, other.na);
    expect(ln.lladdr).toBe(PEER_MAC);
    expect(ln.state).toBe('stale');
    // Once STALE, another such NA changes nothing (only REACHABLE is doubted).
    const again = naPkt(PEER, { tllao: OTHER_MAC, override: false, solicited: false, router: false });
    nd6NaInput(host, ifp, again.pkt, again.na);
    expect(ln.state).toBe('stale');
    expect(ln.lladdr).toBe(PEER_MAC);
    expect(nd6IsRouter(ln)).toBe(false);
    expect(sent()).toEqual([]);
    // The same without a link-layer option is a plain confirmation.
    const bare = naPkt(PEER, { tllao: undefined, override: false, solicited: false, router: true });
    nd6NaInput(host, ifp, bare.pkt, bare.na);
    expect(nd6IsRouter(ln)).toBe(true);
  });

  it('a doubted entry keeps its GC time: a second doubting NA does not restart it', () => {
    const { host, ifp, world, entry } = resolved();
    const doubting = () => {
      const o = naPkt(PEER, { tllao: OTHER_MAC, override: false, solicited: false });
      nd6NaInput(host, ifp, o.pkt, o.na);
    };
    doubting();
    expect(entry(PEER)?.state).toBe('stale');
    world.runFor((ND_GC_SECONDS - 10) * NS_PER_SECOND);
    doubting();
    world.runFor(20 * NS_PER_SECOND);
    // Freed when the first doubt's GC time ran out.
    expect(entry(PEER)).toBeUndefined();
  });

  it('an overriding NA with another address replaces it: STALE unsolicited, REACHABLE solicited', () => {
    const { host, ifp, ln } = resolved();
    const uns = naPkt(PEER, { tllao: OTHER_MAC, solicited: false });
    nd6NaInput(host, ifp, uns.pkt, uns.na);
    expect(ln.lladdr).toBe(OTHER_MAC);
    expect(ln.state).toBe('stale');
    const sol = naPkt(PEER, { tllao: PEER_MAC, solicited: true });
    nd6NaInput(host, ifp, sol.pkt, sol.na);
    expect(ln.lladdr).toBe(PEER_MAC);
    expect(ln.state).toBe('reachable');
  });

  it('a solicited NA without a link address confirms the known one', () => {
    const { host, ifp, ln, world } = resolved();
    world.runFor(ND6_REACHABLE_TIME_MS * 2 * NS_PER_MS);
    expect(ln.state).toBe('stale');
    const { pkt, na } = naPkt(PEER, { tllao: undefined, override: false });
    nd6NaInput(host, ifp, pkt, na);
    expect(ln.state).toBe('reachable');
    expect(ln.lladdr).toBe(PEER_MAC);
  });

  it('an unsolicited NA with the same address changes nothing', () => {
    const { host, ifp, ln } = resolved();
    const expire = ln.expireNs;
    const { pkt, na } = naPkt(PEER, { solicited: false });
    nd6NaInput(host, ifp, pkt, na);
    expect(ln.state).toBe('reachable');
    expect(ln.expireNs).toBe(expire);
  });

  it('an NS without a source link-layer option leaves a known neighbour as it is', () => {
    const { host, ifp, ln } = resolved();
    const expire = ln.expireNs;
    const { pkt, ns } = nsPkt(PEER, OURS, undefined);
    nd6NsInput(host, ifp, pkt, ns);
    expect(ln.lladdr).toBe(PEER_MAC);
    expect(ln.state).toBe('reachable');
    expect(ln.expireNs).toBe(expire);
  });

  it('an NA without override but with the known address is taken: confirmation and router flag', () => {
    const { host, ifp, ln, world } = resolved();
    world.runFor(ND6_REACHABLE_TIME_MS * 2 * NS_PER_MS);
    expect(ln.state).toBe('stale');
    const { pkt, na } = naPkt(PEER, { tllao: PEER_MAC, override: false, solicited: true, router: true });
    nd6NaInput(host, ifp, pkt, na);
    expect(ln.state).toBe('reachable');
    expect(nd6IsRouter(ln)).toBe(true);
  });

  it('the router flag follows each NA', () => {
    const { host, ifp, ln } = resolved();
    const r = naPkt(PEER, { router: true, solicited: false });
    nd6NaInput(host, ifp, r.pkt, r.na);
    expect(nd6IsRouter(ln)).toBe(true);
    const h = naPkt(PEER, { router: false, solicited: false });
    nd6NaInput(host, ifp, h.pkt, h.na);
    expect(nd6IsRouter(ln)).toBe(false);
  });

  it('a static entry ignores NAs', () => {
    const { host, ifp, table } = node();
    const ln = table.setManual(PEER, PEER_MAC, { isStatic: true, published: false });
    const { pkt, na } = naPkt(PEER, { tllao: OTHER_MAC, router: true });
    nd6NaInput(host, ifp, pkt, na);
    expect(ln.lladdr).toBe(PEER_MAC);
    expect(nd6IsRouter(ln)).toBe(false);
  });

  it('an NA for an entry that gave up (WAITDELETE) is taken like one for an unresolved entry', () => {
    const { host, ifp, ln, world } = incomplete();
    world.runFor(ND6_RETRANS_TIMER_MS * 3 * NS_PER_MS);
    expect(ln.state).toBe('waitdelete');
    const { pkt, na } = naPkt(PEER, { override: false, solicited: false });
    nd6NaInput(host, ifp, pkt, na);
    expect(ln.lladdr).toBe(PEER_MAC);
    expect(ln.state).toBe('stale');
  });
});

describe('nd6_cache_lladdr', () => {
  it('nothing from the unspecified address, nothing new without a link address', () => {
    const { host, ifp, table } = node();
    nd6CacheLladdr(host, ifp, a6('::'), PEER_MAC, true);
    nd6CacheLladdr(host, ifp, PEER, undefined, true);
    expect(table.entries).toEqual([]);
  });

  it('a new sender: STALE, announced, a router when the message says so', () => {
    const { host, ifp, entry, msgs } = node();
    nd6CacheLladdr(host, ifp, PEER, PEER_MAC, true);
    const ln = entry(PEER) as Nd6Entry;
    expect(ln.state).toBe('stale');
    expect(nd6IsRouter(ln)).toBe(true);
    expect(msgs().map((m) => m.type)).toEqual(['RTM_ADD']);
  });

  it('a known router stays one when an NS (router unknown: false) comes from it', () => {
    const { host, ifp, entry } = node();
    nd6CacheLladdr(host, ifp, PEER, PEER_MAC, true);
    nd6CacheLladdr(host, ifp, PEER, PEER_MAC, false);
    nd6CacheLladdr(host, ifp, PEER, PEER_MAC, undefined);
    expect(nd6IsRouter(entry(PEER) as Nd6Entry)).toBe(true);
  });

  it('the same address keeps the state; a new one makes the entry STALE; an INCOMPLETE one is resolved', () => {
    const { host, ifp, ln, sent } = resolved();
    const expire = ln.expireNs;
    nd6CacheLladdr(host, ifp, PEER, PEER_MAC, undefined);
    expect(ln.state).toBe('reachable');
    expect(ln.expireNs).toBe(expire);
    nd6CacheLladdr(host, ifp, PEER, OTHER_MAC, undefined);
    expect(ln.state).toBe('stale');
    expect(ln.lladdr).toBe(OTHER_MAC);
    const env = incomplete();
    env.sent();
    nd6CacheLladdr(env.host, env.ifp, PEER, PEER_MAC, undefined);
    expect(env.ln.state).toBe('stale');
    expect(env.sent().map((f) => icmp6Of(f)?.type)).toEqual(['echo-request']);
    expect(sent()).toEqual([]);
  });

  it('static entries never change', () => {
    const { host, ifp, table } = node();
    const ln = table.setManual(PEER, PEER_MAC, { isStatic: true, published: false });
    nd6CacheLladdr(host, ifp, PEER, OTHER_MAC, true);
    expect(ln.lladdr).toBe(PEER_MAC);
    expect(nd6IsRouter(ln)).toBe(false);
  });
});

describe('nd6_ns_output', () => {
  it('a solicitation comes from the held packet source when it is ours, to the solicited-node group', () => {
    const { host, ifp, sent, own } = node();
    const second = a6('fc00::2');
    unwrap(in6AddAddress(host, ifp, { addr: second, prefixLen: 64 }));
    sent();
    ip6Output(host, echo(host, second, PEER));
    const out = sent();
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual({
      src: own,
      dst: '33:33:ff:00:00:09',
      payload: {
        kind: 'ipv6',
        src: second,
        dst: 'ff02::1:ff00:9',
        hlim: 255,
        body: { proto: 'icmp6', icmp6: { type: 'ns', target: PEER, sllao: own } },
      },
    });
  });

  it('a held packet from elsewhere (forwarded) or from a not-ready address: the selected source', () => {
    const { host, ifp, sent } = node();
    const tentative = a6('fc00::3');
    unwrap(in6AddAddress(host, ifp, { addr: tentative, prefixLen: 64 }));
    setFlag(ifp, tentative, 'tentative');
    sent();
    nd6Resolve(host, ifp, PEER, echo(host, a6('fc00:5::5'), PEER));
    nd6Resolve(host, ifp, a6('fc00::a'), echo(host, tentative, a6('fc00::a')));
    expect(sent().map((f) => f.payload.kind === 'ipv6' && f.payload.src)).toEqual([OURS, OURS]);
  });

  it('the retries of an unanswered resolution: three multicast NS one RetransTimer apart, then unreachable', () => {
    const { host, sent, world, ln } = incomplete();
    const got: Icmp6Delivery[] = [];
    inet6Of(host).icmp6Listeners.add((d) => got.push(d));
    world.runFor(ND6_RETRANS_TIMER_MS * 2 * NS_PER_MS);
    const out = sent();
    expect(out.map((f) => icmp6Of(f)?.type)).toEqual(['ns', 'ns', 'ns']);
    expect(got).toEqual([]);
    world.runFor(ND6_RETRANS_TIMER_MS * NS_PER_MS);
    expect(ln.state).toBe('waitdelete');
    world.runFor(NS_PER_MS);
    // The held echo's sender (ourselves) learns that PEER's address is unreachable.
    expect(got.map((d) => d.icmp6.type === 'unreach' && d.icmp6.code)).toEqual(['addr']);
    expect(got[0]?.icmp6).toMatchObject({ quoted: { src: OURS, dst: PEER } });
  });

  it('probing a STALE neighbour after the delay: unicast NS to its link address and its own address', () => {
    const { host, ln, sent, world, own } = resolved();
    world.runFor(ND6_REACHABLE_TIME_MS * 2 * NS_PER_MS);
    ip6Output(host, echo(host, OURS, PEER));
    expect(ln.state).toBe('delay');
    sent();
    world.runFor(5 * NS_PER_SECOND);
    expect(ln.state).toBe('probe');
    const out = sent();
    expect(out).toEqual([
      {
        src: own,
        dst: PEER_MAC,
        payload: {
          kind: 'ipv6',
          src: OURS,
          dst: PEER,
          hlim: 255,
          body: { proto: 'icmp6', icmp6: { type: 'ns', target: PEER, sllao: own } },
        },
      },
    ]);
  });

  it('an unanswered PROBE: three unicast NS, then the entry goes with RTM_DELETE', () => {
    const { host, ln, sent, msgs, world, entry } = resolved();
    world.runFor(ND6_REACHABLE_TIME_MS * 2 * NS_PER_MS);
    ip6Output(host, echo(host, OURS, PEER));
    world.runFor(5 * NS_PER_SECOND);
    sent();
    world.runFor(ND6_RETRANS_TIMER_MS * 2 * NS_PER_MS);
    expect(ln.state).toBe('probe');
    expect(sent().map((f) => [f.dst, icmp6Of(f)?.type])).toEqual([
      [PEER_MAC, 'ns'],
      [PEER_MAC, 'ns'],
    ]);
    msgs();
    world.runFor(ND6_RETRANS_TIMER_MS * NS_PER_MS);
    expect(entry(PEER)).toBeUndefined();
    expect(msgs().map((m) => m.type)).toEqual(['RTM_DELETE']);
  });

  it('a DAD probe: from ::, without a source link-layer option', () => {
    const { host, ifp, sent } = node();
    nd6NsOutput(host, ifp, a6('fc00::42'), undefined, undefined, true);
    const out = sent();
    expect(out[0]?.payload).toMatchObject({ src: '::', dst: 'ff02::1:ff00:42', hlim: 255 });
    expect(icmp6Of(out[0])).toEqual({ type: 'ns', target: 'fc00::42', sllao: undefined });
  });

  it('no solicitation without a link address or without a usable source', () => {
    const { host, ifp, sent } = node();
    setFlag(ifp, OURS, 'tentative');
    nd6NsOutput(host, ifp, PEER, undefined, undefined);
    expect(sent()).toEqual([]);
    const bare = bootHost(new NetWorld(1), 'h1', { libs: ['netinet6'] });
    const tap = unwrap(ifCreate(bare, 'shmif0'));
    tap.lladdrs.length = 0;
    nd6NsOutput(bare, tap, PEER, undefined, undefined, true);
    expect(tap.counters.opackets).toBe(0);
  });
});

describe('the neighbour cache as routes', () => {
  it('an entry that goes away after resolution: RTM_DELETE with its link address; STATIC for a static one', () => {
    const { ifp, ln, table, msgs } = resolved();
    table.free(ln);
    const fixed = table.setManual(a6('fc00::8'), OTHER_MAC, { isStatic: true, published: false });
    table.free(fixed);
    const link = (mac: Mac) => ({ kind: 'link', ifIndex: ifp.index, mac });
    expect(msgs()).toEqual([
      {
        type: 'RTM_DELETE',
        flags: ['HOST', 'DONE', 'LLINFO', 'CLONED'],
        addrs: { DST: { kind: 'inet6', text: PEER }, GATEWAY: link(PEER_MAC) },
        errno: 0,
      },
      {
        type: 'RTM_DELETE',
        flags: ['HOST', 'DONE', 'LLINFO', 'STATIC', 'CLONED'],
        addrs: { DST: { kind: 'inet6', text: 'fc00::8' }, GATEWAY: link(OTHER_MAC) },
        errno: 0,
      },
    ]);
  });

  it('neighborgcthresh: a new entry first frees the oldest dynamic ones; static entries stay', () => {
    const { host, ifp, table } = node();
    host.sysctl['net.inet6.ip6.neighborgcthresh'] = 2;
    table.setManual(a6('fc00::50'), OTHER_MAC, { isStatic: true, published: false });
    const sorted = () => table.entries.map((e) => e.l3).sort();
    for (const n of [1, 2, 3]) nd6CacheLladdr(host, ifp, a6(`fc00::6${n}`), PEER_MAC, undefined);
    expect(sorted()).toEqual(['fc00::50', 'fc00::62', 'fc00::63']);
    nd6CacheLladdr(host, ifp, a6('fc00::64'), PEER_MAC, undefined);
    expect(sorted()).toEqual(['fc00::50', 'fc00::63', 'fc00::64']);
    host.sysctl['net.inet6.ip6.neighborgcthresh'] = 0;
    nd6CacheLladdr(host, ifp, a6('fc00::65'), PEER_MAC, undefined);
    expect(table.entries.map((e) => e.l3).sort()).toEqual(['fc00::50', 'fc00::65']);
    host.sysctl['net.inet6.ip6.neighborgcthresh'] = -1;
    for (const n of [6, 7, 8]) nd6CacheLladdr(host, ifp, a6(`fc00::6${n}`), PEER_MAC, undefined);
    expect(table.entries).toHaveLength(5);
  });

  it('nd6_resolve of a new neighbour clones an entry: RTM_ADD without a link address', () => {
    const { host, ifp, msgs } = node();
    expect(nd6Resolve(host, ifp, PEER, echo(host, OURS, PEER)).kind).toBe('held');
    // The clone carries no link address yet: its gateway has no `mac` at all.
    expect(msgs()).toStrictEqual([
      {
        type: 'RTM_ADD',
        flags: ['UP', 'HOST', 'DONE', 'LLINFO', 'CLONED'],
        addrs: { DST: { kind: 'inet6', text: PEER }, GATEWAY: { kind: 'link', ifIndex: ifp.index } },
        errno: 0,
      },
    ]);
  });

  it('nd6_resolve of a known neighbour reuses its entry', () => {
    const { host, ifp, table, msgs } = resolved();
    expect(nd6Resolve(host, ifp, PEER, echo(host, OURS, PEER))).toEqual({
      kind: 'resolved',
      lladdr: PEER_MAC,
    });
    expect(table.entries).toHaveLength(1);
    expect(msgs()).toEqual([]);
  });
});

describe('a new active link address', () => {
  it('unsolicited overriding NAs for each usable address, from the new address, none for anycast or tentative', () => {
    const { host, ifp, sent } = node();
    unwrap(in6AddAddress(host, ifp, { addr: a6('fc00::80'), prefixLen: 64, flags: ['anycast'] }));
    unwrap(in6AddAddress(host, ifp, { addr: a6('fc00::81'), prefixLen: 64 }));
    setFlag(ifp, a6('fc00::81'), 'tentative');
    unwrap(in6AddAddress(host, ifp, { addr: a6('fc00::82'), prefixLen: 64 }));
    setFlag(ifp, a6('fc00::82'), 'detached');
    sent();
    const fresh = 'b2:a0:00:00:77:01' as Mac;
    unwrap(ifAddLink(host, ifp, fresh, true));
    const out = sent();
    const linkLocal = ifp.in6Addrs.find((ia) => ia.linkLocal)?.addr;
    expect(out.map((f) => icmp6Of(f))).toEqual(
      [OURS, linkLocal].map((target) => ({
        type: 'na',
        target,
        tllao: fresh,
        router: false,
        solicited: false,
        override: true,
      })),
    );
    expect(out.every((f) => f.src === fresh && f.dst === '33:33:00:00:00:01')).toBe(true);
    nd6AnnounceLink(host, ifp);
    expect(sent()).toHaveLength(2);
  });
});
