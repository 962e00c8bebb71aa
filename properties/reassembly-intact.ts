import { type ArriveFragment, packetText, type ReassembledEvent, type Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import type { PropertySpec } from './registry.ts';
import { SenderDigest } from './sender-payload.ts';
import { eventsOfKind, holdsAnyKind } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const DATAGRAM_INTACT = 'datagram-intact';

interface Sent {
  readonly index: number;
  readonly flow: number;
  readonly frag: ArriveFragment;
}

/**
 * Datagram intact (F-2, F-19, RFC 5722): a reassembled datagram is built from fragments of one
 * sender datagram (F-2 key), its pieces tile the payload in offset order and each lies inside the
 * fragment it came from, its bytes are the bytes those pieces carried, and when every piece is the
 * sender's own (no forged overlap) it equals what was sent, byte for byte. An IPv6 datagram never
 * contains overlapping fragments (RFC 5722: an overlap drops the datagram). A fragment ends up in
 * at most one datagram and a datagram is delivered at most once; ips_reassembled and
 * ip6s_reassembled count exactly the datagrams (F-20).
 */
export function checkDatagramIntact(trace: Trace): readonly Violation[] {
  if (!holdsAnyKind(trace, ['reassembled'])) return snapshotCounts(trace);
  const sent = new Map<number, Sent>();
  const used = new Map<number, number>();
  const delivered = new Map<number, number>();
  const datagrams = new Set<number>();
  const reassembled = { inet: 0, inet6: 0 };
  const out: Violation[] = [];
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'arrive' && ev.frag !== undefined)
      sent.set(ev.pkt, { index: i, flow: ev.flow, frag: ev.frag });
    else if (kind === 'counters') out.push(...countFaults(ev.stats, reassembled, i));
    else if (kind === 'reassembled') {
      reassembled[ev.family]++;
      datagrams.add(ev.pkt);
      out.push(...datagramFaults(ev, i, sent, used));
    } else if (kind === 'deliver' && datagrams.has(ev.pkt)) {
      const first = delivered.get(ev.pkt);
      if (first !== undefined) out.push(v('INV-CONSERVE', [first, i], `datagram ${ev.pkt} delivered twice`));
      else delivered.set(ev.pkt, i);
    }
  }
  return out.slice(0, VIOLATIONS_MAX);
}

/** A trace with no datagram reassembled: only its snapshots are read, each must count none (F-20). */
function snapshotCounts(trace: Trace): readonly Violation[] {
  const none = { inet: 0, inet6: 0 };
  const out: Violation[] = [];
  for (const i of eventsOfKind(trace, 'counters')) {
    const ev = trace[i];
    if (out.length >= VIOLATIONS_MAX) break;
    if (ev?.kind === 'counters') out.push(...countFaults(ev.stats, none, i));
  }
  return out.slice(0, VIOLATIONS_MAX);
}

/** F-20: ips_reassembled and ip6s_reassembled count the datagrams the trace shows, at every snapshot. */
function countFaults(
  stats: Readonly<Record<string, number>>,
  seen: { inet: number; inet6: number },
  i: number,
): Violation[] {
  const out: Violation[] = [];
  for (const [name, count] of [
    ['ips_reassembled', seen.inet],
    ['ip6s_reassembled', seen.inet6],
  ] as const) {
    const value = stats[name] ?? 0;
    if (value !== count)
      out.push(v('F-20', [i], `${name} is ${value} at snapshot, the trace shows ${count} datagrams`));
  }
  return out;
}

const v = (rule: ViolationRule, events: number[], message: string): Violation => ({
  property: DATAGRAM_INTACT,
  rule,
  events,
  message,
});

