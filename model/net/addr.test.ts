/**
 * Address and wire arithmetic of the model: IPv4 parsing and masks (inet_aton, in.c in_ifinit's
 * classful default, route(8) inet_makenetandmask, netstat netname()), Ethernet addresses
 * (ether_aton), the routing table lookup (rtalloc1) and the wire sizes tcpdump prints.
 */
import { describe, expect, it } from 'vitest';
import { ETHER_HEADER_BYTES, frameLengthBytes, icmp6LengthBytes, ipLengthBytes } from './frame.ts';
import {
  broadcastOf,
  classfulPrefixLen,
  formatInAddr,
  formatShortNet,
  type InAddr,
  inAddr,
  inSubnet,
  maskOf,
  netOf,
  parseInAddr,
  prefixLenOfMask,
  routeNetPrefixLen,
} from './inet.ts';
import { ETHER_BROADCAST, macOctets, macOf, parseMac } from './mac.ts';
import { RouteTable, type RtEntry, sortFlags } from './route.ts';
import type { Ipv4Packet, Ipv6Packet } from './wire.ts';

const a = (text: string): InAddr => parseInAddr(text) as InAddr;

describe('IPv4 addresses', () => {
  it('parses dotted quads only', () => {
    expect(parseInAddr('10.0.2.255')).toBe(0x0a0002ff);
    expect(parseInAddr('255.255.255.255')).toBe(0xffffffff);
    expect(parseInAddr('0.0.0.0')).toBe(0);
    for (const bad of [
      '10.0.2',
      '10.0.2.3.4',
      '10.0.2.256',
      '10.0.-2.1',
      '10.0.2.1a',
      '10..2.1',
      '1000.0.0.1',
      ' 1.2.3.4',
    ])
      expect(parseInAddr(bad)).toBeUndefined();
    expect(parseInAddr('010.000.002.001')).toBe(0x0a000201);
  });

  it('formats dotted quads and keeps 32-bit unsigned values', () => {
    expect(formatInAddr(a('192.168.10.254'))).toBe('192.168.10.254');
    expect(formatInAddr(inAddr(-1))).toBe('255.255.255.255');
    expect(inAddr(2 ** 32 + 5)).toBe(5);
  });

  it('masks, prefix lengths, networks and broadcasts', () => {
    expect([maskOf(0), maskOf(1), maskOf(24), maskOf(31), maskOf(32)]).toEqual([
      0, 0x80000000, 0xffffff00, 0xfffffffe, 0xffffffff,
    ]);
    expect([prefixLenOfMask(0), prefixLenOfMask(0xffffff00), prefixLenOfMask(0xffffffff)]).toEqual([
      0, 24, 32,
    ]);
    expect(prefixLenOfMask(-256)).toBe(24);
    expect(prefixLenOfMask(0xff00ff00)).toBeUndefined();
    expect(netOf(a('10.1.2.3'), 16)).toBe(a('10.1.0.0'));
    expect(netOf(a('10.1.2.3'), 0)).toBe(0);
    expect(inSubnet(a('10.1.2.3'), a('10.1.9.9'), 16)).toBe(true);
    expect(inSubnet(a('10.2.2.3'), a('10.1.9.9'), 16)).toBe(false);
    expect(broadcastOf(a('10.1.2.3'), 24)).toBe(a('10.1.2.255'));
    expect(broadcastOf(a('10.1.2.3'), 32)).toBe(a('10.1.2.3'));
    expect(broadcastOf(a('10.1.2.3'), 0)).toBe(a('255.255.255.255'));
  });

  it('the classful default prefix of in_ifinit', () => {
    expect(classfulPrefixLen(a('10.0.0.1'))).toBe(8);
    expect(classfulPrefixLen(a('127.255.0.1'))).toBe(8);
    expect(classfulPrefixLen(a('128.0.0.1'))).toBe(16);
    expect(classfulPrefixLen(a('191.255.0.1'))).toBe(16);
    expect(classfulPrefixLen(a('192.0.0.1'))).toBe(24);
    expect(classfulPrefixLen(a('224.0.0.1'))).toBe(24);
  });

  it("netstat's short network names", () => {
    expect(formatShortNet(a('0.0.0.0'), 0)).toBe('default');
    expect(formatShortNet(a('10.0.0.0'), 0)).toBe('10/0');
    expect(formatShortNet(a('0.0.0.0'), 8)).toBe('0/8');
    expect(formatShortNet(a('127.0.0.0'), 8)).toBe('127/8');
    expect(formatShortNet(a('10.0.2.0'), 24)).toBe('10.0.2/24');
    expect(formatShortNet(a('10.0.2.0'), 23)).toBe('10.0.2/23');
    expect(formatShortNet(a('10.0.2.128'), 25)).toBe('10.0.2.128/25');
    expect(formatShortNet(a('172.16.0.0'), 12)).toBe('172.16/12');
  });

  it("route(8)'s guess of a -net mask", () => {
    expect(routeNetPrefixLen(a('0.0.0.0'))).toBe(0);
    expect(routeNetPrefixLen(a('10.0.0.0'))).toBe(8);
    expect(routeNetPrefixLen(a('10.1.0.0'))).toBe(16);
    expect(routeNetPrefixLen(a('10.1.2.0'))).toBe(24);
    expect(routeNetPrefixLen(a('10.1.2.3'))).toBe(32);
    expect(routeNetPrefixLen(a('0.0.0.3'))).toBe(32);
    expect(routeNetPrefixLen(a('0.0.3.0'))).toBe(24);
    expect(routeNetPrefixLen(a('0.3.0.0'))).toBe(16);
  });
});

