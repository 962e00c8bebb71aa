/**
 * ARP input and output of the model: which packets create, update or refuse an entry, what is
 * answered, and what the routing socket and the wire see (NetBSD sys/netinet/if_arp.c
 * in_arpinput, arprequest, arp_llinfo_missed, in_lltable_rtcheck; RFC 5227 for DAD).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { arpInput } from './arp.ts';
import { arpDadInput } from './arpdad.ts';
import { arpRequest } from './arpout.ts';
import { bootHost } from './boot.ts';
import type { Host, IcmpDelivery } from './host.ts';
import { activeMac } from './ifnet.ts';
import { ifCreate, ifSetLinkstr, ifSetUp } from './ifops.ts';
import { inAddAddress } from './in.ts';
import { type InAddr, parseInAddr } from './inet.ts';
import { ipOutput, ipPacket } from './ip.ts';
import { ETHER_BROADCAST, type Mac, parseMac } from './mac.ts';
import { rtAdd } from './rtops.ts';
import type { ArpPacket, EtherFrame } from './wire.ts';
import { NetWorld } from './world.ts';

const a = (text: string): InAddr => {
  const addr = parseInAddr(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};
const mac = (text: string): Mac => parseMac(text) as Mac;
const PEER = mac('b2:a0:00:00:99:01');

/** h0 at 10.0.0.1/24 on bus1, DAD off; frames on the bus; a crafted ARP frame into shmif0. */
function node(dadCount = 0) {
  const world = new NetWorld(1);
  const host = bootHost(world, 'h0');
  host.sysctl['net.inet.ip.dad_count'] = dadCount;
  const ifp = unwrap(ifCreate(host, 'shmif0'));
  ifSetLinkstr(host, ifp, 'bus1');
  ifSetUp(host, ifp, true);
  const bus = world.bus('bus1');
  const frames = (from = 0) => bus.capture.slice(from).map((c) => c.frame);
  const arp = (p: Partial<ArpPacket>, dst: Mac = ETHER_BROADCAST): void => {
    const pkt: ArpPacket = {
      kind: 'arp',
      op: 'request',
      sha: PEER,
      spa: a('10.0.0.9'),
      tha: mac('0:0:0:0:0:0'),
      tpa: a('10.0.0.1'),
      ...p,
    };
    arpInput(host, ifp, { src: pkt.sha, dst, payload: pkt });
  };
  return { world, host, ifp, bus, frames, arp };
}

function withAddr(dadCount = 0) {
  const n = node(dadCount);
  unwrap(inAddAddress(n.host, n.ifp, { addr: a('10.0.0.1'), prefixLen: 24 }));
  return n;
}

function listen(host: Host): IcmpDelivery[] {
  const got: IcmpDelivery[] = [];
  host.icmpListeners.add((d) => got.push(d));
  return got;
}

