/**
 * gif(4) of the model: SIOCSLIFPHYADDR rules, the point-to-point host route, encapsulation
 * (outer TTL, counters, errors) and decapsulation by endpoints (NetBSD sys/net/if_gif.c
 * gif_set_tunnel, gif_output; netinet/in_gif.c in_gif_output, in_gif_input).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import {
  formatTunnel,
  GIF_TTL,
  gifDeleteTunnel,
  gifSetDstaddr4,
  gifSetTunnel,
  gifTunnel,
  type TunnelEndpoint,
} from './gif.ts';
import type { Host, IcmpDelivery } from './host.ts';
import { ifCreate, ifDestroy, ifSetLinkstr, ifSetUp } from './ifops.ts';
import { inAddAddress } from './in.ts';
import { type InAddr, parseInAddr } from './inet.ts';
import { ipOutput, ipPacket } from './ip.ts';
import type { Ipv4Packet } from './wire.ts';
import { NetWorld } from './world.ts';

const a = (text: string): InAddr => parseInAddr(text) as InAddr;
const v4 = (text: string): TunnelEndpoint => ({ family: 'inet', addr: a(text) });
const v6 = (text: string): TunnelEndpoint => ({ family: 'inet6', addr: text as never });

/** Two hosts on bus1 (10.0.0.1, 10.0.0.2), each with gif0 to the other, inner 192.168.0.1 <-> .2. */
function tunnelled() {
  const world = new NetWorld(1);
  const mk = (name: string, outer: string, peer: string, inner: string, far: string) => {
    const host = bootHost(world, name);
    host.sysctl['net.inet.ip.dad_count'] = 0;
    const eth = unwrap(ifCreate(host, 'shmif0'));
    unwrap(ifSetLinkstr(host, eth, 'bus1'));
    unwrap(inAddAddress(host, eth, { addr: a(outer), prefixLen: 24 }));
    const gif = unwrap(ifCreate(host, 'gif0'));
    unwrap(gifSetTunnel(host, gif, v4(outer), v4(peer)));
    unwrap(inAddAddress(host, gif, { addr: a(inner), prefixLen: 32 }));
    unwrap(gifSetDstaddr4(host, gif, a(inner), a(far)));
    return { host, eth, gif };
  };
  const x = mk('x', '10.0.0.1', '10.0.0.2', '192.168.0.1', '192.168.0.2');
  const y = mk('y', '10.0.0.2', '10.0.0.1', '192.168.0.2', '192.168.0.1');
  world.runFor(NS_PER_SECOND);
  const frames = () => world.bus('bus1').capture.map((c) => c.frame);
  return { world, x, y, frames };
}

const echo = (host: Host, src: string, dst: string): Ipv4Packet =>
  ipPacket(host, a(src), a(dst), {
    proto: 'icmp',
    icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 56 },
  });

function listen(host: Host): IcmpDelivery[] {
  const got: IcmpDelivery[] = [];
  host.icmpListeners.add((d) => got.push(d));
  return got;
}

describe('SIOCSLIFPHYADDR / SIOCDIFPHYADDR', () => {
  it('EINVAL on a non-gif or for mixed families; EADDRNOTAVAIL for endpoints another gif has', () => {
    const { x } = tunnelled();
    expect(gifSetTunnel(x.host, x.eth, v4('1.1.1.1'), v4('2.2.2.2'))).toEqual({ ok: false, error: 'EINVAL' });
    const gif1 = unwrap(ifCreate(x.host, 'gif1'));
    expect(gifSetTunnel(x.host, gif1, v4('1.1.1.1'), v6('fc00::1'))).toEqual({ ok: false, error: 'EINVAL' });
    expect(gifSetTunnel(x.host, gif1, v4('10.0.0.1'), v4('10.0.0.2'))).toEqual({
      ok: false,
      error: 'EADDRNOTAVAIL',
    });
    expect(gifTunnel(gif1)).toBeUndefined();
    // Sharing only one endpoint is fine, and a gif may re-set its own endpoints.
    expect(gifSetTunnel(x.host, gif1, v4('10.0.0.1'), v4('10.0.0.3')).ok).toBe(true);
    expect(gifSetTunnel(x.host, gif1, v4('10.0.0.4'), v4('10.0.0.2')).ok).toBe(true);
    expect(gifSetTunnel(x.host, x.gif, v4('10.0.0.1'), v4('10.0.0.2')).ok).toBe(true);
    expect(gifSetTunnel(x.host, gif1, v6('fc00::1'), v6('fc00::2')).ok).toBe(true);
    expect(gifTunnel(gif1)).toEqual({ src: v6('fc00::1'), dst: v6('fc00::2') });
    expect(gifDeleteTunnel(x.eth)).toEqual({ ok: false, error: 'EINVAL' });
    expect(gifDeleteTunnel(gif1)).toEqual({ ok: true, value: undefined });
    expect(gifTunnel(gif1)).toBeUndefined();
  });

  it('destroying a gif frees its endpoints', () => {
    const { x } = tunnelled();
    unwrap(ifDestroy(x.host, x.gif));
    const gif1 = unwrap(ifCreate(x.host, 'gif1'));
    expect(gifSetTunnel(x.host, gif1, v4('10.0.0.1'), v4('10.0.0.2')).ok).toBe(true);
  });

  it('the destination address gets a host route through the gif, once', () => {
    const { x } = tunnelled();
    const rt = x.host.rt4.exact(a('192.168.0.2'), 32)!;
    expect(rt).toMatchObject({
      ifIndex: x.gif.index,
      ifa: a('192.168.0.1'),
      gateway: { kind: 'link', ifIndex: x.gif.index },
    });
    expect([...rt.flags]).toEqual(['UP', 'HOST']);
    expect(gifSetDstaddr4(x.host, x.gif, a('192.168.0.1'), a('192.168.0.2'))).toEqual({
      ok: true,
      value: undefined,
    });
    expect(x.host.rt4.exact(a('192.168.0.2'), 32)).toBe(rt);
  });

  it('formats tunnels as ifconfig prints them', () => {
    expect(formatTunnel({ src: v4('10.0.0.1'), dst: v4('10.0.0.2') })).toBe('inet 10.0.0.1 --> 10.0.0.2');
    expect(formatTunnel({ src: v6('fc00::1'), dst: v6('fc00::2') })).toBe('inet6 fc00::1 --> fc00::2');
  });
});

