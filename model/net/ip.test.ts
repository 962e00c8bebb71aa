/**
 * ip_output / ip_input / ip_forward / icmp_input of the IPv4 model, one rule per case
 * (NetBSD sys/netinet/ip_output.c, ip_input.c, ip_icmp.c, net/route.c rt_check_reject_route).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { Host, IcmpDelivery } from './host.ts';
import { ifCreate, ifSetLinkstr, ifSetNoarp, ifSetUp } from './ifops.ts';
import { inAddAddress } from './in.ts';
import { type InAddr, parseInAddr } from './inet.ts';
import { icmpError, ipInput, ipOutput, ipPacket } from './ip.ts';
import { ETHER_BROADCAST } from './mac.ts';
import type { RtFlag } from './route.ts';
import { rtAdd } from './rtops.ts';
import type { IcmpMessage, Ipv4Packet } from './wire.ts';
import { NetWorld } from './world.ts';

const a = (text: string): InAddr => {
  const addr = parseInAddr(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};

/** Hosts h0.. on one shmif bus, h<i> at 10.0.0.<i+1>/24, DAD off so addresses are usable at once. */
function lan(count: number) {
  const world = new NetWorld(1);
  const nodes = Array.from({ length: count }, (_, i) => {
    const host = bootHost(world, `h${i}`);
    host.sysctl['net.inet.ip.dad_count'] = 0;
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    ifSetLinkstr(host, ifp, 'bus1');
    unwrap(inAddAddress(host, ifp, { addr: a(`10.0.0.${i + 1}`), prefixLen: 24 }));
    return { host, ifp };
  });
  world.runFor(NS_PER_SECOND);
  const bus = world.bus('bus1');
  const sent = (from = 0) => bus.capture.slice(from).map((c) => c.frame);
  return { world, nodes, bus, sent };
}

const echo: IcmpMessage = { type: 'echo-request', id: 7, seq: 1, dataBytes: 56 };
const ping = (host: Host, src: string, dst: string, ttl?: number): Ipv4Packet =>
  ipPacket(host, a(src), a(dst), { proto: 'icmp', icmp: echo }, ttl);

function listen(host: Host): IcmpDelivery[] {
  const got: IcmpDelivery[] = [];
  host.icmpListeners.add((d) => got.push(d));
  return got;
}

function addRoute(host: Host, dst: string, prefixLen: number, gw: string, flags: RtFlag[] = ['GATEWAY']) {
  return unwrap(rtAdd(host, { dst: a(dst), prefixLen, gateway: { kind: 'addr', addr: a(gw) }, flags }));
}