function datagramFaults(
  ev: ReassembledEvent,
  i: number,
  sent: ReadonlyMap<number, Sent>,
  used: Map<number, number>,
): Violation[] {
  const out: Violation[] = [];
  const frags: Sent[] = [];
  for (const pkt of ev.fragments) {
    const s = sent.get(pkt);
    if (s === undefined) return [v('F-19', [i], `${ev.datagram}: fragment ${pkt} never arrived`)];
    frags.push(s);
    const before = used.get(pkt);
    if (before !== undefined)
      out.push(v('INV-CONSERVE', [before, i], `fragment ${pkt} is part of two datagrams`));
    used.set(pkt, i);
  }
  const sources = new Set(frags.map((s) => s.frag.datagram));
  if (sources.size > 1) {
    out.push(
      v(
        'F-2',
        [i],
        `${ev.datagram} built from fragments of ${sources.size} datagrams: ${[...sources].join(' + ')}`,
      ),
    );
  }
  out.push(...pieceFaults(ev, i, sent));
  if (ev.family === 'inet6') out.push(...overlapFaults(ev, i, frags));
  const own = frags.every((s) => s.frag.contentVersion === 0 && s.flow === frags[0]?.flow);
  const first = frags[0]?.frag;
  if (own && sources.size === 1 && first !== undefined) {
    if (ev.payloadBytes !== first.datagramBytes || ev.payloadDigest !== first.datagramDigest) {
      out.push(
        v(
          'INV-REASM',
          [i],
          `${ev.datagram}: delivered ${ev.payloadBytes} bytes (digest ${ev.payloadDigest}), sent ${first.datagramBytes} bytes (digest ${first.datagramDigest})`,
        ),
      );
    }
  }
  return out;
}

/** F-19: pieces tile 0 .. payloadBytes in order, inside their fragments, carrying their bytes. */
function pieceFaults(ev: ReassembledEvent, i: number, sent: ReadonlyMap<number, Sent>): Violation[] {
  let next = 0;
  const digest = new SenderDigest();
  for (const p of ev.pieces) {
    const s = sent.get(p.pkt);
    if (s === undefined || !ev.fragments.includes(p.pkt))
      return [
        v('F-19', [i], `${ev.datagram}: piece from packet ${packetText(p.pkt)}, not one of its fragments`),
      ];
    const f = s.frag;
    if (p.offsetBytes !== next)
      return [v('F-19', [i], `${ev.datagram}: piece of fragment ${p.pkt} at ${p.offsetBytes}, want ${next}`)];
    if (
      p.lengthBytes <= 0 ||
      p.offsetBytes < f.offsetBytes ||
      p.offsetBytes + p.lengthBytes > f.offsetBytes + f.lengthBytes
    ) {
      return [
        v(
          'F-19',
          [i],
          `${ev.datagram}: piece ${p.offsetBytes}+${p.lengthBytes} outside fragment ${p.pkt} (${f.offsetBytes}+${f.lengthBytes})`,
        ),
      ];
    }
    digest.addPiece(s.flow, f.ipId, f.contentVersion, p.offsetBytes, p.lengthBytes);
    next += p.lengthBytes;
  }
  if (next !== ev.payloadBytes)
    return [v('F-19', [i], `${ev.datagram}: pieces cover ${next} bytes of ${ev.payloadBytes}`)];
  if (digest.value !== ev.payloadDigest) {
    return [
      v('F-19', [i], `${ev.datagram}: payload digest ${ev.payloadDigest}, its pieces carry ${digest.value}`),
    ];
  }
  return [];
}

/** RFC 5722: the fragments of an IPv6 datagram, as sent, never overlap. */
function overlapFaults(ev: ReassembledEvent, i: number, frags: readonly Sent[]): Violation[] {
  const sorted = [...frags].sort((a, b) => a.frag.offsetBytes - b.frag.offsetBytes);
  for (let k = 1; k < sorted.length; k++) {
    const a = sorted[k - 1];
    const b = sorted[k];
    if (a !== undefined && b !== undefined && a.frag.offsetBytes + a.frag.lengthBytes > b.frag.offsetBytes) {
      return [
        v(
          'RFC5722',
          [a.index, b.index, i],
          `${ev.datagram} delivered with overlapping fragments ${a.frag.offsetBytes}+${a.frag.lengthBytes} and ${b.frag.offsetBytes}+${b.frag.lengthBytes}`,
        ),
      ];
    }
  }
  return [];
}

export const datagramIntact: PropertySpec = {
  name: DATAGRAM_INTACT,
  rules: ['F-2', 'F-19', 'F-20', 'RFC5722', 'INV-REASM', 'INV-CONSERVE'],
  summary: summaryOf(DATAGRAM_INTACT),
  check: checkDatagramIntact,
};