describe('gif_output / gif_input', () => {
  it('a ping through the tunnel: encapsulated with GIF_TTL, counted both ends, answered', () => {
    const { world, x, y, frames } = tunnelled();
    const got = listen(x.host);
    const n = frames().length;
    expect(ipOutput(x.host, echo(x.host, '0.0.0.0', '192.168.0.2'))).toBeUndefined();
    world.runFor(NS_PER_SECOND);
    const outer = frames()
      .slice(n)
      .map((f) => f.payload)
      .filter((p) => p.kind === 'ipv4');
    expect(outer[0]).toMatchObject({
      src: a('10.0.0.1'),
      dst: a('10.0.0.2'),
      ttl: GIF_TTL,
      body: { proto: 'encap', inner: { src: a('192.168.0.1'), dst: a('192.168.0.2'), ttl: 64 } },
    });
    expect(got).toMatchObject([{ from: a('192.168.0.2'), icmp: { type: 'echo-reply' } }]);
    expect([x.gif.counters.opackets, x.gif.counters.ipackets]).toEqual([1, 1]);
    expect([y.gif.counters.opackets, y.gif.counters.ipackets]).toEqual([1, 1]);
  });

  it('a gif that is down: ENETDOWN, nothing counted', () => {
    const { x } = tunnelled();
    ifSetUp(x.host, x.gif, false);
    x.gif.up = false;
    // The route is kept; output refuses on the interface.
    expect(ipOutput(x.host, echo(x.host, '192.168.0.1', '192.168.0.2'))).toBe('ENETDOWN');
    expect(x.gif.counters.oerrors).toBe(0);
  });

  it('no tunnel configured: ENETDOWN and an output error', () => {
    const { x } = tunnelled();
    unwrap(gifDeleteTunnel(x.gif));
    expect(ipOutput(x.host, echo(x.host, '0.0.0.0', '192.168.0.2'))).toBe('ENETDOWN');
    expect([x.gif.counters.oerrors, x.gif.counters.opackets]).toEqual([1, 0]);
  });

  it('a tunnel whose outer route leads back into itself: nesting limit, logged, EIO', () => {
    const { x } = tunnelled();
    unwrap(gifSetTunnel(x.host, x.gif, v4('192.168.0.1'), v4('192.168.0.2')));
    const err = ipOutput(x.host, echo(x.host, '0.0.0.0', '192.168.0.2'));
    expect(err).toBe('EIO');
    expect(x.host.dmesg).toEqual(['gif0: recursively called too many times(2)']);
    expect([x.gif.counters.opackets, x.gif.counters.oerrors]).toEqual([2, 1]);
    // The nesting record is unwound: an ordinary tunnel works afterwards.
    unwrap(gifSetTunnel(x.host, x.gif, v4('10.0.0.1'), v4('10.0.0.2')));
    expect(ipOutput(x.host, echo(x.host, '0.0.0.0', '192.168.0.2'))).toBeUndefined();
  });

  it('input needs a matching tunnel that is up; a reversed pair does not match', () => {
    const { world, x, y } = tunnelled();
    const got = listen(y.host);
    ifSetUp(y.host, y.gif, false);
    ipOutput(x.host, echo(x.host, '0.0.0.0', '192.168.0.2'));
    world.runFor(NS_PER_SECOND);
    expect(y.gif.counters.ipackets).toBe(0);
    ifSetUp(y.host, y.gif, true);
    unwrap(gifSetTunnel(y.host, y.gif, v4('10.0.0.2'), v4('10.0.0.9')));
    ipOutput(x.host, echo(x.host, '0.0.0.0', '192.168.0.2'));
    world.runFor(NS_PER_SECOND);
    expect(y.gif.counters.ipackets).toBe(0);
    unwrap(gifSetTunnel(y.host, y.gif, v4('10.0.0.9'), v4('10.0.0.1')));
    ipOutput(x.host, echo(x.host, '0.0.0.0', '192.168.0.2'));
    world.runFor(NS_PER_SECOND);
    expect(y.gif.counters.ipackets).toBe(0);
    expect(got).toEqual([]);
  });
});