describe('ip_output: the errno sendto sees', () => {
  it('no route: EHOSTUNREACH and an RTM_MISS for the destination', () => {
    const { nodes } = lan(1);
    const { host } = nodes[0]!;
    const before = host.rtsock.log.length;
    expect(ipOutput(host, ping(host, '0.0.0.0', '192.168.9.9'))).toBe('EHOSTUNREACH');
    expect(host.rtsock.log.slice(before)).toEqual([
      {
        type: 'RTM_MISS',
        flags: ['DONE'],
        addrs: { DST: { kind: 'inet', addr: a('192.168.9.9') } },
        errno: 0,
      },
    ]);
  });

  it('reject routes: lo0 gives EHOSTUNREACH for a host route, ENETUNREACH for a net route', () => {
    const { nodes } = lan(1);
    const { host } = nodes[0]!;
    addRoute(host, '192.168.1.1', 32, '127.0.0.1', ['REJECT', 'HOST']);
    addRoute(host, '192.168.2.0', 24, '127.0.0.1', ['REJECT']);
    expect(ipOutput(host, ping(host, '0.0.0.0', '192.168.1.1'))).toBe('EHOSTUNREACH');
    expect(ipOutput(host, ping(host, '0.0.0.0', '192.168.2.1'))).toBe('ENETUNREACH');
  });

  it('reject routes on Ethernet: EHOSTUNREACH through a gateway, EHOSTDOWN without one', () => {
    const { nodes, sent } = lan(1);
    const { host } = nodes[0]!;
    addRoute(host, '192.168.1.0', 24, '10.0.0.254', ['GATEWAY', 'REJECT']);
    unwrap(
      rtAdd(host, {
        dst: a('192.168.2.0'),
        prefixLen: 24,
        gateway: { kind: 'link', ifIndex: nodes[0]!.ifp.index },
        flags: ['REJECT'],
      }),
    );
    const frames = sent().length;
    expect(ipOutput(host, ping(host, '0.0.0.0', '192.168.1.1'))).toBe('EHOSTUNREACH');
    expect(ipOutput(host, ping(host, '0.0.0.0', '192.168.2.1'))).toBe('EHOSTDOWN');
    expect(sent().length).toBe(frames);
  });

  it('a route out a down interface: ENETDOWN', () => {
    const { nodes } = lan(1);
    const { host, ifp } = nodes[0]!;
    ifSetUp(host, ifp, false);
    expect(ipOutput(host, ping(host, '0.0.0.0', '10.0.0.9'))).toBe('ENETDOWN');
  });

  it('an unbound packet takes the route ifa as source; a forwarded one keeps its own', () => {
    const { nodes, sent, world } = lan(2);
    const { host } = nodes[0]!;
    const from = sent().length;
    expect(ipOutput(host, ping(host, '0.0.0.0', '10.0.0.2'))).toBeUndefined();
    world.runFor(NS_PER_SECOND);
    const out = sent(from).filter((f) => f.payload.kind === 'ipv4');
    expect(out.map((f) => f.payload.kind === 'ipv4' && f.payload.src)).toEqual([
      a('10.0.0.1'),
      a('10.0.0.2'),
    ]);
    const again = sent().length;
    ipOutput(host, ping(host, '0.0.0.0', '10.0.0.2'), { forwarding: true });
    ipOutput(host, ping(host, '10.0.0.77', '10.0.0.2'));
    const srcs = sent(again).map((f) => f.payload.kind === 'ipv4' && f.payload.src);
    expect(srcs).toEqual([0, a('10.0.0.77')]);
  });

  it('lo0: a local destination is looped back and counted; a blackhole route there swallows silently', () => {
    const { nodes, world } = lan(1);
    const { host } = nodes[0]!;
    const lo = host.lo0;
    const got = listen(host);
    expect(ipOutput(host, ping(host, '0.0.0.0', '10.0.0.1'))).toBeUndefined();
    world.runFor(NS_PER_SECOND);
    expect(got.map((d) => d.icmp.type)).toEqual(['echo-request', 'echo-reply']);
    expect(got[0]).toMatchObject({ from: a('10.0.0.1'), to: a('10.0.0.1'), ttl: 64 });
    expect(got[1]).toMatchObject({ ttl: 255 });
    const counted = lo.counters.opackets;
    addRoute(host, '192.168.5.0', 24, '127.0.0.1', ['BLACKHOLE']);
    expect(ipOutput(host, ping(host, '0.0.0.0', '192.168.5.5'))).toBeUndefined();
    expect(lo.counters.opackets).toBe(counted);
  });

  it('a blackhole route on Ethernet: no error and nothing on the wire', () => {
    const { nodes, sent } = lan(1);
    const { host } = nodes[0]!;
    addRoute(host, '192.168.5.0', 24, '10.0.0.254', ['GATEWAY', 'BLACKHOLE']);
    const frames = sent().length;
    expect(ipOutput(host, ping(host, '0.0.0.0', '192.168.5.5'))).toBeUndefined();
    expect(sent().length).toBe(frames);
  });

  it('broadcast: EACCES without SO_BROADCAST, a link broadcast with it', () => {
    const { nodes, sent } = lan(1);
    const { host } = nodes[0]!;
    const frames = sent().length;
    expect(ipOutput(host, ping(host, '0.0.0.0', '10.0.0.255'))).toBe('EACCES');
    expect(sent().length).toBe(frames);
    expect(ipOutput(host, ping(host, '0.0.0.0', '10.0.0.255'), { allowBroadcast: true })).toBeUndefined();
    expect(sent(frames)).toMatchObject([
      { dst: ETHER_BROADCAST, payload: { kind: 'ipv4', dst: a('10.0.0.255') } },
    ]);
  });

  it('through a gateway: ARP asks for the gateway, not the destination', () => {
    const { nodes, sent } = lan(1);
    const { host } = nodes[0]!;
    addRoute(host, '192.168.7.0', 24, '10.0.0.254');
    const frames = sent().length;
    ipOutput(host, ping(host, '0.0.0.0', '192.168.7.7'));
    expect(sent(frames)).toMatchObject([
      { dst: ETHER_BROADCAST, payload: { kind: 'arp', tpa: a('10.0.0.254') } },
    ]);
  });

  it('IFF_NOARP: nothing is resolved or sent', () => {
    const { nodes, sent } = lan(1);
    const { host, ifp } = nodes[0]!;
    ifSetNoarp(ifp, true);
    const frames = sent().length;
    expect(ipOutput(host, ping(host, '0.0.0.0', '10.0.0.9'))).toBeUndefined();
    expect(sent().length).toBe(frames);
  });
});

