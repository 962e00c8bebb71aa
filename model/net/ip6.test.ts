/**
 * ip6_output, ip6_input, ip6_forward, icmp6_error and the redirects, on a router R between two
 * links (NetBSD sys/netinet6/ip6_output.c, ip6_input.c, ip6_forward.c, icmp6.c, nd6_nbr.c).
 * What each case looks at is what a host sees: frames on a bus, ICMPv6 delivered to raw
 * sockets, errnos, routes, neighbour entries and the icmp6 counters.
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { Host } from './host.ts';
import type { Ifnet } from './ifnet.ts';
import { activeMac } from './ifnet.ts';
import { ifCreate, ifSetLinkstr } from './ifops.ts';
import { type In6Addr, parseIn6 } from './in6.ts';
import { in6AddAddress } from './in6ctl.ts';
import { type Icmp6Delivery, inet6Of } from './in6var.ts';
import { icmp6Error, ip6Input, ip6Output, ip6Packet } from './ip6.ts';
import { nd6Of } from './nd6.ts';
import { rt6Add } from './rt6ops.ts';
import { stream6Listen } from './stream6.ts';
import type { EtherFrame, Ipv6Packet } from './wire.ts';
import { NetWorld } from './world.ts';

const a6 = (text: string): In6Addr => {
  const addr = parseIn6(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};

const SECOND_NS = 1_000_000_000;
const ECHO = { proto: 'icmp6', icmp6: { type: 'echo-request', id: 1, seq: 1, dataBytes: 56 } } as const;
const SYN = { proto: 'tcp', srcPort: 40000, dstPort: 80, flags: 'syn', seq: 0, dataBytes: 0 } as const;

/** One line per IPv6 frame: `src > dst what`. */
function describeFrame(frame: EtherFrame): string | undefined {
  const p = frame.payload;
  if (p.kind !== 'ipv6') return undefined;
  const b = p.body;
  let what: string;
  if (b.proto === 'tcp') what = `tcp ${b.flags}`;
  else if (b.proto === 'encap') what = 'encap';
  else if (b.icmp6.type === 'ns') what = `ns ${b.icmp6.target}`;
  else if (b.icmp6.type === 'unreach') what = `unreach ${b.icmp6.code}`;
  else if (b.icmp6.type === 'redirect') what = `redirect ${b.icmp6.dst} to ${b.icmp6.target}`;
  else what = b.icmp6.type;
  return `${p.src} > ${p.dst} ${what}`;
}

interface NetOptions {
  /** net.inet6.ip6.auto_linklocal on R (the other hosts keep theirs). */
  readonly routerLinklocal?: boolean;
  /** net.inet6.ip6.dad_count on R. */
  readonly routerDad?: number;
}

/**
 * R: shmif0 fc00:1::1/64 on bus1, shmif1 fc00:2::1/64 on bus2, forwarding on; A fc00:1::2 and
 * C fc00:1::3 on bus1, B fc00:2::5 on bus2. No DAD unless asked.
 */
