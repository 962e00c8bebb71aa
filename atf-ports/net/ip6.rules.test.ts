/**
 * ip6_output's errors and lo0 accounting, one rule per case, on a rump server of the ATF world
 * (NetBSD sys/netinet6/ip6_output.c, ip6_input.c, icmp6.c).
 */
import { describe, expect, it } from 'vitest';
import { parseIn6 } from '../../model/net/in6.ts';
import { inet6Of } from '../../model/net/in6var.ts';
import { icmp6Error, ip6Input, ip6Output, ip6Packet } from '../../model/net/ip6.ts';
import type { Ipv6Packet } from '../../model/net/wire.ts';
import { AtfEnv } from '../harness/net-common.ts';
import { dumpBusIcmp6, rmBus } from '../harness/net6.ts';

const SOCK = 'unix://commsock1';

function server() {
  const env = new AtfEnv();
  const host = env.rumpServerStart(SOCK, 'netinet6');
  env.rumpServerAddIface(SOCK, 'shmif0', 'bus1');
  env.check(SOCK, 'rump.ifconfig shmif0 inet6 fc00:1::1');
  env.check(SOCK, 'rump.ifconfig shmif0 up');
  env.sleep(3);
  const echo = (dst: string, src = '::'): Ipv6Packet =>
    ip6Packet(host, parseIn6(src) as never, parseIn6(dst) as never, {
      proto: 'icmp6',
      icmp6: { type: 'echo-request', id: 1, seq: 1, dataBytes: 56 },
    });
  const frames = () => env.world.bus('bus1').capture.length;
  return { env, host, echo, frames };
}

describe('ip6_output: the errno sendmsg sees', () => {
  it('no route: EHOSTUNREACH, and RTM_MISS on the routing socket', () => {
    const { host, echo } = server();
    const before = host.rtsock.log.length;
    expect(ip6Output(host, echo('fc00:9::1'))).toBe('EHOSTUNREACH');
    expect(host.rtsock.log.slice(before)).toMatchObject([
      { type: 'RTM_MISS', flags: ['DONE'], addrs: { DST: { kind: 'inet6', text: 'fc00:9::1' } } },
    ]);
  });

  it('a link-scoped destination needs a zone: EHOSTUNREACH without one', () => {
    const { host, echo } = server();
    const before = host.rtsock.log.length;
    expect(ip6Output(host, echo('fe80::1'))).toBe('EHOSTUNREACH');
    // Refused before the route lookup: no RTM_MISS.
    expect(host.rtsock.log.length).toBe(before);
  });

  it('multicast goes out the zone interface: ENETUNREACH for no such interface, ENETDOWN for a down one', () => {
    const { env, host, echo, frames } = server();
    expect(ip6Output(host, echo('ff02::1'))).toBe('ENETUNREACH');
    expect(ip6Output(host, echo('ff02::1'), { zone: 9 })).toBe('ENETUNREACH');
    const sent = frames();
    expect(ip6Output(host, echo('ff02::1'), { zone: 2 })).toBeUndefined();
    expect(frames()).toBe(sent + 1);
    env.check(SOCK, 'rump.ifconfig shmif0 down');
    expect(ip6Output(host, echo('ff02::1'), { zone: 2 })).toBe('ENETDOWN');
  });

  it('multicast leaves from a selected source when unbound, from the bound one otherwise', () => {
    const { env, host, echo } = server();
    rmBus(env, 'bus1');
    ip6Output(host, echo('ff02::1'), { zone: 2 });
    ip6Output(host, echo('ff02::1', 'fc00:1::1'), { zone: 2 });
    const lines = dumpBusIcmp6(env, 'bus1').trim().split('\n');
    expect(lines.map((l) => l.replace(/.*: (\S+) > ff02::1: .*/, '$1'))).toEqual([
      expect.stringMatching(/^f[ce]/),
      'fc00:1::1',
    ]);
    expect(lines[0]).not.toMatch(/ :: > /);
  });

  it('a unicast route out a down interface: ENETDOWN (the route stays, the link does not)', () => {
    const { env, host, echo } = server();
    env.check(SOCK, 'rump.ifconfig shmif0 down');
    const r = ip6Output(host, echo('fc00:1::2', 'fc00:1::1'));
    expect(r).toBe('ENETDOWN');
  });

  it('a reject route answers EHOSTUNREACH; a blackhole route swallows the packet without error', () => {
    const { env, host, echo, frames } = server();
    env.check(SOCK, 'rump.route add -inet6 fc00:7::/64 fc00:1::2 -reject', { o: 'ignore' });
    env.check(SOCK, 'rump.route add -inet6 fc00:8::/64 fc00:1::2 -blackhole', { o: 'ignore' });
    expect(ip6Output(host, echo('fc00:7::1'))).toBe('EHOSTUNREACH');
    const sent = frames();
    expect(ip6Output(host, echo('fc00:8::1'))).toBeUndefined();
    expect(frames()).toBe(sent);
  });

  it('a link-local source bound to another zone may not leave this link: EHOSTUNREACH', () => {
    const { host, echo } = server();
    expect(ip6Output(host, echo('fc00:1::2', 'fe80::1'), { srcZone: 9 })).toBe('EHOSTUNREACH');
    expect(ip6Output(host, echo('fc00:1::2', 'fe80::1'), { srcZone: 2 })).toBeUndefined();
  });

  it('to our own address: through lo0, which counts the packet and its bytes out and in', () => {
    const { env, host, echo } = server();
    const lo = host.lo0.counters;
    const start = { ...lo };
    const zones: number[] = [];
    inet6Of(host).icmp6Listeners.add((d) => zones.push(d.zone));
    expect(ip6Output(host, echo('fc00:1::1'))).toBeUndefined();
    env.sleep(1);
    expect(lo.opackets - start.opackets).toBeGreaterThanOrEqual(1);
    expect(lo.ipackets - start.ipackets).toBe(lo.opackets - start.opackets);
    expect(lo.ibytes - start.ibytes).toBe(lo.obytes - start.obytes);
    expect(lo.obytes - start.obytes).toBeGreaterThanOrEqual(40 + 8 + 56);
    // It comes back in on the address's own link (shmif0, index 2), not on lo0.
    expect(zones[0]).toBe(2);
  });
});