describe('ip_input and icmp_input', () => {
  it('ipPacket: the default TTL is net.inet.ip.ttl, ids count up', () => {
    const { nodes } = lan(1);
    const { host } = nodes[0]!;
    host.sysctl['net.inet.ip.ttl'] = 17;
    const p1 = ping(host, '10.0.0.1', '10.0.0.2');
    const p2 = ping(host, '10.0.0.1', '10.0.0.2', 3);
    expect(p1.ttl).toBe(17);
    expect(p2.ttl).toBe(3);
    expect(p2.id).toBe(p1.id + 1);
  });

  it('echo to a peer: the reply comes from the address pinged', () => {
    const { nodes, world } = lan(2);
    const [h0, h1] = [nodes[0]!.host, nodes[1]!.host];
    const got = listen(h0);
    ipOutput(h0, ping(h0, '0.0.0.0', '10.0.0.2'));
    world.runFor(NS_PER_SECOND);
    expect(got).toMatchObject([
      { from: a('10.0.0.2'), to: a('10.0.0.1'), ttl: 255, icmp: { type: 'echo-reply' } },
    ]);
    expect(listen(h1)).toEqual([]);
  });

  it('a broadcast echo is answered only with net.inet.icmp.bmcastecho=1', () => {
    const { nodes, world } = lan(2);
    const [h0, h1] = [nodes[0]!.host, nodes[1]!.host];
    const got = listen(h0);
    ipOutput(h0, ping(h0, '0.0.0.0', '10.0.0.255'), { allowBroadcast: true });
    world.runFor(NS_PER_SECOND);
    expect(got).toEqual([]);
    h1.sysctl['net.inet.icmp.bmcastecho'] = 1;
    ipOutput(h0, ping(h0, '0.0.0.0', '10.0.0.255'), { allowBroadcast: true });
    world.runFor(NS_PER_SECOND);
    // icmp_reflect: the source of the reply is the receiving interface's address on the sender's net.
    expect(got).toMatchObject([{ from: a('10.0.0.2'), icmp: { type: 'echo-reply' } }]);
  });

  it('a packet to a tentative address is not ours (IN_IFF_NOTREADY) and is not answered', () => {
    const { nodes, world } = lan(2);
    const [h0, h1] = [nodes[0]!.host, nodes[1]!];
    h1.host.sysctl['net.inet.ip.dad_count'] = 3;
    h1.host.sysctl['net.inet.ip.forwarding'] = 0;
    unwrap(inAddAddress(h1.host, h1.ifp, { addr: a('10.0.0.50'), prefixLen: 24 }));
    const got = listen(h1.host);
    ipInput(h1.host, h1.ifp, ping(h0, '10.0.0.1', '10.0.0.50'), false);
    world.runFor(NS_PER_SECOND / 10);
    expect(got).toEqual([]);
  });

  it('redirects are accepted only with net.inet.icmp.rediraccept=1, from the current gateway', () => {
    const { nodes } = lan(1);
    const { host, ifp } = nodes[0]!;
    addRoute(host, '0.0.0.0', 0, '10.0.0.254');
    const redirect = (from: string): Ipv4Packet =>
      ipPacket(host, a(from), a('10.0.0.1'), {
        proto: 'icmp',
        icmp: { type: 'redirect', gateway: a('10.0.0.253'), quoted: ping(host, '10.0.0.1', '192.168.3.3') },
      });
    host.sysctl['net.inet.icmp.rediraccept'] = 0;
    ipInput(host, ifp, redirect('10.0.0.254'), false);
    expect(host.rt4.exact(a('192.168.3.3'), 32)).toBeUndefined();
    host.sysctl['net.inet.icmp.rediraccept'] = 1;
    ipInput(host, ifp, redirect('10.0.0.254'), false);
    expect(host.rt4.exact(a('192.168.3.3'), 32)?.gateway).toEqual({ kind: 'addr', addr: a('10.0.0.253') });
  });

  it('icmp_error: never about an ICMP error, but about an echo; from the offending dst without an ifp', () => {
    const { nodes, sent } = lan(2);
    const { host } = nodes[0]!;
    const err = (quoted: Ipv4Packet): IcmpMessage => ({ type: 'unreach', code: 'host', quoted });
    const about = (p: Ipv4Packet) => {
      const frames = sent().length;
      icmpError(host, undefined, p, err);
      return sent(frames).filter((f) => f.payload.kind === 'ipv4');
    };
    const unreach = ipPacket(host, a('10.0.0.2'), a('10.0.0.9'), {
      proto: 'icmp',
      icmp: err(ping(host, '10.0.0.9', '10.0.0.2')),
    });
    expect(about(unreach)).toEqual([]);
    // ARP first: the error is held until 10.0.0.2 answers, so look at the ARP target.
    const frames = sent().length;
    icmpError(host, undefined, ping(host, '10.0.0.2', '10.0.0.9'), err);
    icmpError(host, undefined, ping(host, '10.0.0.2', '10.0.0.9'), (quoted) => ({
      type: 'redirect',
      gateway: a('10.0.0.3'),
      quoted,
    }));
    expect(sent(frames).map((f) => f.payload.kind)).toEqual(['arp']);
  });
});

