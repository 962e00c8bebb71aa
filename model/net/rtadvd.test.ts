/**
 * rtadvd(8) as the model runs it (NetBSD usr.sbin/rtadvd): when advertisements go out, from
 * which address, with which options, and what SIGTERM and SIGKILL leave on the wire.
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import { activeMac } from './ifnet.ts';
import { ifCreate, ifSetLinkstr, ifSetUp } from './ifops.ts';
import type { In6Addr } from './in6.ts';
import { in6AddAddress } from './in6ctl.ts';
import { RTADVD_DEFAULTS, Rtadvd, type RtadvdConfig } from './rtadvd.ts';
import type { EtherFrame, Icmp6Message } from './wire.ts';
import { NetWorld } from './world.ts';

type Ra = Extract<Icmp6Message, { type: 'ra' }>;

const CONFIG: RtadvdConfig = {
  mtu: 1_300,
  maxIntervalSeconds: 4,
  minIntervalSeconds: 3,
  routerLifetimeSeconds: 12,
  prefix: undefined,
};

/** A router with fc00:1::1/64 on shmif0 (bus1), its link-local address ready. */
function router(seed = 1) {
  const world = new NetWorld(seed);
  const host = bootHost(world, 'r', { libs: ['netinet6'] });
  host.sysctl['net.inet6.ip6.dad_count'] = 0;
  host.sysctl['net.inet6.ip6.forwarding'] = 1;
  const ifp = unwrap(ifCreate(host, 'shmif0'));
  ifSetLinkstr(host, ifp, 'bus1');
  unwrap(in6AddAddress(host, ifp, { addr: 'fc00:1::1' as In6Addr, prefixLen: 64 }));
  world.runFor(NS_PER_SECOND);
  const bus = world.bus('bus1');
  let mark = bus.capture.length;
  /** RAs sent since the last call. */
  const ras = (): { atNs: number; frame: EtherFrame; ra: Ra }[] => {
    const out: { atNs: number; frame: EtherFrame; ra: Ra }[] = [];
    for (const c of bus.capture.slice(mark)) {
      const p = c.frame.payload;
      if (p.kind === 'ipv6' && p.body.proto === 'icmp6' && p.body.icmp6.type === 'ra')
        out.push({ atNs: c.atNs, frame: c.frame, ra: p.body.icmp6 });
    }
    mark = bus.capture.length;
    return out;
  };
  const linkLocal = ifp.in6Addrs.find((ia) => ia.linkLocal)?.addr;
  return { world, host, ifp, ras, linkLocal };
}

