import { NS_PER_SECOND } from '../brand.ts';
import type { Errno } from './errno.ts';
import type { StreamSegment } from './frame.ts';
import type { Ipv6Packet } from './frame6.ts';
import type { Host } from './host.ts';
import { IN6_ANY, type In6Addr } from './in6.ts';
import { ip6Hooks, ip6Output, ip6Packet } from './ip6.ts';
import type { FetchOutcome } from './stream.ts';

/**
 * The request/response transport of stream.ts over IPv6 (tcp6_input / tcp6 output), for the
 * cases that fetch a page through an IPv6 router: handshake, one request, one response, FIN,
 * SYN/request retransmission on a 1 s doubling timer.
 */
const RTO_INITIAL_NS = NS_PER_SECOND;

interface Stream6State {
  readonly listeners: { readonly port: number; readonly addr: In6Addr; readonly responseBytes: number }[];
  readonly clients: Map<number, (pkt: Ipv6Packet) => void>;
}

const states = new WeakMap<Host, Stream6State>();

function stateOf(host: Host): Stream6State {
  let s = states.get(host);
  if (s === undefined) {
    s = { listeners: [], clients: new Map() };
    states.set(host, s);
  }
  return s;
}

/** A server listening on addr:port (the model's httpd on an IPv6 address). */
export function stream6Listen(host: Host, addr: In6Addr, port: number, responseBytes: number): void {
  stateOf(host).listeners.push({ port, addr, responseBytes });
}

function send(host: Host, src: In6Addr, dst: In6Addr, seg: StreamSegment): Errno | undefined {
  return ip6Output(host, ip6Packet(host, src, dst, seg));
}

function stream6Input(host: Host, pkt: Ipv6Packet): void {
  const seg = pkt.body;
  if (seg.proto !== 'tcp') return;
  const state = stateOf(host);
  const client = state.clients.get(seg.dstPort);
  if (client !== undefined) {
    client(pkt);
    return;
  }
  const listener = state.listeners.find(
    (l) => l.port === seg.dstPort && (l.addr === IN6_ANY || l.addr === pkt.dst),
  );
  if (listener === undefined) return;
  const reply = (flags: StreamSegment['flags'], dataBytes: number): void => {
    send(host, pkt.dst, pkt.src, {
      proto: 'tcp',
      srcPort: seg.dstPort,
      dstPort: seg.srcPort,
      flags,
      seq: seg.seq,
      dataBytes,
    });
  };
  if (seg.flags === 'syn') reply('syn-ack', 0);
  if (seg.flags === 'data') {
    reply('data', listener.responseBytes);
    reply('fin', 0);
  }
}

/** A client fetch over IPv6; gives up after idleTimeoutSeconds without progress (ftp -q). */
export function stream6Fetch(
  host: Host,
  dst: In6Addr,
  port: number,
  idleTimeoutSeconds: number,
): FetchOutcome {
  const state = stateOf(host);
  const srcPort = 49152 + host.world.random.below(16384);
  let phase: 'syn' | 'request' | 'done' = 'syn';
  let lastProgressNs = host.world.nowNs;
  let rtoNs = RTO_INITIAL_NS;
  const segment = (flags: StreamSegment['flags'], dataBytes: number): StreamSegment => ({
    proto: 'tcp',
    srcPort,
    dstPort: port,
    flags,
    seq: 0,
    dataBytes,
  });
  const transmit = (): Errno | undefined =>
    send(host, IN6_ANY, dst, phase === 'syn' ? segment('syn', 0) : segment('data', 64));
  state.clients.set(srcPort, (pkt) => {
    const seg = pkt.body;
    if (seg.proto !== 'tcp') return;
    lastProgressNs = host.world.nowNs;
    if (seg.flags === 'syn-ack' && phase === 'syn') {
      phase = 'request';
      send(host, pkt.dst, pkt.src, segment('ack', 0));
      transmit();
    } else if (seg.flags === 'fin' && phase === 'request') {
      phase = 'done';
    }
  });
  try {
    const error = transmit();
    if (error !== undefined) return { ok: false, error: `connect: ${error}` };
    const idleNs = idleTimeoutSeconds * NS_PER_SECOND;
    for (;;) {
      const idleLeftNs = lastProgressNs + idleNs - host.world.nowNs;
      if (host.world.runUntil(() => phase === 'done', Math.max(0, Math.min(rtoNs, idleLeftNs))))
        return { ok: true };
      if (host.world.nowNs - lastProgressNs >= idleNs) return { ok: false, error: 'timed out' };
      rtoNs *= 2;
      transmit();
    }
  } finally {
    state.clients.delete(srcPort);
  }
}

ip6Hooks.tcpInput = stream6Input;