describe('ip_input corner cases', () => {
  it('a route to an interface that is gone: EHOSTUNREACH', () => {
    const { nodes } = lan(1);
    const { host } = nodes[0]!;
    host.rt4.insert({
      dst: a('192.168.8.0'),
      prefixLen: 24,
      gateway: { kind: 'link', ifIndex: 42 },
      flags: new Set(['UP']),
      ifIndex: 42,
      ifa: a('10.0.0.1'),
      expireNs: undefined,
      timer: undefined,
    });
    expect(ipOutput(host, ping(host, '0.0.0.0', '192.168.8.1'))).toBe('EHOSTUNREACH');
  });

  it('an ICMP type the model does not know is a model bug, reported', () => {
    const { nodes } = lan(1);
    const { host, ifp } = nodes[0]!;
    const bogus = ipPacket(host, a('10.0.0.9'), a('10.0.0.1'), {
      proto: 'icmp',
      icmp: { type: 'bogus' } as never,
    });
    expect(() => ipInput(host, ifp, bogus, false)).toThrow(/unhandled icmp message: \{"type":"bogus"\}/);
  });

  it('a limited broadcast echo on an interface without addresses has no source to answer from', () => {
    const { nodes, sent } = lan(1);
    const { host } = nodes[0]!;
    host.sysctl['net.inet.icmp.bmcastecho'] = 1;
    const bare = unwrap(ifCreate(host, 'shmif1'));
    ifSetUp(host, bare, true);
    const got = listen(host);
    const frames = sent().length;
    ipInput(host, bare, ping(host, '10.0.0.9', '255.255.255.255'), true);
    expect(got.map((d) => d.icmp.type)).toEqual(['echo-request']);
    expect(sent().length).toBe(frames);
  });

  it('an echo to one of our addresses arriving on another interface is answered from that address', () => {
    const { nodes, sent } = lan(1);
    const { host } = nodes[0]!;
    const other = unwrap(ifCreate(host, 'shmif1'));
    ifSetLinkstr(host, other, 'bus1');
    unwrap(inAddAddress(host, other, { addr: a('10.9.0.1'), prefixLen: 24 }));
    const frames = sent().length;
    ipInput(host, other, ping(host, '10.0.0.9', '10.0.0.1'), false);
    // The reply to 10.0.0.9 waits for ARP: the request names the reply's source net.
    expect(sent(frames)).toMatchObject([
      { payload: { kind: 'arp', tpa: a('10.0.0.9'), spa: a('10.0.0.1') } },
    ]);
    const held = nodes[0]!.ifp.arp.lookup(a('10.0.0.9'))!.hold;
    expect(held).toMatchObject([{ src: a('10.0.0.1'), dst: a('10.0.0.9'), ttl: 255 }]);
  });

  it('a broadcast echo is answered from the address on the sender net, else the first one', () => {
    const { nodes } = lan(1);
    const { host, ifp } = nodes[0]!;
    host.sysctl['net.inet.icmp.bmcastecho'] = 1;
    unwrap(inAddAddress(host, ifp, { addr: a('10.5.0.1'), prefixLen: 24 }));
    addRoute(host, '0.0.0.0', 0, '10.0.0.254');
    ipInput(host, ifp, ping(host, '10.5.0.9', '255.255.255.255'), true);
    ipInput(host, ifp, ping(host, '172.16.0.9', '255.255.255.255'), true);
    expect(ifp.arp.lookup(a('10.5.0.9'))?.hold).toMatchObject([{ src: a('10.5.0.1') }]);
    expect(ifp.arp.lookup(a('10.0.0.254'))?.hold).toMatchObject([
      { src: a('10.0.0.1'), dst: a('172.16.0.9') },
    ]);
  });
});