describe('in_arpinput: entries', () => {
  it('a request for us creates the sender entry (RTM_ADD llinfo) and is answered', () => {
    const { host, ifp, frames, arp } = withAddr();
    const n = frames().length;
    const m = host.rtsock.log.length;
    arp({});
    const ln = ifp.arp.lookup(a('10.0.0.9'))!;
    expect(ln).toMatchObject({ lladdr: PEER, state: 'stale', isStatic: false });
    expect(host.rtsock.log.slice(m)).toEqual([
      {
        type: 'RTM_ADD',
        flags: ['UP', 'HOST', 'DONE', 'LLINFO', 'CLONED'],
        addrs: {
          DST: { kind: 'inet', addr: a('10.0.0.9') },
          GATEWAY: { kind: 'link', ifIndex: ifp.index, mac: PEER },
        },
        errno: 0,
      },
    ]);
    const own = activeMac(ifp)!;
    expect(frames(n)).toEqual([
      {
        src: own,
        dst: PEER,
        payload: { kind: 'arp', op: 'reply', sha: own, spa: a('10.0.0.1'), tha: PEER, tpa: a('10.0.0.9') },
      },
    ]);
    // A second request from the same sender refreshes it without a new RTM_ADD.
    const k = host.rtsock.log.length;
    arp({});
    expect(host.rtsock.log.length).toBe(k);
  });

  it('a request for someone else creates nothing and is not answered', () => {
    const { ifp, frames, arp } = withAddr();
    const n = frames().length;
    arp({ tpa: a('10.0.0.5') });
    expect(ifp.arp.lookup(a('10.0.0.9'))).toBeUndefined();
    expect(frames(n)).toEqual([]);
  });

  it('a reply is never answered; a sender 0.0.0.0 is never learnt', () => {
    const { ifp, frames, arp } = withAddr();
    const n = frames().length;
    arp({ op: 'reply' }, activeMac(ifp));
    expect(ifp.arp.lookup(a('10.0.0.9'))?.lladdr).toBe(PEER);
    expect(frames(n)).toEqual([]);
    arp({ spa: a('0.0.0.0'), tpa: a('10.0.0.1') });
    expect(ifp.arp.lookup(a('0.0.0.0'))).toBeUndefined();
  });

  it('a sender off every subnet of the interface: no entry (in_lltable_rtcheck) unless an interface route covers it', () => {
    const { host, ifp, arp } = withAddr();
    arp({ spa: a('172.16.0.9') });
    expect(ifp.arp.lookup(a('172.16.0.9'))).toBeUndefined();
    unwrap(
      rtAdd(host, {
        dst: a('172.17.0.0'),
        prefixLen: 16,
        gateway: { kind: 'addr', addr: a('10.0.0.254') },
        flags: ['GATEWAY'],
      }),
    );
    arp({ spa: a('172.17.0.9') });
    expect(ifp.arp.lookup(a('172.17.0.9'))).toBeUndefined();
    const other = unwrap(ifCreate(host, 'shmif1'));
    unwrap(inAddAddress(host, other, { addr: a('10.5.0.1'), prefixLen: 24 }));
    unwrap(
      rtAdd(host, {
        dst: a('172.18.0.0'),
        prefixLen: 16,
        gateway: { kind: 'link', ifIndex: other.index },
        flags: [],
      }),
    );
    arp({ spa: a('172.18.0.9') });
    expect(ifp.arp.lookup(a('172.18.0.9'))).toBeUndefined();
    unwrap(
      rtAdd(host, {
        dst: a('172.16.0.0'),
        prefixLen: 16,
        gateway: { kind: 'link', ifIndex: ifp.index },
        flags: [],
      }),
    );
    arp({ spa: a('172.16.0.9') });
    expect(ifp.arp.lookup(a('172.16.0.9'))?.lladdr).toBe(PEER);
  });

  it('a static entry is never overwritten; a different MAC is logged', () => {
    const { host, ifp, arp } = withAddr();
    const fixed = mac('b2:a0:00:00:00:77');
    ifp.arp.setManual(a('10.0.0.9'), fixed, { isStatic: true, published: false });
    arp({});
    expect(ifp.arp.lookup(a('10.0.0.9'))?.lladdr).toBe(fixed);
    expect(host.dmesg).toEqual(['arp: attempt to overwrite permanent entry for 10.0.0.9']);
    arp({ sha: fixed });
    expect(host.dmesg.length).toBe(1);
  });

  it('someone using our address is logged and not learnt', () => {
    const { host, ifp, frames, arp } = withAddr();
    const n = frames().length;
    arp({ spa: a('10.0.0.1'), tpa: a('10.0.0.1') });
    expect(host.dmesg).toEqual([`arp: ${PEER} is using my IP address 10.0.0.1 on shmif0!`]);
    expect(ifp.arp.lookup(a('10.0.0.1'))).toBeUndefined();
    expect(frames(n)).toEqual([]);
  });

  it('our own frames, non-ARP payloads and an interface without addresses are ignored', () => {
    const { host, ifp, frames, arp } = node();
    arp({});
    expect(ifp.arp.entries).toEqual([]);
    unwrap(inAddAddress(host, ifp, { addr: a('10.0.0.1'), prefixLen: 24 }));
    const n = frames().length;
    arp({ sha: activeMac(ifp)! });
    expect(ifp.arp.entries).toEqual([]);
    const ip: EtherFrame = {
      src: PEER,
      dst: ETHER_BROADCAST,
      payload: ipPacket(host, a('10.0.0.9'), a('10.0.0.1'), {
        proto: 'icmp',
        icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 0 },
      }),
    };
    expect(() => arpInput(host, ifp, ip)).toThrow(/only ARP payloads/);
    expect(frames(n)).toEqual([]);
    expect(ifp.arp.entries).toEqual([]);
  });

  it('a request for a tentative address of ours is not answered (and is a DAD conflict when probing)', () => {
    const { host, ifp, frames, arp } = withAddr();
    const ia = unwrap(inAddAddress(host, ifp, { addr: a('10.0.0.2'), prefixLen: 24 }));
    ia.flags.add('tentative');
    const n = frames().length;
    arp({ tpa: a('10.0.0.2') });
    expect(frames(n)).toEqual([]);
    expect(ifp.arp.lookup(a('10.0.0.9'))).toBeUndefined();
  });

  it('proxy ARP: a published entry is answered with its MAC', () => {
    const { ifp, frames, arp } = withAddr();
    const pub = mac('b2:a0:00:00:00:55');
    ifp.arp.setManual(a('10.0.0.50'), pub, { isStatic: true, published: true });
    ifp.arp.setManual(a('10.0.0.51'), pub, { isStatic: true, published: false });
    const n = frames().length;
    arp({ tpa: a('10.0.0.51') });
    expect(frames(n)).toEqual([]);
    arp({ tpa: a('10.0.0.50') });
    expect(frames(n)).toMatchObject([
      { dst: PEER, payload: { op: 'reply', sha: pub, spa: a('10.0.0.50'), tpa: a('10.0.0.9') } },
    ]);
  });

  it('a solicited reply makes an incomplete entry reachable and sends the held packet', () => {
    const { host, ifp, frames, arp } = withAddr();
    const echo = ipPacket(host, a('0.0.0.0'), a('10.0.0.9'), {
      proto: 'icmp',
      icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 8 },
    });
    ipOutput(host, echo);
    expect(ifp.arp.lookup(a('10.0.0.9'))?.state).toBe('incomplete');
    const n = frames().length;
    arp({ op: 'reply' }, activeMac(ifp));
    expect(ifp.arp.lookup(a('10.0.0.9'))?.state).toBe('reachable');
    expect(frames(n)).toMatchObject([{ dst: PEER, payload: { kind: 'ipv4', dst: a('10.0.0.9') } }]);
  });

  it('an unsolicited reply (not for us) only makes an incomplete entry stale', () => {
    const { host, ifp, arp } = withAddr();
    ipOutput(
      host,
      ipPacket(host, a('0.0.0.0'), a('10.0.0.9'), {
        proto: 'icmp',
        icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 8 },
      }),
    );
    arp({ op: 'reply', tpa: a('10.0.0.77') }, activeMac(ifp));
    expect(ifp.arp.lookup(a('10.0.0.9'))).toMatchObject({ state: 'stale', lladdr: PEER });
  });
});