describe('Ethernet addresses', () => {
  it('ether_aton: one or two hex digits per octet, six octets, lower case out', () => {
    expect(parseMac('B2:A0:0:1:2:3')).toBe('b2:a0:00:01:02:03');
    for (const bad of [
      'b2:a0:00:01:02',
      'b2:a0:00:01:02:03:04',
      'b2:a0:00:01:02:g3',
      'b2:a0:00:01:02:003',
      'b2:a0::01:02:03',
    ])
      expect(parseMac(bad)).toBeUndefined();
  });

  it('octets in and out', () => {
    expect(macOf([0xb2, 0xa0, 0x100 + 1, 2, 3, 0xff])).toBe('b2:a0:01:02:03:ff');
    expect(macOctets(ETHER_BROADCAST)).toEqual([255, 255, 255, 255, 255, 255]);
    expect(macOctets(macOf([0, 1, 2, 0xa, 0xb0, 0xc]))).toEqual([0, 1, 2, 10, 176, 12]);
  });
});

describe('routing table (rtalloc1)', () => {
  function table() {
    const t = new RouteTable<InAddr>({
      bits: 32,
      netKey: (x, len) => String(netOf(x, len)),
      compare: (x, y) => x - y,
    });
    const rt = (dst: string, prefixLen: number, up = true): RtEntry<InAddr> => ({
      dst: a(dst),
      prefixLen,
      gateway: { kind: 'addr', addr: a('10.0.0.254') },
      flags: new Set(up ? ['UP'] : []),
      ifIndex: 2,
      ifa: a('10.0.0.1'),
      expireNs: undefined,
      timer: undefined,
    });
    return { t, rt };
  }

  it('longest prefix wins, routes that are not UP are skipped, entries kept in radix order', () => {
    const { t, rt } = table();
    const def = rt('0.0.0.0', 0);
    const net16 = rt('10.1.0.0', 16);
    const net24 = rt('10.1.2.0', 24);
    const host = rt('10.1.2.3', 32, false);
    for (const r of [net24, host, def, net16]) t.insert(r);
    expect(t.entries).toEqual([def, net16, net24, host]);
    expect(t.lookup(a('10.1.2.3'))).toBe(net24);
    expect(t.lookup(a('10.1.9.9'))).toBe(net16);
    expect(t.lookup(a('8.8.8.8'))).toBe(def);
    host.flags.add('UP');
    expect(t.lookup(a('10.1.2.3'))).toBe(host);
    expect(t.exact(a('10.1.2.77'), 24)).toBe(net24);
    expect(t.exact(a('10.1.2.0'), 25)).toBeUndefined();
    t.remove(net24);
    expect(t.lookup(a('10.1.2.9'))).toBe(net16);
    t.remove(net24);
    expect(t.entries.length).toBe(3);
  });

  it('same destination, shorter prefix first; an equal-length later route does not replace the first', () => {
    const { t, rt } = table();
    const n8 = rt('10.0.0.0', 8);
    const n16 = rt('10.0.0.0', 16);
    t.insert(n16);
    t.insert(n8);
    expect(t.entries).toEqual([n8, n16]);
    expect(t.lookup(a('10.0.1.1'))).toBe(n16);
    const empty = table().t;
    expect(empty.lookup(a('10.0.0.1'))).toBeUndefined();
  });

  it('route flags sort in bit order, duplicates once', () => {
    expect(sortFlags(['LOCAL', 'UP', 'HOST', 'UP', 'DONE'])).toEqual(['UP', 'HOST', 'DONE', 'LOCAL']);
  });
});