function net(opts: NetOptions = {}) {
  const world = new NetWorld(1);
  const boot = (name: string, linklocal = true, dad = 0): Host => {
    const host = bootHost(world, name, { libs: ['netinet6'] });
    host.sysctl['net.inet6.ip6.dad_count'] = dad;
    if (!linklocal) host.sysctl['net.inet6.ip6.auto_linklocal'] = 0;
    return host;
  };
  const attach = (host: Host, name: string, bus: string, addr: string): Ifnet => {
    const ifp = unwrap(ifCreate(host, name));
    unwrap(ifSetLinkstr(host, ifp, bus));
    unwrap(in6AddAddress(host, ifp, { addr: a6(addr), prefixLen: 64 }));
    return ifp;
  };
  const r = boot('r', opts.routerLinklocal ?? true, opts.routerDad ?? 0);
  const r0 = attach(r, 'shmif0', 'bus1', 'fc00:1::1');
  const r1 = attach(r, 'shmif1', 'bus2', 'fc00:2::1');
  r.sysctl['net.inet6.ip6.forwarding'] = 1;
  const a = boot('a');
  const a0 = attach(a, 'shmif0', 'bus1', 'fc00:1::2');
  const c = boot('c');
  const c0 = attach(c, 'shmif0', 'bus1', 'fc00:1::3');
  const b = boot('b');
  attach(b, 'shmif0', 'bus2', 'fc00:2::5');
  world.runFor(2 * SECOND_NS);
  /** ICMPv6 a host's raw sockets get from now on. */
  const heard = (host: Host): Icmp6Delivery[] => {
    const got: Icmp6Delivery[] = [];
    inet6Of(host).icmp6Listeners.add((d) => got.push(d));
    return got;
  };
  /** The IPv6 frames a bus carries from now on, read after `settle`. */
  const wire = (bus: string): (() => string[]) => {
    const from = world.bus(bus).capture.length;
    return () =>
      world
        .bus(bus)
        .capture.slice(from)
        .map((cf) => describeFrame(cf.frame))
        .filter((l) => l !== undefined);
  };
  const settle = (): void => world.runFor(2 * SECOND_NS);
  /** A packet arriving at R on shmif0. */
  const arrive = (src: string, dst: string, hlim = 64, body: Ipv6Packet['body'] = ECHO): void => {
    ip6Input(r, r0, ip6Packet(r, a6(src), a6(dst), body, hlim), false);
  };
  const linklocal = (ifp: Ifnet): In6Addr => {
    const ll = ifp.in6Addrs.find((ia) => ia.linkLocal)?.addr;
    if (ll === undefined) throw new Error(`${ifp.name}: no link-local address`);
    return ll;
  };
  return { world, r, r0, r1, a, a0, b, c, c0, heard, wire, settle, arrive, linklocal };
}

describe('ip6Packet', () => {
  it('takes net.inet6.ip6.hlim unless the caller gives a hop limit', () => {
    const { r } = net();
    expect(ip6Packet(r, a6('::'), a6('fc00:1::2'), ECHO).hlim).toBe(64);
    r.sysctl['net.inet6.ip6.hlim'] = 7;
    expect(ip6Packet(r, a6('::'), a6('fc00:1::2'), ECHO).hlim).toBe(7);
    expect(ip6Packet(r, a6('::'), a6('fc00:1::2'), ECHO, 255).hlim).toBe(255);
  });
});

