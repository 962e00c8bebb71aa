import { NS_PER_SECOND } from '../brand.ts';
import type { Errno } from './errno.ts';
import type { Ipv4Packet, StreamSegment } from './frame.ts';
import type { Host } from './host.ts';
import type { InAddr } from './inet.ts';
import { ipOutput, ipPacket, ipProtoHooks } from './ip.ts';

/**
 * Enough of TCP for the ATF cases that fetch a page through a router: a three-way
 * handshake, one request, one response, FIN, with SYN/request retransmission on a 1 s
 * doubling timer. Sequence numbers are segment counters; there is no window.
 */
const RTO_INITIAL_NS = NS_PER_SECOND;

function send(host: Host, src: InAddr, dst: InAddr, seg: StreamSegment): Errno | undefined {
  return ipOutput(host, ipPacket(host, src, dst, seg));
}

/** tcp_input for listeners and clients. */
export function streamInput(host: Host, pkt: Ipv4Packet): void {
  const seg = pkt.body;
  if (seg.proto !== 'tcp') return;
  const client = host.streamClients.get(seg.dstPort);
  if (client !== undefined) {
    client(pkt);
    return;
  }
  const listener = host.streamListeners.find(
    (l) => l.port === seg.dstPort && (l.addr === 0 || l.addr === pkt.dst),
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

export interface FetchOutcome {
  readonly ok: boolean;
  /** What ftp(1) prints on failure. */
  readonly error?: string;
}

/**
 * A client fetch: connect, send a request of requestBytes, wait for the response and FIN.
 * Gives up when nothing arrives for idleTimeoutSeconds (ftp -q). Drives the world clock.
 */
export function streamFetch(host: Host, dst: InAddr, port: number, idleTimeoutSeconds: number): FetchOutcome {
  const srcPort = 49152 + (host.world.random.below(16384) | 0);
  let phase: 'syn' | 'request' | 'done' = 'syn';
  let lastProgressNs = host.world.nowNs;
  let rtoNs = RTO_INITIAL_NS;
  let src: InAddr | undefined;
  const segment = (flags: StreamSegment['flags'], dataBytes: number): StreamSegment => ({
    proto: 'tcp',
    srcPort,
    dstPort: port,
    flags,
    seq: 0,
    dataBytes,
  });
  const transmit = (): Errno | undefined => {
    const seg = phase === 'syn' ? segment('syn', 0) : segment('data', 64);
    const pkt = ipPacket(host, src ?? (0 as InAddr), dst, seg);
    src ??= host.rt4.lookup(dst)?.ifa;
    return ipOutput(host, { ...pkt, src: src ?? pkt.src });
  };
  host.streamClients.set(srcPort, (pkt) => {
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
      const done = host.world.runUntil(() => phase === 'done', Math.max(0, Math.min(rtoNs, idleLeftNs)));
      if (done) return { ok: true };
      if (host.world.nowNs - lastProgressNs >= idleNs) return { ok: false, error: 'timed out' };
      rtoNs *= 2;
      transmit();
    }
  } finally {
    host.streamClients.delete(srcPort);
  }
}

ipProtoHooks.tcpInput = streamInput;
