import { describe, expect, it } from 'vitest';
import type { ArriveFragment, ReassembledPiece, TraceEvent } from '../model/trace.ts';
import { checkDatagramIntact } from './reassembly-intact.ts';
import { SenderDigest } from './sender-payload.ts';
import { arrive, counters, deliver, frag, reassembled, withHole } from './test/trace-builder.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'datagram-intact',
  rule,
  events,
  message,
});

/** The sender's bytes [from, to) of flow 0, ip id 1, version 0 (what an honest piece carries). */
function digest(from: number, to: number, version = 0): number {
  const d = new SenderDigest();
  d.addPiece(0, 1, version, from, to - from);
  return d.value;
}
const SENT = digest(0, 16);

const fragOf = (offsetBytes: number, f: Partial<ArriveFragment> = {}) =>
  frag({ offsetBytes, lengthBytes: 8, datagramBytes: 16, datagramDigest: SENT, datagram: 'dg', ...f });
const piece = (pkt: number, offsetBytes: number, lengthBytes = 8) =>
  ({ pkt, offsetBytes, lengthBytes }) as ReassembledPiece;

/** Two fragments 0+8 and 8+8 of one sender datagram, and the datagram they make. */
function datagram(
  r: Parameters<typeof reassembled>[0] = {},
  f1: Partial<ArriveFragment> = {},
  f2: Partial<ArriveFragment> = {},
): TraceEvent[] {
  return [
    arrive({ pkt: 1, fragment: true, frag: fragOf(0, { moreFragments: true, ...f1 }) }),
    arrive({ pkt: 2, fragment: true, frag: fragOf(8, f2) }),
    reassembled({
      pkt: 100,
      datagram: 'dg',
      fragments: [1, 2],
      pieces: [piece(1, 0), piece(2, 8)],
      payloadBytes: 16,
      payloadDigest: SENT,
      ...r,
    }),
  ];
}