describe('ip6_output', () => {
  it('multicast: ENETUNREACH for an interface index nobody has, sent on the one that exists', () => {
    const { r, r0, wire, settle } = net();
    const bus1 = wire('bus1');
    expect(ip6Output(r, ip6Packet(r, a6('::'), a6('ff02::1'), ECHO), { zone: 9 })).toBe('ENETUNREACH');
    expect(ip6Output(r, ip6Packet(r, a6('::'), a6('ff02::1'), ECHO), { zone: r0.index })).toBeUndefined();
    settle();
    expect(bus1().filter((l) => l.endsWith('echo-request'))).toEqual([
      `${r0.in6Addrs.find((ia) => ia.linkLocal)?.addr} > ff02::1 echo-request`,
    ]);
  });

  it('no usable source for the destination: EADDRNOTAVAIL; a bound source still leaves', () => {
    const { r, r0 } = net();
    // A route out of shmif0 to a prefix none of R's addresses is usable for: only tentative ones.
    for (const ia of r0.in6Addrs) if (!ia.linkLocal) ia.flags.add('tentative');
    for (const ia of [...r.ifnets].flatMap((i) => i.in6Addrs)) if (!ia.linkLocal) ia.flags.add('tentative');
    unwrap(
      rt6Add(r, {
        dst: a6('fc00:9::'),
        prefixLen: 64,
        gateway: { kind: 'link', ifIndex: r0.index },
        flags: [],
      }),
    );
    expect(ip6Output(r, ip6Packet(r, a6('::'), a6('fc00:9::1'), ECHO))).toBe('EADDRNOTAVAIL');
    expect(ip6Output(r, ip6Packet(r, a6('fc00:1::1'), a6('fc00:9::1'), ECHO))).toBeUndefined();
  });

  it('a route to one link through another interface (-ifp): the source is chosen for the output interface', () => {
    const { r, r0, r1, b, heard, settle } = net();
    unwrap(in6AddAddress(b, b.ifnets[1] as Ifnet, { addr: a6('fc00:5::7'), prefixLen: 64 }));
    unwrap(
      rt6Add(r, {
        dst: a6('fc00:5::'),
        prefixLen: 64,
        gateway: { kind: 'link', ifIndex: r0.index },
        flags: [],
        ifp: r1,
      }),
    );
    const atB = heard(b);
    expect(ip6Output(r, ip6Packet(r, a6('::'), a6('fc00:5::7'), ECHO))).toBeUndefined();
    settle();
    const echoes = atB.filter((d) => d.icmp6.type === 'echo-request');
    expect(echoes.map((d) => `${d.icmp6.type} from ${d.from}`)).toEqual(['echo-request from fc00:2::1']);
  });

  it('the next hop: the gateway of an RTF_GATEWAY route with an address, else the destination', () => {
    const { r, r0, wire } = net();
    const link = { kind: 'link', ifIndex: r0.index } as const;
    const via = { kind: 'addr', addr: a6('fc00:1::7') } as const;
    unwrap(rt6Add(r, { dst: a6('fc00:7::'), prefixLen: 64, gateway: via, flags: ['GATEWAY'] }));
    unwrap(rt6Add(r, { dst: a6('fc00:8::'), prefixLen: 64, gateway: via, flags: [] }));
    unwrap(rt6Add(r, { dst: a6('fc00:9::'), prefixLen: 64, gateway: link, flags: ['GATEWAY'] }));
    for (const [dst, asked] of [
      ['fc00:7::5', 'fc00:1::7'],
      ['fc00:8::5', 'fc00:8::5'],
      ['fc00:9::5', 'fc00:9::5'],
    ] as const) {
      const bus1 = wire('bus1');
      expect(ip6Output(r, ip6Packet(r, a6('fc00:1::1'), a6(dst), ECHO))).toBeUndefined();
      expect(
        bus1().filter((l) => l.includes(' ns ')),
        dst,
      ).toEqual([expect.stringMatching(new RegExp(` ns ${asked}$`))]);
    }
  });

  it('an interface with its own output (gif) answers for itself: a tunnel without endpoints is ENETDOWN', () => {
    const { r } = net();
    const gif = unwrap(ifCreate(r, 'gif0'));
    unwrap(in6AddAddress(r, gif, { addr: a6('fc00:9::1'), prefixLen: 64 }));
    expect(ip6Output(r, ip6Packet(r, a6('fc00:9::1'), a6('fc00:9::2'), ECHO))).toBe('ENETDOWN');
    expect(gif.counters.oerrors).toBe(1);
  });

  it('between two of our own addresses through lo0: the echo is answered from the address asked', () => {
    const { r, heard, settle } = net();
    const got = heard(r);
    expect(ip6Output(r, ip6Packet(r, a6('fc00:2::1'), a6('fc00:1::1'), ECHO))).toBeUndefined();
    settle();
    expect(got.map((d) => `${d.icmp6.type} ${d.from} > ${d.to}`)).toEqual([
      'echo-request fc00:2::1 > fc00:1::1',
      'echo-reply fc00:1::1 > fc00:2::1',
    ]);
  });
});