/** A router R (fc00:1::1 on bus1, fc00:2::1 on bus2, forwarding on), sender A fc00:1::2, B fc00:2::5. */
function routed(sysctls: readonly string[] = [], routes: readonly string[] = []) {
  const env = new AtfEnv();
  const R = 'unix://router';
  const router = env.rumpServerStart(R, 'netinet6');
  env.rumpServerAddIface(R, 'shmif0', 'bus1');
  env.rumpServerAddIface(R, 'shmif1', 'bus2');
  for (const cmd of [
    'rump.ifconfig shmif0 inet6 fc00:1::1',
    'rump.ifconfig shmif0 up',
    'rump.ifconfig shmif1 inet6 fc00:2::1',
    'rump.ifconfig shmif1 up',
    'rump.sysctl -w net.inet6.ip6.forwarding=1',
    ...sysctls.map((s) => `rump.sysctl -w ${s}`),
    ...routes.map((r) => `rump.route add -inet6 ${r}`),
  ])
    env.check(R, cmd, { o: 'ignore' });
  for (const [sock, bus, addr] of [
    ['unix://a', 'bus1', 'fc00:1::2'],
    ['unix://b', 'bus2', 'fc00:2::5'],
  ] as const) {
    env.rumpServerStart(sock, 'netinet6');
    env.rumpServerAddIface(sock, 'shmif0', bus);
    env.check(sock, `rump.ifconfig shmif0 inet6 ${addr}`);
    env.check(sock, 'rump.ifconfig shmif0 up');
  }
  const atB: number[] = [];
  inet6Of(env.host('unix://b')).icmp6Listeners.add((d) => atB.push(d.hlim));
  const atA: string[] = [];
  inet6Of(env.host('unix://a')).icmp6Listeners.add((d) => atA.push(`${d.icmp6.type} from ${d.from}`));
  env.sleep(3);
  const shmif0 = router.ifnets.find((i) => i.name === 'shmif0');
  if (shmif0 === undefined) throw new Error('no shmif0');
  /** An echo request from `src` to `dst` arriving at R on shmif0; answers what bus1 and bus2 carried. */
  const arrive = (dst: string, hlim: number, src = 'fc00:1::2', body: Ipv6Packet['body'] = ECHO) => {
    rmBus(env, 'bus1');
    rmBus(env, 'bus2');
    const pkt = ip6Packet(router, parseIn6(src) as never, parseIn6(dst) as never, body, hlim);
    ip6Input(router, shmif0, pkt, false);
    env.sleep(2);
    return { bus1: dumpBusIcmp6(env, 'bus1'), bus2: dumpBusIcmp6(env, 'bus2') };
  };
  return { arrive, atA, atB, router };
}

const ECHO = { proto: 'icmp6', icmp6: { type: 'echo-request', id: 1, seq: 1, dataBytes: 56 } } as const;

