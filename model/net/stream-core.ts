import { NS_PER_SECOND } from '../brand.ts';
import type { Errno } from './errno.ts';
import type { StreamSegment } from './wire.ts';

/**
 * Enough of TCP for the ATF cases that fetch a page through a router, for either address
 * family: a three-way handshake, one request, one response, FIN, with SYN/request retransmission
 * on a 1 s doubling timer. Sequence numbers are segment counters; there is no window.
 */
const RTO_INITIAL_NS = NS_PER_SECOND;
/** TCP_MAXRXTSHIFT (netinet/tcp_timer.h): a connection gives up after this many retransmits. */
const TCP_MAXRXTSHIFT = 12;

/** A packet of either family as the transport sees it. */
export interface StreamPacket<A> {
  readonly src: A;
  readonly dst: A;
  readonly body: { readonly proto: string };
}

export interface StreamListener<A> {
  readonly port: number;
  readonly addr: A;
  readonly responseBytes: number;
}

/** What one address family gives the transport: its output, wildcard, listeners and clients. */
export interface StreamFamily<A, P extends StreamPacket<A>> {
  readonly any: A;
  readonly listeners: StreamListener<A>[];
  readonly clients: Map<number, (pkt: P) => void>;
  send(src: A, dst: A, seg: StreamSegment): Errno | undefined;
}

const isSegment = (body: { readonly proto: string }): body is StreamSegment => body.proto === 'tcp';

/** tcp_input / tcp6_input: a segment for a client, or one a listener answers. */
export function streamInput<A, P extends StreamPacket<A>>(family: StreamFamily<A, P>, pkt: P): void {
  const seg = pkt.body;
  if (!isSegment(seg)) return;
  const client = family.clients.get(seg.dstPort);
  if (client !== undefined) {
    client(pkt);
    return;
  }
  const listener = family.listeners.find(
    (l) => l.port === seg.dstPort && (l.addr === family.any || l.addr === pkt.dst),
  );
  if (listener === undefined) return;
  const reply = (flags: StreamSegment['flags'], dataBytes: number): void => {
    family.send(pkt.dst, pkt.src, {
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

/** What a fetch needs of its host's world: virtual time, a way to run it, seeded choices. */
export interface StreamHost {
  readonly world: {
    readonly nowNs: number;
    readonly random: { below(bound: number): number };
    runUntil(done: () => boolean, deltaNs: number): boolean;
  };
}

export interface FetchOutcome {
  readonly ok: boolean;
  /** What ftp(1) prints on failure. */
  readonly error?: string;
}

/**
 * A client fetch: connect, send a request, wait for the response and FIN. Gives up when nothing
 * arrives for idleTimeoutSeconds (ftp -q). Drives the world clock. `connect` sends the client's
 * SYN or request to the server (choosing the source address as the family does).
 */
export function streamFetch<A, P extends StreamPacket<A>>(
  host: StreamHost,
  family: StreamFamily<A, P>,
  port: number,
  idleTimeoutSeconds: number,
  connect: (seg: StreamSegment) => Errno | undefined,
): FetchOutcome {
  const srcPort = 49152 + (host.world.random.below(16384) | 0);
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
    connect(phase === 'syn' ? segment('syn', 0) : segment('data', 64));
  family.clients.set(srcPort, (pkt) => {
    if (!isSegment(pkt.body)) return;
    lastProgressNs = host.world.nowNs;
    if (pkt.body.flags === 'syn-ack' && phase === 'syn') {
      phase = 'request';
      family.send(pkt.dst, pkt.src, segment('ack', 0));
      transmit();
    } else if (pkt.body.flags === 'fin' && phase === 'request') {
      phase = 'done';
    }
  });
  try {
    const error = transmit();
    if (error !== undefined) return { ok: false, error: `connect: ${error}` };
    const idleNs = idleTimeoutSeconds * NS_PER_SECOND;
    for (let retransmits = 0; retransmits <= TCP_MAXRXTSHIFT; retransmits++) {
      const idleLeftNs = lastProgressNs + idleNs - host.world.nowNs;
      const done = host.world.runUntil(() => phase === 'done', Math.max(0, Math.min(rtoNs, idleLeftNs)));
      if (done) return { ok: true };
      if (host.world.nowNs - lastProgressNs >= idleNs) return { ok: false, error: 'timed out' };
      rtoNs *= 2;
      transmit();
    }
    return { ok: false, error: 'timed out' };
  } finally {
    family.clients.delete(srcPort);
  }
}