describe('ip6_input', () => {
  it('a kernel without netinet6 takes no IPv6; nor does anyone from a multicast source', () => {
    const world = new NetWorld(1);
    const v4 = bootHost(world, 'v4');
    const ifp = unwrap(ifCreate(v4, 'shmif0'));
    const got: Icmp6Delivery[] = [];
    inet6Of(v4).icmp6Listeners.add((d) => got.push(d));
    ip6Input(v4, ifp, ip6Packet(v4, a6('fc00:1::2'), a6('ff02::1'), ECHO, 64), false);
    expect(got).toEqual([]);

    const { r, heard, arrive } = net();
    const atR = heard(r);
    arrive('ff02::9', 'fc00:1::1');
    arrive('ff02::9', 'ff02::1');
    expect(atR).toEqual([]);
    arrive('fc00:1::2', 'ff02::1');
    expect(atR).toHaveLength(1);
  });

  it('a tentative address takes nothing, and what is sent to it is not forwarded either', () => {
    const { r, r0, heard, arrive, wire, settle } = net({ routerDad: 1 });
    const ia = unwrap(in6AddAddress(r, r0, { addr: a6('fc00:1::99'), prefixLen: 64 }));
    expect(ia.flags.has('tentative')).toBe(true);
    const atR = heard(r);
    const bus1 = wire('bus1');
    arrive('fc00:1::2', 'fc00:1::99');
    expect(atR).toEqual([]);
    settle();
    expect(bus1().filter((l) => !l.includes(' ns fc00:1::99'))).toEqual([]);
  });

  it('TCP to our address reaches the listener; TCP to a group does not', () => {
    const { r, arrive, wire, settle } = net();
    stream6Listen(r, a6('::'), 80, 100);
    const bus1 = wire('bus1');
    arrive('fc00:1::2', 'ff02::1', 64, SYN);
    settle();
    expect(bus1().filter((l) => l.includes('tcp'))).toEqual([]);
    arrive('fc00:1::2', 'fc00:1::1', 64, SYN);
    settle();
    expect(bus1().filter((l) => l.includes('tcp'))).toEqual(['fc00:1::1 > fc00:1::2 tcp syn-ack']);
  });

  it('router advertisements are counted (icp6s_inhist); a router solicitation is taken quietly', () => {
    const { r, arrive, heard } = net();
    const atR = heard(r);
    const ra = {
      proto: 'icmp6',
      icmp6: { type: 'ra', routerLifetimeSeconds: 0, sllao: undefined, mtu: undefined, prefixes: [] },
    } as const;
    arrive('fe80::2', 'ff02::1', 255, ra);
    expect(inet6Of(r).stats.inRouterAdvert).toBe(1);
    arrive('fe80::2', 'ff02::2', 255, { proto: 'icmp6', icmp6: { type: 'rs', sllao: undefined } });
    expect(inet6Of(r).stats.inRouterAdvert).toBe(1);
    expect(atR.map((d) => d.icmp6.type)).toEqual(['ra', 'rs']);
  });

  it('an ICMPv6 type the model does not know is a model error', () => {
    const { arrive } = net();
    const bogus = { proto: 'icmp6', icmp6: { type: 'bogus' } } as unknown as Ipv6Packet['body'];
    expect(() => arrive('fc00:1::2', 'fc00:1::1', 64, bogus)).toThrow(/unhandled variant/);
  });
});

describe('icmp6_error', () => {
  it('about a TCP segment as about an echo request: time exceeded back to the sender', () => {
    const { a, heard, arrive, settle } = net();
    const atA = heard(a);
    arrive('fc00:1::2', 'fc00:2::5', 1, SYN);
    settle();
    const errors = atA.filter((d) => d.icmp6.type === 'time-exceeded');
    expect(errors.map((d) => `${d.icmp6.type} from ${d.from}`)).toEqual(['time-exceeded from fc00:1::1']);
  });

  it('never to the unspecified address, never about a multicast destination: not even a route lookup', () => {
    for (const [src, dst] of [
      ['::', 'fc00:1::1'],
      ['fc00:1::2', 'ff02::1'],
      ['ff02::9', 'fc00:1::1'],
    ] as const) {
      const { r, r0, wire, settle } = net();
      unwrap(
        rt6Add(r, {
          dst: a6('::'),
          prefixLen: 0,
          gateway: { kind: 'addr', addr: a6('fc00:1::7') },
          flags: ['GATEWAY'],
        }),
      );
      const misses = r.rtsock.log.length;
      const bus1 = wire('bus1');
      icmp6Error(r, r0, ip6Packet(r, a6(src), a6(dst), ECHO, 64), (quoted) => ({
        type: 'time-exceeded',
        quoted,
      }));
      settle();
      expect(bus1(), `${src} > ${dst}`).toEqual([]);
      expect(r.rtsock.log.length, `${src} > ${dst}`).toBe(misses);
    }
  });
});

