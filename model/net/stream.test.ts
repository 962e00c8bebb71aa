/**
 * The request/response transport over IPv4: the listener's answers, the client's handshake,
 * retransmission on a doubling timer and the idle timeout of ftp -q (NetBSD
 * sys/netinet/tcp_input.c, tcp_timer.c TCP_MAXRXTSHIFT; usr.bin/ftp).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import { activeMac } from './ifnet.ts';
import { ifCreate, ifSetLinkstr } from './ifops.ts';
import { inAddAddress } from './in.ts';
import { type InAddr, parseInAddr } from './inet.ts';
import { ipPacket } from './ip.ts';
import { rtAdd, rtChange } from './rtops.ts';
import { streamFetch, streamInput } from './stream.ts';
import { streamFetch as coreFetch, streamInput as coreInput, type StreamFamily } from './stream-core.ts';
import type { StreamSegment } from './wire.ts';
import { NetWorld } from './world.ts';

const a = (text: string): InAddr => parseInAddr(text) as InAddr;

function pair() {
  const world = new NetWorld(1);
  const mk = (name: string, addr: string) => {
    const host = bootHost(world, name);
    host.sysctl['net.inet.ip.dad_count'] = 0;
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    unwrap(ifSetLinkstr(host, ifp, 'bus1'));
    unwrap(inAddAddress(host, ifp, { addr: a(addr), prefixLen: 24 }));
    return host;
  };
  const client = mk('c', '10.0.0.1');
  const server = mk('s', '10.0.0.2');
  world.runFor(NS_PER_SECOND);
  const segs = () =>
    world
      .bus('bus1')
      .capture.flatMap((c) =>
        c.frame.payload.kind === 'ipv4' && c.frame.payload.body.proto === 'tcp'
          ? [{ atNs: c.atNs, pkt: c.frame.payload, seg: c.frame.payload.body }]
          : [],
      );
  return { world, client, server, segs };
}

const seg = (flags: StreamSegment['flags'], dstPort = 80, srcPort = 50000): StreamSegment => ({
  proto: 'tcp',
  srcPort,
  dstPort,
  flags,
  seq: 0,
  dataBytes: 0,
});

describe('the listener (tcp_input)', () => {
  it('answers SYN with SYN-ACK and a request with the response and FIN, from the address asked', () => {
    const { world, client, server, segs } = pair();
    server.streamListeners.push({ port: 80, addr: a('0.0.0.0') as InAddr, responseBytes: 300 });
    // Resolved beforehand: ARP would hold only the last of the three answers.
    const clientMac = activeMac(client.ifByName('shmif0')!)!;
    server.ifByName('shmif0')!.arp.setManual(a('10.0.0.1'), clientMac, { isStatic: false, published: false });
    streamInput(server, ipPacket(client, a('10.0.0.1'), a('10.0.0.2'), seg('syn')));
    streamInput(server, ipPacket(client, a('10.0.0.1'), a('10.0.0.2'), seg('ack')));
    streamInput(
      server,
      ipPacket(client, a('10.0.0.1'), a('10.0.0.2'), { ...seg('data'), seq: 3, dataBytes: 64 }),
    );
    world.runFor(NS_PER_SECOND);
    expect(segs().map((s) => [s.pkt.src, s.pkt.dst, s.seg])).toEqual([
      [
        a('10.0.0.2'),
        a('10.0.0.1'),
        { proto: 'tcp', srcPort: 80, dstPort: 50000, flags: 'syn-ack', seq: 0, dataBytes: 0 },
      ],
      [
        a('10.0.0.2'),
        a('10.0.0.1'),
        { proto: 'tcp', srcPort: 80, dstPort: 50000, flags: 'data', seq: 3, dataBytes: 300 },
      ],
      [
        a('10.0.0.2'),
        a('10.0.0.1'),
        { proto: 'tcp', srcPort: 80, dstPort: 50000, flags: 'fin', seq: 3, dataBytes: 0 },
      ],
    ]);
  });

  it('a listener bound to one address ignores the others; another port has no listener', () => {
    const { world, client, server, segs } = pair();
    server.streamListeners.push({ port: 80, addr: a('10.0.0.99'), responseBytes: 0 });
    streamInput(server, ipPacket(client, a('10.0.0.1'), a('10.0.0.2'), seg('syn')));
    streamInput(server, ipPacket(client, a('10.0.0.1'), a('10.0.0.2'), seg('syn', 81)));
    world.runFor(NS_PER_SECOND);
    expect(segs()).toEqual([]);
    server.streamListeners.push({ port: 81, addr: a('10.0.0.2'), responseBytes: 0 });
    streamInput(server, ipPacket(client, a('10.0.0.1'), a('10.0.0.2'), seg('syn', 81)));
    world.runFor(NS_PER_SECOND);
    expect(segs().map((s) => s.seg.flags)).toEqual(['syn-ack']);
  });

  it('non-TCP packets are not for the transport', () => {
    const sent: StreamSegment[] = [];
    const family: StreamFamily<number, { src: number; dst: number; body: { proto: string } }> = {
      any: 0,
      listeners: [{ port: 80, addr: 0, responseBytes: 1 }],
      clients: new Map(),
      send: (_s, _d, s) => void sent.push(s),
    };
    coreInput(family, { src: 1, dst: 2, body: { proto: 'icmp' } });
    expect(sent).toEqual([]);
  });
});

describe('the client (ftp -q)', () => {
  it('fetches a page: SYN, ACK + request, done on FIN; source from the route, ephemeral port', () => {
    const { client, server, segs } = pair();
    server.streamListeners.push({ port: 80, addr: a('0.0.0.0') as InAddr, responseBytes: 100 });
    expect(streamFetch(client, a('10.0.0.2'), 80, 10)).toEqual({ ok: true });
    const out = segs().filter((s) => s.pkt.src === a('10.0.0.1'));
    expect(out.map((s) => s.seg.flags)).toEqual(['syn', 'ack', 'data']);
    const port = out[0]!.seg.srcPort;
    expect(port).toBeGreaterThanOrEqual(49152);
    expect(port).toBeLessThan(65536);
    expect(out.every((s) => s.seg.srcPort === port && s.seg.dstPort === 80)).toBe(true);
    expect(out[2]!.seg.dataBytes).toBe(64);
    // The client is gone once the fetch returns.
    expect(client.streamClients.size).toBe(0);
  });

  it('no route: the connect error as ftp prints it', () => {
    const { client } = pair();
    expect(streamFetch(client, a('172.16.0.1'), 80, 10)).toEqual({
      ok: false,
      error: 'connect: EHOSTUNREACH',
    });
    expect(client.streamClients.size).toBe(0);
  });

  it('nobody answers: SYN retransmitted after 1, 2, 4 s, timed out after the idle time', () => {
    const { world, client, segs } = pair();
    const t0 = world.nowNs;
    expect(streamFetch(client, a('10.0.0.2'), 80, 10)).toEqual({ ok: false, error: 'timed out' });
    expect(world.nowNs - t0).toBe(10 * NS_PER_SECOND);
    const syns = segs().filter((s) => s.seg.flags === 'syn');
    expect(syns.length).toBe(4);
    expect(
      syns
        .slice(1)
        .map((s, i) => (s.atNs - syns[i]!.atNs) / NS_PER_SECOND)
        .slice(1),
    ).toEqual([2, 4]);
  });

  it('the source is the route ifa for a gateway route too', () => {
    const { client, server, segs } = pair();
    unwrap(
      rtAdd(client, {
        dst: a('172.16.0.0'),
        prefixLen: 16,
        gateway: { kind: 'addr', addr: a('10.0.0.2') },
        flags: ['GATEWAY'],
      }),
    );
    server.streamListeners.push({ port: 80, addr: a('0.0.0.0') as InAddr, responseBytes: 0 });
    streamFetch(client, a('172.16.0.1'), 80, 3);
    expect(segs()[0]?.pkt.src).toBe(a('10.0.0.1'));
  });

  it('retransmits keep the source of the first SYN when the route changes underneath', () => {
    const { world, client } = pair();
    const if1 = unwrap(ifCreate(client, 'shmif1'));
    unwrap(ifSetLinkstr(client, if1, 'bus2'));
    unwrap(inAddAddress(client, if1, { addr: a('10.1.0.1'), prefixLen: 24 }));
    const gwMac = 'b2:a0:00:00:77:01' as never;
    client.ifByName('shmif0')!.arp.setManual(a('10.0.0.254'), gwMac, { isStatic: true, published: false });
    if1.arp.setManual(a('10.1.0.254'), gwMac, { isStatic: true, published: false });
    unwrap(
      rtAdd(client, {
        dst: a('172.16.0.0'),
        prefixLen: 16,
        gateway: { kind: 'addr', addr: a('10.0.0.254') },
        flags: ['GATEWAY'],
      }),
    );
    world.after(1.5 * NS_PER_SECOND, () => {
      unwrap(
        rtChange(client, a('172.16.0.0'), 16, { ifp: if1, gateway: { kind: 'addr', addr: a('10.1.0.254') } }),
      );
    });
    streamFetch(client, a('172.16.0.1'), 80, 4);
    const syns = ['bus1', 'bus2'].flatMap((b) =>
      world
        .bus(b)
        .capture.flatMap((c) =>
          c.frame.payload.kind === 'ipv4' && c.frame.payload.body.proto === 'tcp'
            ? [[b, c.frame.payload.src]]
            : [],
        ),
    );
    expect(syns).toEqual([
      ['bus1', a('10.0.0.1')],
      ['bus1', a('10.0.0.1')],
      ['bus2', a('10.0.0.1')],
    ]);
  });

  it('gives up after TCP_MAXRXTSHIFT retransmits when the idle time is long', () => {
    const world = new NetWorld(2);
    const sent: StreamSegment[] = [];
    const family: StreamFamily<number, { src: number; dst: number; body: { proto: string } }> = {
      any: 0,
      listeners: [],
      clients: new Map(),
      send: () => undefined,
    };
    const out = coreFetch({ world }, family, 80, 1e9, (s) => {
      sent.push(s);
      return undefined;
    });
    expect(out).toEqual({ ok: false, error: 'timed out' });
    expect(sent.length).toBe(14);
    expect(world.nowNs).toBe((2 ** 13 - 1) * NS_PER_SECOND);
  });

  it('progress resets the idle clock; a SYN-ACK out of phase or a stray segment is ignored', () => {
    const world = new NetWorld(2);
    const sent: string[] = [];
    const family: StreamFamily<
      number,
      { src: number; dst: number; body: { proto: string } | StreamSegment }
    > = {
      any: 0,
      listeners: [],
      clients: new Map(),
      send: (_s, _d, s) => void sent.push(`send ${s.flags}`),
    };
    const reply = (flags: StreamSegment['flags'] | 'icmp', atNs: number) =>
      world.after(atNs, () => {
        const [port, client] = [...family.clients.entries()][0]!;
        const body = flags === 'icmp' ? { proto: 'icmp' } : { ...seg(flags, port, 80) };
        client({ src: 2, dst: 1, body });
      });
    reply('fin', 500_000_000);
    reply('syn-ack', 1_500_000_000);
    reply('syn-ack', 1_600_000_000);
    reply('icmp', 1_700_000_000);
    reply('fin', 2_500_000_000);
    const out = coreFetch({ world }, family, 80, 2, (s) => {
      sent.push(`connect ${s.flags}`);
      return undefined;
    });
    expect(out).toEqual({ ok: true });
    expect(sent).toEqual(['connect syn', 'connect syn', 'send ack', 'connect data']);
    expect(world.nowNs).toBe(2_500_000_000);
  });
});
