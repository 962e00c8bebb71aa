/**
 * The request/response transport over IPv6 (tcp6_input and a client fetch): a page fetched
 * from a listener on an address or on ::, nothing from a port or address nobody listens on.
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import type { Host } from './host.ts';
import { ifCreate, ifSetLinkstr } from './ifops.ts';
import { type In6Addr, parseIn6 } from './in6.ts';
import { in6AddAddress } from './in6ctl.ts';
import { stream6Fetch, stream6Listen } from './stream6.ts';
import { NetWorld } from './world.ts';

const a6 = (text: string): In6Addr => {
  const addr = parseIn6(text);
  if (addr === undefined) throw new Error(`bad address ${text}`);
  return addr;
};

/** A server S (fc00:1::1 and fc00:1::10) and a client C (fc00:1::2) on one link. */
function pair() {
  const world = new NetWorld(1);
  const boot = (name: string, addrs: readonly string[]): Host => {
    const host = bootHost(world, name, { libs: ['netinet6'] });
    host.sysctl['net.inet6.ip6.dad_count'] = 0;
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    unwrap(ifSetLinkstr(host, ifp, 'bus1'));
    for (const addr of addrs) unwrap(in6AddAddress(host, ifp, { addr: a6(addr), prefixLen: 64 }));
    return host;
  };
  const s = boot('s', ['fc00:1::1', 'fc00:1::10']);
  const c = boot('c', ['fc00:1::2']);
  world.runFor(1_000_000_000);
  /** TCP segments on the link: `src > dst flags`. */
  const segments = () =>
    world.bus('bus1').capture.flatMap((cf) => {
      const p = cf.frame.payload;
      return p.kind === 'ipv6' && p.body.proto === 'tcp' ? [`${p.src} > ${p.dst} ${p.body.flags}`] : [];
    });
  return { s, c, segments };
}

describe('stream over IPv6', () => {
  it('a fetch from a listener on the address: handshake, request, response, FIN; the source chosen by ip6 output', () => {
    const { s, c, segments } = pair();
    stream6Listen(s, a6('fc00:1::1'), 80, 1000);
    expect(stream6Fetch(c, a6('fc00:1::1'), 80, 5)).toEqual({ ok: true });
    expect(segments()).toEqual([
      'fc00:1::2 > fc00:1::1 syn',
      'fc00:1::1 > fc00:1::2 syn-ack',
      'fc00:1::2 > fc00:1::1 ack',
      'fc00:1::2 > fc00:1::1 data',
      'fc00:1::1 > fc00:1::2 data',
      'fc00:1::1 > fc00:1::2 fin',
    ]);
  });

  it('a listener on :: answers on every address; one on an address only there', () => {
    const { s, c } = pair();
    stream6Listen(s, a6('::'), 80, 10);
    stream6Listen(s, a6('fc00:1::1'), 81, 10);
    expect(stream6Fetch(c, a6('fc00:1::10'), 80, 3)).toEqual({ ok: true });
    expect(stream6Fetch(c, a6('fc00:1::1'), 81, 3)).toEqual({ ok: true });
    expect(stream6Fetch(c, a6('fc00:1::10'), 81, 3)).toEqual({ ok: false, error: 'timed out' });
    expect(stream6Fetch(c, a6('fc00:1::1'), 82, 3)).toEqual({ ok: false, error: 'timed out' });
  });

  it('no route to the server: connect fails with the errno of ip6 output', () => {
    const { c } = pair();
    expect(stream6Fetch(c, a6('fc00:9::1'), 80, 3)).toEqual({ ok: false, error: 'connect: EHOSTUNREACH' });
  });
});