describe('in_arpinput: which entries and answers, in detail', () => {
  const echoTo = (host: Host, dst: string) =>
    ipOutput(
      host,
      ipPacket(host, a('0.0.0.0'), a(dst), {
        proto: 'icmp',
        icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 8 },
      }),
    );

  it('a request for us from a host being resolved makes its entry stale, not reachable', () => {
    const { host, ifp, arp } = withAddr();
    echoTo(host, '10.0.0.9');
    arp({});
    expect(ifp.arp.lookup(a('10.0.0.9'))?.state).toBe('stale');
  });

  it('a reply for us confirms DELAY and PROBE entries, but not a STALE one', () => {
    const { host, ifp, world, arp } = withAddr();
    host.sysctl['net.inet.arp.nd_delay'] = 1;
    arp({});
    arp({ op: 'reply' }, activeMac(ifp));
    expect(ifp.arp.lookup(a('10.0.0.9'))?.state).toBe('stale');
    echoTo(host, '10.0.0.9');
    expect(ifp.arp.lookup(a('10.0.0.9'))?.state).toBe('delay');
    arp({ op: 'reply' }, activeMac(ifp));
    expect(ifp.arp.lookup(a('10.0.0.9'))?.state).toBe('reachable');
    const { host: h2, ifp: if2, world: w2, arp: arp2 } = withAddr();
    h2.sysctl['net.inet.arp.nd_delay'] = 1;
    arp2({});
    echoTo(h2, '10.0.0.9');
    w2.runFor(NS_PER_SECOND);
    expect(if2.arp.lookup(a('10.0.0.9'))?.state).toBe('probe');
    arp2({ op: 'reply' }, activeMac(if2));
    expect(if2.arp.lookup(a('10.0.0.9'))?.state).toBe('reachable');
    expect(world.nowNs).toBeGreaterThanOrEqual(0);
  });

  it('a sender on the subnet of a second address is learnt even when another interface has that connected route', () => {
    const { host, ifp, arp } = withAddr();
    const other = unwrap(ifCreate(host, 'shmif1'));
    unwrap(inAddAddress(host, other, { addr: a('10.1.0.2'), prefixLen: 24 }));
    unwrap(inAddAddress(host, ifp, { addr: a('10.1.0.1'), prefixLen: 24 }));
    expect(host.rt4.exact(a('10.1.0.0'), 24)?.ifIndex).toBe(other.index);
    arp({ spa: a('10.1.0.9') });
    expect(ifp.arp.lookup(a('10.1.0.9'))?.lladdr).toBe(PEER);
  });

  it('a probe (sender 0.0.0.0) never creates an entry, even under an interface default route', () => {
    const { host, ifp, arp } = withAddr();
    unwrap(
      rtAdd(host, {
        dst: a('0.0.0.0'),
        prefixLen: 0,
        gateway: { kind: 'link', ifIndex: ifp.index },
        flags: [],
      }),
    );
    arp({ spa: a('0.0.0.0') });
    expect(ifp.arp.entries).toEqual([]);
  });

  it('an interface without addresses answers nothing, not even for a published entry', () => {
    const { ifp, frames, arp } = node();
    ifp.arp.setManual(a('10.0.0.50'), mac('b2:a0:00:00:00:55'), { isStatic: true, published: true });
    const n = frames().length;
    arp({ tpa: a('10.0.0.50') });
    expect(frames(n)).toEqual([]);
  });

  it('someone using our second address is logged; our duplicated address is not ours to defend', () => {
    const { host, ifp, arp } = withAddr();
    unwrap(inAddAddress(host, ifp, { addr: a('10.0.0.2'), prefixLen: 24 }));
    arp({ spa: a('10.0.0.2') });
    expect(host.dmesg).toEqual([`arp: ${PEER} is using my IP address 10.0.0.2 on shmif0!`]);
    ifp.inAddrs[1]!.flags.add('duplicated');
    arp({ spa: a('10.0.0.2') });
    expect(host.dmesg.length).toBe(1);
    expect(ifp.arp.lookup(a('10.0.0.2'))?.lladdr).toBe(PEER);
  });
});