describe('next hop and ICMP details', () => {
  it('an address gateway without RTF_GATEWAY is not a next hop: ARP asks for the destination', () => {
    const { nodes, sent } = lan(1);
    const { host, ifp } = nodes[0]!;
    unwrap(
      rtAdd(host, {
        dst: a('192.168.5.0'),
        prefixLen: 24,
        gateway: { kind: 'addr', addr: a('10.0.0.1') },
        flags: [],
      }),
    );
    unwrap(
      rtAdd(host, {
        dst: a('192.168.6.0'),
        prefixLen: 24,
        gateway: { kind: 'link', ifIndex: ifp.index },
        flags: ['GATEWAY'],
      }),
    );
    const frames = sent().length;
    ipOutput(host, ping(host, '0.0.0.0', '192.168.5.5'));
    ipOutput(host, ping(host, '0.0.0.0', '192.168.6.6'));
    expect(sent(frames).map((f) => f.payload.kind === 'arp' && f.payload.tpa)).toEqual([
      a('192.168.5.5'),
      a('192.168.6.6'),
    ]);
  });

  it('a broadcast echo is recognised by the link broadcast alone and by the IP broadcast alone', () => {
    const { nodes } = lan(1);
    const { host, ifp } = nodes[0]!;
    const got = listen(host);
    ipInput(host, ifp, ping(host, '10.0.0.9', '10.0.0.1'), true);
    ipInput(host, ifp, ping(host, '10.0.0.9', '10.0.0.255'), false);
    expect(got.map((d) => d.icmp.type)).toEqual(['echo-request', 'echo-request']);
    expect(ifp.arp.lookup(a('10.0.0.9'))).toBeUndefined();
  });

  it('replies and errors are ICMP on the wire', () => {
    const { nodes, world, bus } = lan(2);
    const [h0, h1] = [nodes[0]!.host, nodes[1]!.host];
    ipOutput(h0, ping(h0, '0.0.0.0', '10.0.0.2'));
    icmpError(h1, nodes[1]!.ifp, ping(h0, '10.0.0.1', '10.0.0.2'), (quoted) => ({
      type: 'time-exceeded',
      quoted,
    }));
    world.runFor(NS_PER_SECOND);
    const fromH1 = bus.capture
      .map((c) => c.frame.payload)
      .filter((p): p is Ipv4Packet => p.kind === 'ipv4' && p.src === a('10.0.0.2'));
    expect(fromH1.map((p) => p.body.proto === 'icmp' && p.body.icmp.type).sort()).toEqual([
      'echo-reply',
      'time-exceeded',
    ]);
    expect(fromH1.map((p) => p.ttl)).toEqual([255, 255]);
  });

  it('icmp_error about an echo reply is sent; from an interface without addresses it is not', () => {
    const { nodes, sent } = lan(1);
    const { host } = nodes[0]!;
    const reply = ipPacket(host, a('10.0.0.9'), a('10.0.0.77'), {
      proto: 'icmp',
      icmp: { type: 'echo-reply', id: 1, seq: 1, dataBytes: 0 },
    });
    const bare = unwrap(ifCreate(host, 'shmif1'));
    let frames = sent().length;
    icmpError(host, bare, reply, (quoted) => ({ type: 'time-exceeded', quoted }));
    expect(sent(frames)).toEqual([]);
    frames = sent().length;
    icmpError(host, nodes[0]!.ifp, reply, (quoted) => ({ type: 'time-exceeded', quoted }));
    expect(sent(frames)).toMatchObject([{ payload: { kind: 'arp', tpa: a('10.0.0.9') } }]);
  });
});