describe('ip6_forward', () => {
  it('a destination routed to lo0 is dropped silently, without looping through lo0', () => {
    const { r, arrive, wire, settle } = net();
    unwrap(
      rt6Add(r, {
        dst: a6('fc00:9::'),
        prefixLen: 64,
        gateway: { kind: 'addr', addr: a6('::1') },
        flags: ['GATEWAY'],
      }),
    );
    expect(r.rt6.exact(a6('fc00:9::'), 64)?.ifIndex).toBe(r.lo0.index);
    const lo = { ...r.lo0.counters };
    const bus1 = wire('bus1');
    arrive('fc00:1::2', 'fc00:9::5');
    settle();
    expect(r.lo0.counters.opackets).toBe(lo.opackets);
    expect(bus1()).toEqual([]);
  });

  it('a link-local source may go back out its own link; beyond its link the sender hears beyondscope', () => {
    const { a, a0, heard, arrive, wire, settle, linklocal } = net();
    const atA = heard(a);
    const bus1 = wire('bus1');
    arrive(linklocal(a0), 'fc00:1::3');
    settle();
    expect(bus1()).toContain('fc00:1::1 > ff02::1:ff00:3 ns fc00:1::3');
    expect(atA.filter((d) => d.icmp6.type === 'unreach')).toEqual([]);
    arrive(linklocal(a0), 'fc00:2::5');
    settle();
    expect(atA.filter((d) => d.icmp6.type === 'unreach').map((d) => d.icmp6)).toMatchObject([
      { type: 'unreach', code: 'beyondscope' },
    ]);
  });

  it('a link-scoped destination is forwarded on its own link only', () => {
    const on = net();
    const bus1 = on.wire('bus1');
    on.arrive('fc00:1::2', 'fe80::99');
    on.settle();
    expect(bus1().filter((l) => l.endsWith(' ns fe80::99')).length).toBeGreaterThan(0);
    // Without link-local addresses R has no fe80::/64 route: fe80::99 would go by the default route.
    const off = net({ routerLinklocal: false });
    unwrap(
      rt6Add(off.r, {
        dst: a6('::'),
        prefixLen: 0,
        gateway: { kind: 'addr', addr: a6('fc00:2::5') },
        flags: ['GATEWAY'],
      }),
    );
    const bus2 = off.wire('bus2');
    off.arrive('fc00:1::2', 'fe80::99');
    off.settle();
    expect(bus2()).toEqual([]);
  });

  it('no redirect for a packet that leaves by another link, nor by a route a redirect made or changed', () => {
    const { r, r0, arrive, settle } = net();
    arrive('fc00:1::2', 'fc00:2::5');
    settle();
    expect(inet6Of(r).stats.outRedirect).toBe(0);
    const gw = { kind: 'addr', addr: a6(`fe80:${r0.index.toString(16)}::3`) } as const;
    unwrap(
      rt6Add(r, { dst: a6('fc00:7::5'), prefixLen: 128, gateway: gw, flags: ['GATEWAY', 'HOST', 'DYNAMIC'] }),
    );
    unwrap(
      rt6Add(r, {
        dst: a6('fc00:8::5'),
        prefixLen: 128,
        gateway: gw,
        flags: ['GATEWAY', 'HOST', 'MODIFIED'],
      }),
    );
    arrive('fc00:1::2', 'fc00:7::5');
    arrive('fc00:1::2', 'fc00:8::5');
    settle();
    expect(inet6Of(r).stats.outRedirect).toBe(0);
    unwrap(rt6Add(r, { dst: a6('fc00:9::5'), prefixLen: 128, gateway: gw, flags: ['GATEWAY', 'HOST'] }));
    arrive('fc00:1::2', 'fc00:9::5');
    expect(inet6Of(r).stats.outRedirect).toBe(1);
  });

  it('no redirect for a packet ip6_output refused', () => {
    const { r, r0, arrive, settle } = net();
    const gw = { kind: 'addr', addr: a6(`fe80:${r0.index.toString(16)}::3`) } as const;
    unwrap(rt6Add(r, { dst: a6('fc00:9::'), prefixLen: 64, gateway: gw, flags: ['GATEWAY', 'REJECT'] }));
    unwrap(rt6Add(r, { dst: a6('fc00:8::'), prefixLen: 64, gateway: gw, flags: ['GATEWAY'] }));
    arrive('fc00:1::2', 'fc00:8::5');
    settle();
    expect(inet6Of(r).stats.outRedirect).toBe(1);
    arrive('fc00:1::2', 'fc00:9::5');
    settle();
    expect(inet6Of(r).stats.outRedirect).toBe(1);
  });

  it('no redirect to an off-link sender, nor without a link-local address to send it from', () => {
    const { r, arrive, settle } = net();
    arrive('fc00:7::2', 'fc00:1::3');
    settle();
    expect(inet6Of(r).stats.outRedirect).toBe(0);
    const bare = net({ routerLinklocal: false });
    const bus1 = bare.wire('bus1');
    bare.arrive('fc00:1::2', 'fc00:1::3');
    bare.settle();
    expect(inet6Of(bare.r).stats.outRedirect).toBe(0);
    expect(bus1()).toContain('fc00:1::1 > ff02::1:ff00:3 ns fc00:1::3');
  });

  it("a redirect carries the target's link address once it is known", () => {
    const { a, c0, heard, arrive, settle } = net();
    const atA = heard(a);
    arrive('fc00:1::2', 'fc00:1::3');
    settle();
    arrive('fc00:1::2', 'fc00:1::3');
    settle();
    const redirects = atA.filter((d) => d.icmp6.type === 'redirect').map((d) => d.icmp6);
    expect(redirects).toMatchObject([
      { target: 'fc00:1::3', dst: 'fc00:1::3', tllao: undefined },
      { target: 'fc00:1::3', dst: 'fc00:1::3', tllao: activeMac(c0) },
    ]);
  });

  it('an interface route (no RTF_GATEWAY) redirects to the destination itself', () => {
    const { r, a, heard, arrive, settle } = net();
    const gw = { kind: 'addr', addr: a6('fc00:1::3') } as const;
    unwrap(rt6Add(r, { dst: a6('fc00:9::'), prefixLen: 64, gateway: gw, flags: [] }));
    unwrap(
      rt6Add(r, {
        dst: a6('fc00:8::'),
        prefixLen: 64,
        gateway: { kind: 'link', ifIndex: 2 },
        flags: ['GATEWAY'],
      }),
    );
    const atA = heard(a);
    // One at a time: the redirect to A waits for A's link address in a one-packet hold queue.
    arrive('fc00:1::2', 'fc00:9::5');
    settle();
    arrive('fc00:1::2', 'fc00:8::5');
    settle();
    expect(atA.filter((d) => d.icmp6.type === 'redirect').map((d) => d.icmp6)).toMatchObject([
      { target: 'fc00:9::5', dst: 'fc00:9::5' },
      { target: 'fc00:8::5', dst: 'fc00:8::5' },
    ]);
  });

  it('a sender known only by its link-local address gets the redirect on its link', () => {
    const { a, a0, heard, arrive, settle, linklocal } = net();
    const atA = heard(a);
    arrive(linklocal(a0), 'fc00:1::3');
    settle();
    expect(atA.filter((d) => d.icmp6.type === 'redirect').map((d) => [d.to, d.hlim])).toEqual([
      [linklocal(a0), 255],
    ]);
  });
});