describe('arprequest and arp_llinfo_missed', () => {
  it('requests leave from the address on the target subnet, else the first usable one', () => {
    const { host, ifp, frames } = withAddr();
    const ia = unwrap(inAddAddress(host, ifp, { addr: a('10.1.0.1'), prefixLen: 24 }));
    const n = frames().length;
    ipOutput(
      host,
      ipPacket(host, a('10.1.0.1'), a('10.1.0.9'), {
        proto: 'icmp',
        icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 8 },
      }),
    );
    unwrap(
      rtAdd(host, {
        dst: a('172.16.0.0'),
        prefixLen: 16,
        gateway: { kind: 'link', ifIndex: ifp.index },
        flags: [],
      }),
    );
    ipOutput(
      host,
      ipPacket(host, a('10.0.0.1'), a('172.16.0.9'), {
        proto: 'icmp',
        icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 8 },
      }),
    );
    expect(frames(n).map((f) => f.payload.kind === 'arp' && [f.payload.spa, f.payload.tpa, f.dst])).toEqual([
      [a('10.1.0.1'), a('10.1.0.9'), ETHER_BROADCAST],
      [a('10.0.0.1'), a('172.16.0.9'), ETHER_BROADCAST],
    ]);
    // A tentative address is not a source.
    ia.flags.add('tentative');
    ifp.inAddrs[0]!.flags.add('tentative');
    const k = frames().length;
    ipOutput(
      host,
      ipPacket(host, a('10.0.0.1'), a('10.1.0.8'), {
        proto: 'icmp',
        icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 8 },
      }),
    );
    expect(frames(k)).toEqual([]);
  });

  it('nd_bmaxtries requests nd_retrans apart, then RTM_MISS with the author and ICMP unreach', () => {
    const { host, ifp, world, frames } = withAddr();
    host.sysctl['net.inet.arp.nd_retrans'] = 500;
    host.sysctl['net.inet.arp.nd_bmaxtries'] = 2;
    const got = listen(host);
    const n = frames().length;
    const m = host.rtsock.log.length;
    ipOutput(
      host,
      ipPacket(host, a('0.0.0.0'), a('10.0.0.9'), {
        proto: 'icmp',
        icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 8 },
      }),
    );
    world.runFor(NS_PER_SECOND / 2 - 1);
    expect(frames(n).length).toBe(1);
    world.runFor(1);
    expect(frames(n).length).toBe(2);
    world.runFor(NS_PER_SECOND);
    expect(frames(n).filter((f) => f.payload.kind === 'arp').length).toBe(2);
    const msgs = host.rtsock.log.slice(m);
    expect(msgs).toContainEqual({
      type: 'RTM_MISS',
      flags: ['DONE'],
      addrs: {
        DST: { kind: 'inet', addr: a('10.0.0.9') },
        GATEWAY: { kind: 'link', ifIndex: ifp.index },
        AUTHOR: { kind: 'inet', addr: a('10.0.0.1') },
      },
      errno: 0,
    });
    world.runFor(NS_PER_SECOND);
    expect(got.map((d) => d.icmp)).toMatchObject([{ type: 'unreach', code: 'host' }]);
  });

  it('a miss with nothing held names no author', () => {
    const { host, ifp, world } = withAddr();
    ifp.arp.resolve(a('10.0.0.9'), undefined as never);
    const ln = ifp.arp.lookup(a('10.0.0.9'))!;
    ln.hold.length = 0;
    const m = host.rtsock.log.length;
    world.runFor(10 * NS_PER_SECOND);
    const miss = host.rtsock.log.slice(m).find((x) => x.type === 'RTM_MISS');
    expect(miss?.addrs).toEqual({
      DST: { kind: 'inet', addr: a('10.0.0.9') },
      GATEWAY: { kind: 'link', ifIndex: ifp.index },
    });
  });

  it('a stale entry in use is probed by unicast to its MAC after nd_delay', () => {
    const { host, ifp, world, frames, arp } = withAddr();
    host.sysctl['net.inet.arp.nd_delay'] = 2;
    arp({});
    expect(ifp.arp.lookup(a('10.0.0.9'))?.state).toBe('stale');
    const n = frames().length;
    ipOutput(
      host,
      ipPacket(host, a('0.0.0.0'), a('10.0.0.9'), {
        proto: 'icmp',
        icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 8 },
      }),
    );
    world.runFor(2 * NS_PER_SECOND - 1);
    expect(frames(n).filter((f) => f.payload.kind === 'arp')).toEqual([]);
    world.runFor(1);
    expect(frames(n).filter((f) => f.payload.kind === 'arp')).toMatchObject([
      { dst: PEER, payload: { op: 'request', tpa: a('10.0.0.9'), spa: a('10.0.0.1') } },
    ]);
    // nd_umaxtries unicast probes, then the entry goes (RTM_DELETE without UP).
    const m = host.rtsock.log.length;
    world.runFor(10 * NS_PER_SECOND);
    expect(frames(n).filter((f) => f.payload.kind === 'arp').length).toBe(3);
    expect(host.rtsock.log.slice(m)).toContainEqual(
      expect.objectContaining({ type: 'RTM_DELETE', flags: ['HOST', 'DONE', 'LLINFO', 'CLONED'] }),
    );
  });

  it('a reachable entry turns stale after nd_reachable', () => {
    const { host, ifp, world, arp } = withAddr();
    host.sysctl['net.inet.arp.nd_reachable'] = 3000;
    ipOutput(
      host,
      ipPacket(host, a('0.0.0.0'), a('10.0.0.9'), {
        proto: 'icmp',
        icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 8 },
      }),
    );
    arp({ op: 'reply' }, activeMac(ifp));
    world.runFor(3 * NS_PER_SECOND - 1);
    expect(ifp.arp.lookup(a('10.0.0.9'))?.state).toBe('reachable');
    world.runFor(1);
    expect(ifp.arp.lookup(a('10.0.0.9'))?.state).toBe('stale');
  });

  it('static entries are reported with STATIC when freed', () => {
    const { host, ifp } = withAddr();
    ifp.arp.setManual(a('10.0.0.9'), PEER, { isStatic: true, published: false });
    const m = host.rtsock.log.length;
    ifp.arp.purge(() => true);
    expect(host.rtsock.log.slice(m)).toMatchObject([
      { type: 'RTM_DELETE', flags: ['HOST', 'DONE', 'LLINFO', 'STATIC', 'CLONED'] },
    ]);
  });

  it('an interface without a MAC sends no request', () => {
    const { host, world } = withAddr();
    const gif = unwrap(ifCreate(host, 'bridge0'));
    ifSetUp(host, gif, true);
    arpRequest(host, gif, a('10.0.0.1'), a('10.0.0.2'));
    expect(gif.counters.opackets).toBe(0);
    expect(world.bus('bus1').capture.length).toBeGreaterThan(0);
  });
});