describe('wire sizes', () => {
  const v4 = (body: Ipv4Packet['body']): Ipv4Packet => ({
    kind: 'ipv4',
    src: a('10.0.0.1'),
    dst: a('10.0.0.2'),
    ttl: 64,
    id: 1,
    body,
  });
  const echo = v4({ proto: 'icmp', icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 56 } });
  const v6 = (body: Ipv6Packet['body']): Ipv6Packet => ({
    kind: 'ipv6',
    src: 'fc00::1' as never,
    dst: 'fc00::2' as never,
    hlim: 64,
    body,
  });

  it('IPv4: echo, ICMP errors, TCP and tunnelled packets', () => {
    expect(ipLengthBytes(echo)).toBe(84);
    expect(
      ipLengthBytes(v4({ proto: 'icmp', icmp: { type: 'echo-reply', id: 1, seq: 1, dataBytes: 0 } })),
    ).toBe(28);
    for (const icmp of [
      { type: 'time-exceeded' as const, quoted: echo },
      { type: 'unreach' as const, code: 'host' as const, quoted: echo },
      { type: 'redirect' as const, gateway: a('10.0.0.3'), quoted: echo },
    ])
      expect(ipLengthBytes(v4({ proto: 'icmp', icmp }))).toBe(56);
    expect(
      ipLengthBytes(v4({ proto: 'tcp', srcPort: 1, dstPort: 2, flags: 'syn', seq: 0, dataBytes: 10 })),
    ).toBe(50);
    expect(ipLengthBytes(v4({ proto: 'encap', inner: echo }))).toBe(104);
    const inner6 = v6({ proto: 'icmp6', icmp6: { type: 'echo-request', id: 1, seq: 1, dataBytes: 56 } });
    expect(ipLengthBytes(v4({ proto: 'encap', inner: inner6 }))).toBe(20 + 40 + 64);
    expect(() => ipLengthBytes(v4({ proto: 'icmp', icmp: { type: 'bogus' } as never }))).toThrow(
      /unhandled icmp/,
    );
  });

  it('Ethernet frames add the header to ARP, IPv4 and IPv6', () => {
    const arp = {
      kind: 'arp' as const,
      op: 'request' as const,
      sha: ETHER_BROADCAST,
      spa: a('10.0.0.1'),
      tha: ETHER_BROADCAST,
      tpa: a('10.0.0.2'),
    };
    expect(frameLengthBytes({ src: ETHER_BROADCAST, dst: ETHER_BROADCAST, payload: arp })).toBe(42);
    expect(frameLengthBytes({ src: ETHER_BROADCAST, dst: ETHER_BROADCAST, payload: echo })).toBe(
      ETHER_HEADER_BYTES + 84,
    );
    const ns = v6({ proto: 'icmp6', icmp6: { type: 'ns', target: 'fc00::2' as never, sllao: undefined } });
    expect(frameLengthBytes({ src: ETHER_BROADCAST, dst: ETHER_BROADCAST, payload: ns })).toBe(14 + 40 + 24);
  });

  it('ICMPv6 lengths follow the options they carry', () => {
    const mac = ETHER_BROADCAST;
    expect(icmp6LengthBytes({ type: 'ns', target: 'fc00::2' as never, sllao: mac })).toBe(32);
    expect(
      icmp6LengthBytes({
        type: 'na',
        target: 'fc00::2' as never,
        tllao: undefined,
        router: false,
        solicited: true,
        override: true,
      }),
    ).toBe(24);
    expect(
      icmp6LengthBytes({
        type: 'na',
        target: 'fc00::2' as never,
        tllao: mac,
        router: false,
        solicited: true,
        override: true,
      }),
    ).toBe(32);
    expect(icmp6LengthBytes({ type: 'rs', sllao: undefined })).toBe(8);
    expect(icmp6LengthBytes({ type: 'rs', sllao: mac })).toBe(16);
    const prefix = {
      prefix: 'fc00::' as never,
      prefixLen: 64,
      onLink: true,
      autonomous: true,
      vltimeSeconds: 1,
      pltimeSeconds: 1,
    };
    expect(
      icmp6LengthBytes({
        type: 'ra',
        routerLifetimeSeconds: 1,
        sllao: undefined,
        mtu: undefined,
        prefixes: [],
      }),
    ).toBe(16);
    expect(
      icmp6LengthBytes({
        type: 'ra',
        routerLifetimeSeconds: 1,
        sllao: mac,
        mtu: 1500,
        prefixes: [prefix, prefix],
      }),
    ).toBe(16 + 8 + 8 + 64);
    const quoted = v6({ proto: 'tcp', srcPort: 1, dstPort: 2, flags: 'syn', seq: 0, dataBytes: 0 });
    expect(
      icmp6LengthBytes({
        type: 'redirect',
        target: 'fc00::3' as never,
        dst: 'fc00::2' as never,
        tllao: undefined,
        quoted,
      }),
    ).toBe(96);
    expect(
      icmp6LengthBytes({
        type: 'redirect',
        target: 'fc00::3' as never,
        dst: 'fc00::2' as never,
        tllao: mac,
        quoted,
      }),
    ).toBe(104);
    expect(icmp6LengthBytes({ type: 'unreach', code: 'noroute', quoted })).toBe(8 + 60);
    const big = v6({ proto: 'icmp6', icmp6: { type: 'echo-request', id: 1, seq: 1, dataBytes: 5000 } });
    expect(icmp6LengthBytes({ type: 'time-exceeded', quoted: big })).toBe(8 + 1232);
    const tunnelled = v6({ proto: 'encap', inner: echo });
    expect(icmp6LengthBytes({ type: 'unreach', code: 'admin', quoted: tunnelled })).toBe(8 + 40 + 84);
    const tunnelled6 = v6({ proto: 'encap', inner: quoted });
    expect(icmp6LengthBytes({ type: 'unreach', code: 'admin', quoted: tunnelled6 })).toBe(8 + 40 + 60);
    expect(() => icmp6LengthBytes({ type: 'bogus' } as never)).toThrow(/unhandled icmp6/);
  });
});