describe('icmp6_redirect_input', () => {
  it('a target equal to the destination leaves a host route through the gateway as it is', () => {
    const { a, a0, settle } = net();
    const gw = a6(`fe80:${a0.index.toString(16)}::1`);
    const hostRoute = unwrap(
      rt6Add(a, {
        dst: a6('fc00:2::5'),
        prefixLen: 128,
        gateway: { kind: 'addr', addr: gw },
        flags: ['GATEWAY', 'HOST'],
      }),
    );
    const body = {
      proto: 'icmp6',
      icmp6: {
        type: 'redirect',
        target: a6('fc00:2::5'),
        dst: a6('fc00:2::5'),
        tllao: undefined,
        quoted: undefined,
      },
    } as unknown as Ipv6Packet['body'];
    ip6Input(a, a0, ip6Packet(a, a6('fe80::1'), a6('fc00:1::2'), body, 255), false);
    settle();
    expect(hostRoute.gateway).toEqual({ kind: 'addr', addr: gw });
    expect(hostRoute.flags.has('MODIFIED')).toBe(false);
  });

  it('a target equal to the destination: the destination is a neighbour, the route stays', () => {
    const { a, a0, settle } = net();
    const gw = a6(`fe80:${a0.index.toString(16)}::1`);
    unwrap(
      rt6Add(a, { dst: a6('::'), prefixLen: 0, gateway: { kind: 'addr', addr: gw }, flags: ['GATEWAY'] }),
    );
    const mac = activeMac(a0);
    const body = {
      proto: 'icmp6',
      icmp6: {
        type: 'redirect',
        target: a6('fc00:2::5'),
        dst: a6('fc00:2::5'),
        tllao: mac,
        quoted: undefined,
      },
    } as unknown as Ipv6Packet['body'];
    ip6Input(a, a0, ip6Packet(a, a6('fe80::1'), a6('fc00:1::2'), body, 255), false);
    settle();
    expect(nd6Of(a, a0).table.lookup(a6('fc00:2::5'))?.lladdr).toBe(mac);
    expect(a.rt6.exact(a6('fc00:2::5'), 128)).toBeUndefined();
    expect(a.rt6.lookup(a6('fc00:2::5'))?.gateway).toEqual({ kind: 'addr', addr: gw });
  });
});