describe('rtadvd', () => {
  it('the first RA at once: from the link-local address to all nodes, hop limit 255, with MTU and prefixes', () => {
    const { host, ifp, ras, linkLocal } = router();
    const d = new Rtadvd(host, ifp, CONFIG);
    expect(d.running).toBe(false);
    d.start();
    expect(d.running).toBe(true);
    const sent = ras();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.frame.dst).toBe('33:33:00:00:00:01');
    expect(sent[0]?.frame.payload).toMatchObject({ src: linkLocal, dst: 'ff02::1', hlim: 255 });
    expect(sent[0]?.ra).toEqual({
      type: 'ra',
      routerLifetimeSeconds: 12,
      sllao: activeMac(ifp),
      mtu: 1_300,
      prefixes: [
        {
          prefix: 'fc00:1::',
          prefixLen: 64,
          onLink: true,
          autonomous: true,
          vltimeSeconds: RTADVD_DEFAULTS.vltimeSeconds,
          pltimeSeconds: RTADVD_DEFAULTS.pltimeSeconds,
        },
      ],
    });
    expect(RTADVD_DEFAULTS).toEqual({
      maxIntervalSeconds: 600,
      vltimeSeconds: 2_592_000,
      pltimeSeconds: 604_800,
      prefixLen: 64,
    });
  });

  it('then one RA per random interval between mininterval and maxinterval', () => {
    const { host, ifp, ras, world } = router();
    const d = new Rtadvd(host, ifp, CONFIG);
    d.start();
    ras();
    let last = world.nowNs as number;
    const gaps: number[] = [];
    for (let i = 0; i < 12; i++) {
      world.runFor(4 * NS_PER_SECOND);
      for (const r of ras()) {
        gaps.push(r.atNs - last);
        last = r.atNs;
      }
    }
    expect(gaps.length).toBeGreaterThanOrEqual(10);
    expect(gaps.every((g) => g >= 3 * NS_PER_SECOND && g <= 4 * NS_PER_SECOND)).toBe(true);
    expect(new Set(gaps).size).toBeGreaterThan(5);
    expect(Math.min(...gaps)).toBeLessThan(3.3 * NS_PER_SECOND);
    expect(Math.max(...gaps)).toBeGreaterThan(3.7 * NS_PER_SECOND);
  });

  it('the random part covers the whole span, maxinterval included (milliseconds)', () => {
    const { host, ifp, ras, world } = router();
    new Rtadvd(host, ifp, { ...CONFIG, minIntervalSeconds: 3, maxIntervalSeconds: 3.002 }).start();
    let last = world.nowNs as number;
    ras();
    const gapsMs = new Set<number>();
    world.runFor(40 * NS_PER_SECOND);
    for (const r of ras()) {
      gapsMs.add((r.atNs - last) / 1e6);
      last = r.atNs;
    }
    expect([...gapsMs].sort()).toEqual([3_000, 3_001, 3_002]);
  });

  it('maxinterval below mininterval: every RA exactly mininterval apart', () => {
    const { host, ifp, ras, world } = router();
    const d = new Rtadvd(host, ifp, { ...CONFIG, minIntervalSeconds: 2, maxIntervalSeconds: 1 });
    d.start();
    const t0 = world.nowNs;
    world.runFor(6 * NS_PER_SECOND);
    expect(ras().map((r) => r.atNs - t0)).toEqual([0, 2, 4, 6].map((s) => s * NS_PER_SECOND));
  });

  it('a configured prefix (network part only) and no MTU option for mtu 0', () => {
    const { host, ifp, ras } = router();
    const prefix = { addr: 'fc00:9::77' as In6Addr, prefixLen: 48, vltimeSeconds: 100, pltimeSeconds: 50 };
    new Rtadvd(host, ifp, { ...CONFIG, mtu: 0, prefix }).start();
    const ra = ras()[0]?.ra;
    expect(ra?.mtu).toBeUndefined();
    expect(ra?.prefixes).toEqual([
      {
        prefix: 'fc00:9::',
        prefixLen: 48,
        onLink: true,
        autonomous: true,
        vltimeSeconds: 100,
        pltimeSeconds: 50,
      },
    ]);
  });

  it('SIGTERM: one last RA with router lifetime 0, then silence; SIGKILL: silence at once', () => {
    const term = router();
    const d = new Rtadvd(term.host, term.ifp, CONFIG);
    d.start();
    term.ras();
    d.stop(true);
    expect(d.running).toBe(false);
    expect(term.ras().map((r) => r.ra.routerLifetimeSeconds)).toEqual([0]);
    term.world.runFor(60 * NS_PER_SECOND);
    expect(term.ras()).toEqual([]);
    d.stop(true);
    expect(term.ras()).toEqual([]);

    const kill = router();
    const k = new Rtadvd(kill.host, kill.ifp, CONFIG);
    k.start();
    kill.ras();
    k.stop(false);
    kill.world.runFor(60 * NS_PER_SECOND);
    expect(kill.ras()).toEqual([]);
  });

  it('a stopped daemon started twice over sends nothing from the older timer', () => {
    const { host, ifp, ras, world } = router();
    const d = new Rtadvd(host, ifp, CONFIG);
    d.start();
    d.start();
    d.stop(false);
    world.runFor(60 * NS_PER_SECOND);
    expect(ras()).toHaveLength(2);
  });

  it('no RA while the interface is down or has no ready link-local address', () => {
    const { host, ifp, ras, world } = router();
    const d = new Rtadvd(host, ifp, CONFIG);
    ifSetUp(host, ifp, false);
    d.start();
    expect(ras()).toEqual([]);
    ifSetUp(host, ifp, true);
    for (const ia of ifp.in6Addrs) if (ia.linkLocal) ia.flags.add('tentative');
    world.runFor(5 * NS_PER_SECOND);
    expect(ras()).toEqual([]);
    for (const ia of ifp.in6Addrs) if (ia.linkLocal) ia.flags.delete('tentative');
    world.runFor(5 * NS_PER_SECOND);
    expect(ras().length).toBeGreaterThan(0);
  });
});