describe('ip6_forward (ip6_forward.c): hop limit, route, scope, redirect', () => {
  it('forwards with the hop limit one less', () => {
    const { arrive, atB } = routed();
    arrive('fc00:2::5', 64);
    expect(atB).toContain(63);
  });

  it('hop limit 1: time exceeded in transit back to the sender, nothing forwarded', () => {
    const { arrive, atB } = routed();
    const { bus1, bus2 } = arrive('fc00:2::5', 1);
    expect(bus1).toMatch(/fc00:1::1 > fc00:1::2: ICMP6, time exceeded in-transit/);
    expect(bus2).not.toMatch(/fc00:2::5/);
    expect(atB).toEqual([]);
  });

  it('no route: destination unreachable (no route) to the sender', () => {
    const { arrive } = routed();
    expect(arrive('fc00:9::5', 64).bus1).toMatch(/destination unreachable, unreachable route fc00:9::5/);
  });

  it('an unspecified source is never forwarded nor answered', () => {
    const { arrive, atB } = routed();
    const { bus1 } = arrive('fc00:2::5', 64, '::');
    expect(bus1).not.toMatch(/unreachable|exceeded/);
    expect(atB).toEqual([]);
  });

  it('a link-local source may not leave its link: beyond scope, nothing forwarded (RFC 4007 9)', () => {
    const { arrive, atB } = routed();
    const { bus1 } = arrive('fc00:2::5', 64, 'fe80::2');
    // The error goes back to fe80::2 on shmif0: R first solicits it.
    expect(bus1).toMatch(/who has fe80::2/);
    expect(atB).toEqual([]);
  });

  it('back out the link it came in on: a redirect from our link-local; none with net.inet6.ip6.redirect=0', () => {
    expect(routed().arrive('fc00:1::7', 64).bus1).toMatch(
      /fe80::\S+ > fc00:1::2: ICMP6, redirect, fc00:1::7 to fc00:1::7/,
    );
    const quiet = routed(['net.inet6.ip6.redirect=0']).arrive('fc00:1::7', 64).bus1;
    expect(quiet).not.toMatch(/redirect/);
    expect(quiet).toMatch(/who has fc00:1::7/);
  });

  it('a redirect to a better router names its link-local address, and counts icp6s_outredirect', () => {
    const r = routed(['net.inet6.ip6.forwarding=1'], ['fc00:3::/64 fe80::3%shmif0', 'fc00:4::/64 fc00:1::3']);
    expect(r.arrive('fc00:3::5', 64).bus1).toMatch(/ICMP6, redirect, fc00:3::5 to fe80::3/);
    expect(inet6Of(r.router).stats.outRedirect).toBe(1);
    // RFC 4861 8.2: a router that is not known by its link-local address is not redirected to.
    expect(r.arrive('fc00:4::5', 64).bus1).not.toMatch(/redirect/);
    expect(inet6Of(r.router).stats.outRedirect).toBe(1);
  });

  it('with forwarding off, a packet for another host is dropped silently', () => {
    const { arrive, atB } = routed(['net.inet6.ip6.forwarding=0']);
    const { bus1, bus2 } = arrive('fc00:2::5', 64);
    expect(`${bus1}${bus2}`).not.toMatch(/fc00:2::5|unreachable|exceeded/);
    expect(atB).toEqual([]);
  });
});

describe('ip6_input and icmp6_input on the router', () => {
  it('an echo request to our address is answered from that address', () => {
    const { arrive, atA } = routed();
    arrive('fc00:1::1', 64);
    expect(atA).toContain('echo-reply from fc00:1::1');
  });

  it('an echo request to ff02::1 (a group we joined) is answered from a selected unicast source', () => {
    const { arrive, atA } = routed();
    arrive('ff02::1', 64);
    expect(atA.filter((a) => a.startsWith('echo-reply'))).toHaveLength(1);
    expect(atA).not.toContain('echo-reply from ff02::1');
  });

  it('a multicast source is dropped at once; a group we did not join is not delivered', () => {
    const { arrive, atA } = routed();
    arrive('fc00:1::1', 64, 'ff02::9');
    arrive('ff02::1234', 64);
    expect(atA.filter((a) => a.startsWith('echo-reply'))).toEqual([]);
  });

  it('no ICMPv6 error about an ICMPv6 error; an echo reply may get one (icmp6_error)', () => {
    const exceeded = {
      proto: 'icmp6',
      icmp6: { type: 'time-exceeded', quoted: undefined as never },
    } as unknown as Ipv6Packet['body'];
    expect(routed().arrive('fc00:2::5', 1, 'fc00:1::2', exceeded).bus1).not.toMatch(/time exceeded/);
    const reply = { proto: 'icmp6', icmp6: { type: 'echo-reply', id: 1, seq: 1, dataBytes: 8 } } as const;
    expect(routed().arrive('fc00:2::5', 1, 'fc00:1::2', reply).bus1).toMatch(/time exceeded in-transit/);
  });

  it('a redirect received is counted (icp6s_inredirect) before it is checked', () => {
    const r = routed();
    const redirect = {
      proto: 'icmp6',
      icmp6: {
        type: 'redirect',
        target: parseIn6('fc00:1::7'),
        dst: parseIn6('fc00:1::7'),
        quoted: undefined,
      },
    } as unknown as Ipv6Packet['body'];
    r.arrive('fc00:1::1', 255, 'fc00:1::2', redirect);
    expect(inet6Of(r.router).stats.inRedirect).toBe(1);
  });
});

