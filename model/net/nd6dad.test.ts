/**
 * IPv6 duplicate address detection (NetBSD sys/netinet6/nd6_nbr.c nd6_dad_start, nd6_dad_timer,
 * nd6_dad_duplicated; RFC 4862 5.4): the probes on the wire, the verdict, and what stops it.
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { In6Ifaddr } from './ifnet.ts';
import { ifCreate, ifSetLinkstr, ifSetUp } from './ifops.ts';
import type { In6Addr } from './in6.ts';
import { in6AddAddress } from './in6ctl.ts';
import { ND6_RETRANS_TIMER_MS } from './knobs6.ts';
import { nd6DadStart, nd6DadStop } from './nd6dad.ts';
import { nd6Hooks } from './nd6hooks.ts';
import type { EtherFrame } from './wire.ts';
import { NetWorld } from './world.ts';

const RETRANS_NS = ND6_RETRANS_TIMER_MS * NS_PER_MS;
const ADDR = 'fc00::5' as In6Addr;

/** A host with shmif0 up on bus1 and net.inet6.ip6.dad_count = `count`. */
function node(count: number) {
  const world = new NetWorld(1);
  const host = bootHost(world, 'h0', { libs: ['netinet6'] });
  host.sysctl['net.inet6.ip6.dad_count'] = 0;
  const ifp = unwrap(ifCreate(host, 'shmif0'));
  ifSetLinkstr(host, ifp, 'bus1');
  ifSetUp(host, ifp, true);
  world.runFor(NS_PER_SECOND);
  host.sysctl['net.inet6.ip6.dad_count'] = count;
  const bus = world.bus('bus1');
  let mark = bus.capture.length;
  /** DAD probes for ADDR sent since the last call, with their times. */
  const probes = (): { atNs: number; frame: EtherFrame }[] => {
    const out = bus.capture.slice(mark).filter((c) => {
      const p = c.frame.payload;
      return p.kind === 'ipv6' && p.body.proto === 'icmp6' && p.body.icmp6.type === 'ns';
    });
    mark = bus.capture.length;
    return out.map((c) => ({ atNs: c.atNs, frame: c.frame }));
  };
  let rtMark = host.rtsock.log.length;
  const newaddrs = () => {
    const out = host.rtsock.log.slice(rtMark).filter((m) => m.type === 'RTM_NEWADDR');
    rtMark = host.rtsock.log.length;
    return out;
  };
  const add = (): In6Ifaddr => {
    const ia = unwrap(in6AddAddress(host, ifp, { addr: ADDR, prefixLen: 64 }));
    newaddrs();
    return ia;
  };
  return { world, host, ifp, probes, newaddrs, add };
}

describe('nd6_dad_start and nd6_dad_timer', () => {
  it('dad_count probes from ::, RetransTimer apart; usable one RetransTimer after the last', () => {
    const { world, probes, newaddrs, add } = node(3);
    const startNs = world.nowNs;
    const ia = add();
    expect(ia.flags.has('tentative')).toBe(true);
    world.runFor(3 * RETRANS_NS - 1);
    const sent = probes();
    expect(sent.map((p) => p.atNs - startNs)).toEqual([0, RETRANS_NS, 2 * RETRANS_NS]);
    expect(sent[0]?.frame.payload).toMatchObject({
      src: '::',
      dst: 'ff02::1:ff00:5',
      body: { icmp6: { type: 'ns', target: ADDR, sllao: undefined } },
    });
    expect(ia.flags.has('tentative')).toBe(true);
    expect(newaddrs()).toEqual([]);
    world.runFor(1);
    expect(ia.flags.has('tentative')).toBe(false);
    expect(newaddrs()).toEqual([
      { type: 'RTM_NEWADDR', flags: [], addrs: { IFA: { kind: 'inet6', text: ADDR } }, errno: 0 },
    ]);
    world.runFor(10 * RETRANS_NS);
    expect(probes()).toEqual([]);
  });

  it('a delayed start sends its first probe after the delay; the count is the one at the start', () => {
    const { world, host, ifp, probes, add } = node(1);
    const ia = add();
    probes();
    host.sysctl['net.inet6.ip6.dad_count'] = 2;
    const startNs = world.nowNs;
    nd6DadStart(host, ifp, ia, 300);
    world.runFor(300 * NS_PER_MS - 1);
    expect(probes()).toEqual([]);
    world.runFor(1);
    expect(probes().map((p) => p.atNs - startNs)).toEqual([300 * NS_PER_MS]);
    world.runFor(RETRANS_NS);
    expect(probes()).toHaveLength(1);
    world.runFor(RETRANS_NS);
    expect(ia.flags.has('tentative')).toBe(false);
  });

  it('a restart forgets the first run: one sequence of probes', () => {
    const { world, host, ifp, probes, add } = node(2);
    const ia = add();
    world.runFor(RETRANS_NS / 2);
    nd6DadStart(host, ifp, ia, 0);
    world.runFor(5 * RETRANS_NS);
    expect(probes()).toHaveLength(3);
  });

  it('nd6_dad_stop: no more probes, no verdict', () => {
    const { world, host, probes, newaddrs, add } = node(2);
    const ia = add();
    nd6DadStop(host, ia);
    world.runFor(5 * RETRANS_NS);
    expect(probes()).toHaveLength(1);
    expect(ia.flags.has('tentative')).toBe(true);
    expect(newaddrs()).toEqual([]);
    nd6DadStop(host, ia);
  });
});

describe('nd6_dad_duplicated', () => {
  it('a probe from another node: duplicated, logged with the counts, no more probes', () => {
    const { world, host, ifp, probes, newaddrs, add } = node(3);
    const ia = add();
    world.runFor(RETRANS_NS);
    nd6Hooks.dadNsInput(host, ifp, ia);
    expect([...ia.flags]).toEqual(['duplicated']);
    expect(host.dmesg.slice(-2)).toEqual([
      `shmif0: DAD detected duplicate IPv6 address ${ADDR}: NS in/out=1/2, NA in=0`,
      `shmif0: DAD complete for ${ADDR} - duplicate found`,
    ]);
    probes();
    world.runFor(5 * RETRANS_NS);
    expect(probes()).toEqual([]);
    expect(newaddrs()).toEqual([]);
  });

  it('an advertisement for it: duplicated, NA counted', () => {
    const { host, ifp, add } = node(3);
    const ia = add();
    nd6Hooks.dadNaInput(host, ifp, ia);
    expect(ia.flags.has('duplicated')).toBe(true);
    expect(host.dmesg.at(-2)).toBe(
      `shmif0: DAD detected duplicate IPv6 address ${ADDR}: NS in/out=0/1, NA in=1`,
    );
  });

  it('without a DAD run in progress the sent count is 0', () => {
    const { host, ifp, add } = node(0);
    const ia = add();
    nd6Hooks.dadNaInput(host, ifp, ia);
    expect(host.dmesg.at(-2)).toBe(
      `shmif0: DAD detected duplicate IPv6 address ${ADDR}: NS in/out=0/0, NA in=1`,
    );
  });
});