describe('datagram-intact rules (F-2, F-19, F-20, RFC 5722, INV-REASM, INV-CONSERVE)', () => {
  it('an empty trace passes; an honest datagram, delivered once and counted, passes', () => {
    expect(checkDatagramIntact([])).toEqual([]);
    const t = [...datagram(), deliver({ pkt: 100 }), counters({ ips_reassembled: 1, ip6s_reassembled: 0 })];
    expect(checkDatagramIntact(t)).toEqual([]);
    expect(
      checkDatagramIntact([...datagram({ family: 'inet6' }), counters({ ip6s_reassembled: 1 })]),
    ).toEqual([]);
  });

  it('F-20: ips_reassembled and ip6s_reassembled count the datagrams', () => {
    expect(checkDatagramIntact([counters({ ips_reassembled: 1 })])).toEqual([
      viol('F-20', [0], 'ips_reassembled is 1 at snapshot, the trace shows 0 datagrams'),
    ]);
    expect(
      checkDatagramIntact([...datagram(), counters({ ips_reassembled: 1, ip6s_reassembled: 1 })]),
    ).toEqual([viol('F-20', [3], 'ip6s_reassembled is 1 at snapshot, the trace shows 0 datagrams')]);
    expect(checkDatagramIntact([...datagram(), counters({})])).toEqual([
      viol('F-20', [3], 'ips_reassembled is 0 at snapshot, the trace shows 1 datagrams'),
    ]);
  });

  it('INV-CONSERVE: a datagram delivered twice; a plain packet delivered twice is not judged', () => {
    const t = [...datagram(), deliver({ pkt: 100 }), deliver({ pkt: 100 })];
    expect(checkDatagramIntact(t)).toEqual([viol('INV-CONSERVE', [3, 4], 'datagram 100 delivered twice')]);
    expect(checkDatagramIntact([deliver({ pkt: 100 }), deliver({ pkt: 100 })])).toEqual([]);
  });

  it('F-19: a fragment that never arrived, reported alone', () => {
    const t = datagram({ fragments: [1, 2, 3] });
    expect(checkDatagramIntact(t)).toEqual([viol('F-19', [2], 'dg: fragment 3 never arrived')]);
  });

  it('F-19: a whole packet (no fragment header) is not a fragment of the datagram', () => {
    const t = [arrive({ pkt: 3 }), ...datagram({ fragments: [1, 2, 3] })];
    expect(checkDatagramIntact(t)).toEqual([viol('F-19', [3], 'dg: fragment 3 never arrived')]);
  });

  it('skips holes in a trace', () => {
    expect(checkDatagramIntact(withHole(counters({ ips_reassembled: 1 })))[0]?.events).toEqual([1]);
  });

  it('INV-CONSERVE: a fragment in two datagrams', () => {
    const t = [...datagram(), datagram({ pkt: 101 })[2] as TraceEvent];
    expect(checkDatagramIntact(t)).toEqual([
      viol('INV-CONSERVE', [2, 3], 'fragment 1 is part of two datagrams'),
      viol('INV-CONSERVE', [2, 3], 'fragment 2 is part of two datagrams'),
    ]);
  });

  it('F-2: fragments of two sender datagrams', () => {
    const t = datagram({}, { datagramDigest: 3 }, { datagram: 'other' });
    expect(checkDatagramIntact(t)).toEqual([
      viol('F-2', [2], 'dg built from fragments of 2 datagrams: dg + other'),
    ]);
  });

  it('F-19: a piece from a packet that is not one of the fragments', () => {
    const t = datagram({ fragments: [1], pieces: [piece(1, 0), piece(2, 8)] });
    expect(checkDatagramIntact(t)).toEqual([
      viol('F-19', [2], 'dg: piece from packet 2, not one of its fragments'),
    ]);
    const unknown = datagram({ pieces: [piece(1, 0), piece(9, 8)] });
    expect(checkDatagramIntact(unknown)).toEqual([
      viol('F-19', [2], 'dg: piece from packet 9, not one of its fragments'),
    ]);
  });

  it('F-19: pieces out of order or with a gap', () => {
    const t = datagram({ pieces: [piece(1, 0), piece(2, 9, 7)] });
    expect(checkDatagramIntact(t)).toEqual([viol('F-19', [2], 'dg: piece of fragment 2 at 9, want 8')]);
  });

  it('F-19: an empty piece, or one outside its fragment; at its edges passes', () => {
    const out = (p: ReassembledPiece[]) => checkDatagramIntact(datagram({ pieces: p }));
    expect(out([piece(1, 0), piece(2, 8, 0), piece(2, 8)])).toEqual([
      viol('F-19', [2], 'dg: piece 8+0 outside fragment 2 (8+8)'),
    ]);
    expect(out([piece(1, 0, 4), piece(2, 4, 12)])).toEqual([
      viol('F-19', [2], 'dg: piece 4+12 outside fragment 2 (8+8)'),
    ]);
    expect(out([piece(1, 0, 9), piece(2, 9, 7)])).toEqual([
      viol('F-19', [2], 'dg: piece 0+9 outside fragment 1 (0+8)'),
    ]);
    expect(out([piece(1, 0, 7), piece(2, 7, 9)])).toEqual([
      viol('F-19', [2], 'dg: piece 7+9 outside fragment 2 (8+8)'),
    ]);
    expect(out([piece(1, 0, 1), piece(1, 1, 7), piece(2, 8)])).toEqual([]);
  });

  it('F-19: pieces that cover less than the payload', () => {
    // Forged bytes (content version 1) keep INV-REASM out of it.
    const t = datagram({ pieces: [piece(1, 0)], payloadDigest: digest(0, 8, 1) }, { contentVersion: 1 });
    expect(checkDatagramIntact(t)).toEqual([viol('F-19', [2], 'dg: pieces cover 8 bytes of 16')]);
  });

  it('F-19: a payload digest other than the bytes its pieces carry', () => {
    const t = datagram({ payloadDigest: 5 }, { contentVersion: 1 });
    const carried = new SenderDigest();
    carried.addPiece(0, 1, 1, 0, 8);
    carried.addPiece(0, 1, 0, 8, 8);
    expect(checkDatagramIntact(t)).toEqual([
      viol('F-19', [2], `dg: payload digest 5, its pieces carry ${carried.value}`),
    ]);
  });

  it('INV-REASM: honest pieces but a size or digest other than what was sent', () => {
    expect(checkDatagramIntact(datagram({}, { datagramBytes: 17 }))).toEqual([
      viol('INV-REASM', [2], `dg: delivered 16 bytes (digest ${SENT}), sent 17 bytes (digest ${SENT})`),
    ]);
    expect(checkDatagramIntact(datagram({}, { datagramDigest: 3 }))).toEqual([
      viol('INV-REASM', [2], `dg: delivered 16 bytes (digest ${SENT}), sent 16 bytes (digest 3)`),
    ]);
  });

  it('near miss for INV-REASM: forged bytes, or fragments of two flows, are not compared with the sender', () => {
    expect(checkDatagramIntact(datagram({}, { datagramDigest: 3, contentVersion: 1 }).slice(1))).toEqual([
      viol('F-19', [1], 'dg: fragment 1 never arrived'),
    ]);
    const forged = new SenderDigest();
    forged.addPiece(0, 1, 1, 0, 8);
    forged.addPiece(0, 1, 0, 8, 8);
    expect(
      checkDatagramIntact(
        datagram({ payloadDigest: forged.value }, { contentVersion: 1, datagramDigest: 3 }),
      ),
    ).toEqual([]);
    const t = datagram({}, { datagramDigest: 3 });
    const moved = [
      arrive({ pkt: 1, flow: 0, fragment: true, frag: fragOf(0, { datagramDigest: 3 }) }),
      t[1],
      t[2],
    ];
    const twoFlows = [
      moved[0],
      arrive({ pkt: 2, flow: 5, fragment: true, frag: fragOf(8) }),
      t[2],
    ] as TraceEvent[];
    const d = new SenderDigest();
    d.addPiece(0, 1, 0, 0, 8);
    d.addPiece(5, 1, 0, 8, 8);
    (twoFlows[2] as { payloadDigest: number }).payloadDigest = d.value;
    expect(checkDatagramIntact(twoFlows)).toEqual([]);
  });

  it('RFC 5722: an IPv6 datagram delivered with overlapping fragments; adjacent ones pass; IPv4 may overlap', () => {
    const overlap = (family: 'inet' | 'inet6') =>
      checkDatagramIntact(datagram({ family, pieces: [piece(1, 0, 8), piece(2, 8)] }, { lengthBytes: 9 }));
    expect(overlap('inet6')).toEqual([
      viol('RFC5722', [0, 1, 2], 'dg delivered with overlapping fragments 0+9 and 8+8'),
    ]);
    expect(overlap('inet')).toEqual([]);
    expect(checkDatagramIntact(datagram({ family: 'inet6' }))).toEqual([]);
  });

  it('RFC 5722 sorts fragments by offset before comparing', () => {
    const t = datagram({ family: 'inet6', fragments: [2, 1] }, { lengthBytes: 9 });
    expect(checkDatagramIntact(t).map((v) => v.events)).toEqual([[0, 1, 2]]);
  });

  it('stops at VIOLATIONS_MAX', () => {
    const bad = Array.from({ length: 70 }, () => counters({ ips_reassembled: 1, ip6s_reassembled: 1 }));
    expect(checkDatagramIntact(bad)).toHaveLength(64);
    const single = Array.from({ length: 63 }, () => counters({ ips_reassembled: 1 }));
    const two = checkDatagramIntact([...single, counters({ ips_reassembled: 1, ip6s_reassembled: 1 })]);
    expect(two).toHaveLength(64);
    expect(two[63]?.message).toBe('ips_reassembled is 1 at snapshot, the trace shows 0 datagrams');
  });
});