describe('IPv4 DAD (arp_dad_*)', () => {
  function tentative() {
    const n = node(2);
    const ia = unwrap(inAddAddress(n.host, n.ifp, { addr: a('10.0.0.1'), prefixLen: 24 }));
    return { ...n, ia };
  }

  it('dad_count probes from 0.0.0.0 one to two seconds apart, then two announcements; timing stays in range', () => {
    const { world, ia, frames, ifp } = tentative();
    expect([...ia.flags]).toEqual(['tentative']);
    const t0 = world.nowNs;
    world.runFor(30 * NS_PER_SECOND);
    const caps = world.bus('bus1').capture;
    const probes = caps.filter((c) => c.frame.payload.kind === 'arp' && c.frame.payload.spa === 0);
    const announces = caps.filter(
      (c) => c.frame.payload.kind === 'arp' && c.frame.payload.spa === a('10.0.0.1'),
    );
    expect(probes.map((c) => c.frame.payload)).toEqual([
      {
        kind: 'arp',
        op: 'request',
        sha: activeMac(ifp),
        spa: 0,
        tha: '00:00:00:00:00:00',
        tpa: a('10.0.0.1'),
      },
      {
        kind: 'arp',
        op: 'request',
        sha: activeMac(ifp),
        spa: 0,
        tha: '00:00:00:00:00:00',
        tpa: a('10.0.0.1'),
      },
    ]);
    expect(probes[0]!.atNs - t0).toBeLessThan(NS_PER_SECOND);
    const gap = probes[1]!.atNs - probes[0]!.atNs;
    expect(gap).toBeGreaterThanOrEqual(NS_PER_SECOND);
    expect(gap).toBeLessThan(2 * NS_PER_SECOND);
    expect(announces.length).toBe(2);
    expect(announces[0]!.atNs - probes[1]!.atNs).toBe(2 * NS_PER_SECOND);
    expect(announces[1]!.atNs - announces[0]!.atNs).toBe(2 * NS_PER_SECOND);
    expect([...ia.flags]).toEqual([]);
    expect(ia.dad).toBeUndefined();
    expect(frames().length).toBe(4);
  });

  it('the address turns usable exactly at the first announcement', () => {
    const { world, ia } = tentative();
    const caps = world.bus('bus1').capture;
    world.runUntil(
      () => caps.some((c) => c.frame.payload.kind === 'arp' && c.frame.payload.spa !== 0),
      30 * NS_PER_SECOND,
    );
    expect([...ia.flags]).toEqual([]);
    expect(ia.dad).toMatchObject({ probesSent: 2, announcesSent: 1 });
  });

  it('a reply from the tentative address is a conflict: DUPLICATED, logged, DAD stopped', () => {
    const { host, ia, arp, world, frames } = tentative();
    arp({ op: 'reply', spa: a('10.0.0.1'), tpa: a('10.0.0.1') });
    expect([...ia.flags]).toEqual(['duplicated']);
    expect(ia.dad).toBeUndefined();
    expect(host.dmesg).toEqual([`shmif0: DAD detected duplicate IPv4 address 10.0.0.1: from ${PEER}`]);
    world.runFor(30 * NS_PER_SECOND);
    expect(frames()).toEqual([]);
  });

  it('another station probing for it is a conflict; a probe for another address or a non-probe is not', () => {
    const { ia, ifp, host } = tentative();
    const probe = (p: Partial<ArpPacket>) =>
      arpDadInput(host, ifp, {
        kind: 'arp',
        op: 'request',
        sha: PEER,
        spa: a('0.0.0.0'),
        tha: PEER,
        tpa: a('10.0.0.1'),
        ...p,
      });
    expect(probe({ tpa: a('10.0.0.2') })).toBe(false);
    expect(probe({ op: 'reply' })).toBe(false);
    expect(probe({ spa: a('10.0.0.5') })).toBe(false);
    expect([...ia.flags]).toEqual(['tentative']);
    expect(probe({})).toBe(true);
    expect([...ia.flags]).toEqual(['duplicated']);
    expect(probe({})).toBe(false);
  });

  it('a usable address is no DAD conflict', () => {
    const { host, ifp } = withAddr();
    expect(
      arpDadInput(host, ifp, {
        kind: 'arp',
        op: 'request',
        sha: PEER,
        spa: a('0.0.0.0'),
        tha: PEER,
        tpa: a('10.0.0.1'),
      }),
    ).toBe(false);
    expect(
      arpDadInput(host, ifp, {
        kind: 'arp',
        op: 'reply',
        sha: PEER,
        spa: a('10.0.0.1'),
        tha: PEER,
        tpa: a('10.0.0.1'),
      }),
    ).toBe(false);
  });

  it('an address removed during DAD stops probing', () => {
    const { host, ifp, world, frames, ia } = tentative();
    world.runFor(NS_PER_SECOND);
    const n = frames().length;
    ifp.inAddrs.splice(ifp.inAddrs.indexOf(ia), 1);
    world.runFor(30 * NS_PER_SECOND);
    expect(frames(n)).toEqual([]);
    expect(host.dmesg).toEqual([]);
  });

  it('a restarted DAD replaces the running one: its old timer does nothing', () => {
    const { world, ia, frames } = tentative();
    const first = ia.dad!;
    ia.dad = { ...first, timer: undefined };
    world.runFor(30 * NS_PER_SECOND);
    expect(frames()).toEqual([]);
    expect([...ia.flags]).toEqual(['tentative']);
  });
});