describe('ip_forward', () => {
  /** h0 - h1 (router, two interfaces) - h2 on bus2 (192.168.0.0/24). */
  function routed() {
    const net = lan(2);
    const router = net.nodes[1]!.host;
    const ifp2 = unwrap(ifCreate(router, 'shmif1'));
    ifSetLinkstr(router, ifp2, 'bus2');
    unwrap(inAddAddress(router, ifp2, { addr: a('192.168.0.1'), prefixLen: 24 }));
    const far = bootHost(net.world, 'far');
    far.sysctl['net.inet.ip.dad_count'] = 0;
    const farIf = unwrap(ifCreate(far, 'shmif0'));
    ifSetLinkstr(far, farIf, 'bus2');
    unwrap(inAddAddress(far, farIf, { addr: a('192.168.0.2'), prefixLen: 24 }));
    addRoute(far, '0.0.0.0', 0, '192.168.0.1');
    const h0 = net.nodes[0]!.host;
    addRoute(h0, '0.0.0.0', 0, '10.0.0.2');
    // Resolve the router once: ARP holds one packet per entry.
    ipOutput(h0, ping(h0, '0.0.0.0', '10.0.0.2'));
    net.world.runFor(NS_PER_SECOND);
    return { ...net, h0, router, far, routerIf: net.nodes[1]!.ifp };
  }

  it('a ping through the router: one hop less TTL, the reply comes back', () => {
    const { h0, far, world } = routed();
    const got = listen(h0);
    const seen = listen(far);
    ipOutput(h0, ping(h0, '0.0.0.0', '192.168.0.2', 10));
    world.runFor(NS_PER_SECOND);
    expect(seen).toMatchObject([{ ttl: 9, from: a('10.0.0.1') }]);
    expect(got).toMatchObject([{ from: a('192.168.0.2'), ttl: 254, icmp: { type: 'echo-reply' } }]);
  });

  it('TTL 1: time exceeded from the router; with forwarding off nothing comes back', () => {
    const { h0, router, world } = routed();
    const got = listen(h0);
    ipOutput(h0, ping(h0, '0.0.0.0', '192.168.0.2', 1));
    world.runFor(NS_PER_SECOND);
    expect(got).toMatchObject([{ from: a('10.0.0.2'), icmp: { type: 'time-exceeded' } }]);
    router.sysctl['net.inet.ip.forwarding'] = 0;
    ipOutput(h0, ping(h0, '0.0.0.0', '192.168.0.2', 1));
    ipOutput(h0, ping(h0, '0.0.0.0', '192.168.0.2', 5));
    world.runFor(NS_PER_SECOND);
    expect(got.length).toBe(1);
  });

  it('no route at the router: host unreachable back, and RTM_MISS there', () => {
    const { h0, router, world } = routed();
    const got = listen(h0);
    const before = router.rtsock.log.length;
    ipOutput(h0, ping(h0, '0.0.0.0', '172.16.0.1'));
    world.runFor(NS_PER_SECOND);
    expect(got).toMatchObject([{ from: a('10.0.0.2'), icmp: { type: 'unreach', code: 'host' } }]);
    expect(router.rtsock.log.slice(before).map((m) => m.type)).toContain('RTM_MISS');
  });

  it('a reject net route at the router: net unreachable back', () => {
    const { h0, router, world } = routed();
    addRoute(router, '172.16.0.0', 16, '127.0.0.1', ['REJECT']);
    addRoute(router, '172.17.0.0', 16, '192.168.0.9', ['GATEWAY', 'REJECT']);
    const got = listen(h0);
    ipOutput(h0, ping(h0, '0.0.0.0', '172.16.0.1'));
    ipOutput(h0, ping(h0, '0.0.0.0', '172.17.0.1'));
    world.runFor(NS_PER_SECOND);
    expect(got.map((d) => d.icmp)).toMatchObject([
      { type: 'unreach', code: 'net' },
      { type: 'unreach', code: 'host' },
    ]);
  });

  it('a link broadcast is not forwarded', () => {
    const { h0, far, world } = routed();
    const seen = listen(far);
    const { ifp } = { ifp: h0.ifByName('shmif0')! };
    ipInput(far, far.ifByName('shmif0')!, ping(h0, '10.0.0.1', '192.168.0.2'), false);
    expect(seen.length).toBe(1);
    ipOutput(h0, ping(h0, '0.0.0.0', '192.168.0.2'), {});
    ipInput(h0, ifp, ping(h0, '10.0.0.9', '192.168.0.2'), true);
    world.runFor(NS_PER_SECOND);
    expect(seen.length).toBe(2);
  });

  it('directed broadcast is forwarded only with net.inet.ip.directed-broadcast=1', () => {
    const { h0, router, far, world } = routed();
    far.sysctl['net.inet.icmp.bmcastecho'] = 1;
    const seen = listen(far);
    ipOutput(h0, ping(h0, '0.0.0.0', '192.168.0.255'));
    world.runFor(NS_PER_SECOND);
    expect(seen).toEqual([]);
    router.sysctl['net.inet.ip.directed-broadcast'] = 1;
    ipOutput(h0, ping(h0, '0.0.0.0', '192.168.0.255'));
    world.runFor(NS_PER_SECOND);
    expect(seen).toMatchObject([{ to: a('192.168.0.255') }]);
  });

  it('forwarding back out the receiving interface redirects the sender to the better gateway', () => {
    const { h0, router, world } = routed();
    addRoute(router, '172.20.0.0', 16, '10.0.0.3');
    const got = listen(h0);
    ipOutput(h0, ping(h0, '0.0.0.0', '172.20.1.1'));
    world.runFor(NS_PER_SECOND / 10);
    expect(got.map((d) => d.icmp)).toMatchObject([{ type: 'redirect', gateway: a('10.0.0.3') }]);
    // The redirect created a dynamic host route on h0.
    expect([...(h0.rt4.exact(a('172.20.1.1'), 32)?.flags ?? [])]).toEqual(
      expect.arrayContaining(['DYNAMIC', 'GATEWAY', 'HOST']),
    );
  });

  it('no redirect with net.inet.ip.redirect=0, for a default route, or for a dynamic route', () => {
    const { h0, router, world } = routed();
    addRoute(router, '172.20.0.0', 16, '10.0.0.3');
    const got = listen(h0);
    router.sysctl['net.inet.ip.redirect'] = 0;
    ipOutput(h0, ping(h0, '0.0.0.0', '172.20.1.1'));
    world.runFor(NS_PER_SECOND / 10);
    expect(got).toEqual([]);
    router.sysctl['net.inet.ip.redirect'] = 1;
    addRoute(router, '172.21.0.0', 16, '10.0.0.3', ['GATEWAY', 'DYNAMIC']);
    addRoute(router, '172.22.0.0', 16, '10.0.0.3', ['GATEWAY', 'MODIFIED']);
    ipOutput(h0, ping(h0, '0.0.0.0', '172.21.1.1'));
    ipOutput(h0, ping(h0, '0.0.0.0', '172.22.1.1'));
    world.runFor(NS_PER_SECOND / 10);
    expect(got).toEqual([]);
  });

  it('no redirect for a sender off the route source net, nor for a route whose source is elsewhere', () => {
    const { h0, router, world, bus } = routed();
    const rif = router.ifByName('shmif0')!;
    unwrap(inAddAddress(router, rif, { addr: a('10.7.0.2'), prefixLen: 24 }));
    addRoute(router, '172.20.0.0', 16, '10.0.0.3');
    unwrap(
      rtAdd(router, {
        dst: a('172.21.0.0'),
        prefixLen: 16,
        gateway: { kind: 'addr', addr: a('10.0.0.3') },
        flags: ['GATEWAY'],
        ifp: rif,
        ifa: a('192.168.0.1'),
      }),
    );
    const n = bus.capture.length;
    ipInput(router, rif, ping(h0, '10.7.0.9', '172.20.1.1'), false);
    ipInput(router, rif, ping(h0, '10.0.0.1', '172.21.1.1'), false);
    world.runFor(NS_PER_SECOND / 10);
    const arps = bus.capture
      .slice(n)
      .flatMap((c) => (c.frame.payload.kind === 'arp' ? [c.frame.payload.tpa] : []));
    expect(arps).not.toContain(a('10.7.0.9'));
    const icmps = bus.capture
      .slice(n)
      .flatMap((c) =>
        c.frame.payload.kind === 'ipv4' && c.frame.payload.body.proto === 'icmp'
          ? [c.frame.payload.body.icmp.type]
          : [],
      );
    expect(icmps).not.toContain('redirect');
  });

  it('a forwarded packet without a source keeps 0.0.0.0', () => {
    const { router, far, world } = routed();
    const seen = listen(far);
    ipInput(router, router.ifByName('shmif0')!, ping(router, '0.0.0.0', '192.168.0.2'), false);
    world.runFor(NS_PER_SECOND);
    expect(seen[0]).toMatchObject({ from: 0, to: a('192.168.0.2'), ttl: 63 });
  });

  it('a reject route back out the receiving interface (EHOSTDOWN): neither unreachable nor redirect', () => {
    const { h0, router, world } = routed();
    unwrap(
      rtAdd(router, {
        dst: a('172.30.0.0'),
        prefixLen: 16,
        gateway: { kind: 'link', ifIndex: router.ifByName('shmif0')!.index },
        flags: ['REJECT'],
      }),
    );
    const got = listen(h0);
    ipOutput(h0, ping(h0, '0.0.0.0', '172.30.0.5'));
    world.runFor(NS_PER_SECOND);
    expect(got).toEqual([]);
  });

  it('redirects through an address gateway without RTF_GATEWAY, or a link gateway with it, name the destination', () => {
    const { h0, router, world } = routed();
    const rif = router.ifByName('shmif0')!;
    unwrap(
      rtAdd(router, {
        dst: a('172.31.0.0'),
        prefixLen: 16,
        gateway: { kind: 'addr', addr: a('10.0.0.2') },
        flags: [],
      }),
    );
    unwrap(
      rtAdd(router, {
        dst: a('172.29.0.0'),
        prefixLen: 16,
        gateway: { kind: 'link', ifIndex: rif.index },
        flags: ['GATEWAY'],
      }),
    );
    const got = listen(h0);
    ipOutput(h0, ping(h0, '0.0.0.0', '172.31.0.5'));
    ipOutput(h0, ping(h0, '0.0.0.0', '172.29.0.5'));
    world.runFor(NS_PER_SECOND / 10);
    expect(got.map((d) => d.icmp)).toMatchObject([
      { type: 'redirect', gateway: a('172.31.0.5') },
      { type: 'redirect', gateway: a('172.29.0.5') },
    ]);
  });

  it('a redirect for a directly reachable destination names the destination itself', () => {
    const { h0, router, world } = routed();
    unwrap(
      rtAdd(router, {
        dst: a('172.30.0.0'),
        prefixLen: 16,
        gateway: { kind: 'link', ifIndex: router.ifByName('shmif0')!.index },
        flags: [],
      }),
    );
    const got = listen(h0);
    ipOutput(h0, ping(h0, '0.0.0.0', '172.30.0.5'));
    world.runFor(NS_PER_SECOND / 10);
    expect(got.map((d) => d.icmp)).toMatchObject([{ type: 'redirect', gateway: a('172.30.0.5') }]);
  });
});