describe('icmp6_redirect_input (RFC 4861 8.1): accepted only from the current first hop', () => {
  /** A (fc00:1::2) with a default route via R's link-local; a redirect for fc00:2::5 arrives at A. */
  function redirected(over: { sysctl?: string; hlim?: number; from?: string; target?: string } = {}) {
    const env = new AtfEnv();
    const A = 'unix://a';
    const a = env.rumpServerStart(A, 'netinet6');
    env.rumpServerAddIface(A, 'shmif0', 'bus1');
    env.check(A, 'rump.ifconfig shmif0 inet6 fc00:1::2');
    env.check(A, 'rump.ifconfig shmif0 up');
    if (over.sysctl !== undefined) env.check(A, `rump.sysctl -w ${over.sysctl}`, { o: 'ignore' });
    env.sleep(3);
    env.check(A, 'rump.route add -inet6 default fe80::1%shmif0', { o: 'ignore' });
    const shmif0 = a.ifnets.find((i) => i.name === 'shmif0');
    if (shmif0 === undefined) throw new Error('no shmif0');
    const body = {
      proto: 'icmp6',
      icmp6: {
        type: 'redirect',
        target: parseIn6(over.target ?? 'fe80::99'),
        dst: parseIn6('fc00:2::5'),
        tllao: undefined,
        quoted: undefined,
      },
    } as unknown as Ipv6Packet['body'];
    const from = parseIn6(over.from ?? 'fe80::1') as never;
    ip6Input(a, shmif0, ip6Packet(a, from, parseIn6('fc00:1::2') as never, body, over.hlim ?? 255), false);
    return env.run(A, 'rump.route get -inet6 fc00:2::5').stdout;
  }

  it('from the current gateway, hop limit 255, link-local target: the route now points at the target', () => {
    expect(redirected()).toMatch(/gateway: fe80::99/);
  });

  it('ignored with rediraccept=0, on a router, with hop limit 254, or from a global or another address', () => {
    for (const over of [
      { sysctl: 'net.inet6.icmp6.rediraccept=0' },
      { sysctl: 'net.inet6.ip6.forwarding=1' },
      { hlim: 254 },
      { from: 'fe80::2' },
      { from: 'fc00:1::1' },
    ]) {
      expect(redirected(over), JSON.stringify(over)).not.toMatch(/gateway: fe80::99/);
    }
  });

  it('a router target must be link-local: a global target is ignored', () => {
    expect(redirected({ target: 'fc00:1::99' })).not.toMatch(/gateway: fc00:1::99/);
  });
});

describe('icmp6_error: never to or about a multicast, never to the unspecified address', () => {
  it('answers an echo request from a unicast source; stays silent for a multicast destination or source, or ::', () => {
    // A fresh node per case: an error queued behind the neighbour lookup of an earlier case would
    // send no second solicitation, and a wrongly sent error would go unseen.
    const sent = (src: string, dst: string) => {
      const { env, host, echo } = server();
      const shmif0 = host.ifnets.find((i) => i.name === 'shmif0');
      rmBus(env, 'bus1');
      icmp6Error(host, shmif0, echo(src, dst), (quoted) => ({ type: 'unreach', code: 'noroute', quoted }));
      env.sleep(2);
      return dumpBusIcmp6(env, 'bus1');
    };
    expect(sent('fc00:1::1', 'fc00:1::2')).toMatch(/fc00:1::1 > ff02::1:ff00:2: .*who has fc00:1::2/);
    expect(sent('ff02::1', 'fc00:1::2')).toBe('');
    expect(sent('fc00:1::1', 'ff02::1')).toBe('');
    expect(sent('fc00:1::1', '::')).toBe('');
  });
});
