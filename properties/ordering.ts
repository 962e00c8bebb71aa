import type { Trace } from '../model/trace.ts';
import { PacketTable } from './packet-table.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const FLOW_ORDER = 'flow-order';

/** The highest sequence number seen in one ordering domain, and where (updated in place). */
interface LastSeen {
  seq: number;
  index: number;
}

/** One stage (a protocol's handler, or delivery): its packets judged and each ordering domain's last. */
interface Stage {
  readonly name: string;
  readonly judged: PacketTable<true>;
  /** flow -> (arrival hash, ring) -> last seen (see `domainKey`). */
  readonly last: PacketTable<Map<number | string, LastSeen>>;
}

const stage = (name: string): Stage => ({ name, judged: new PacketTable(), last: new PacketTable() });

/** Rings are numbered below this (RSS_MAXCPUS rings at most), so (hash, ring) packs into one number. */
const RING_SLOTS = 128;

/**
 * The ordering domain as a map key: a 32-bit hash as a signed 32-bit integer times the ring slots
 * plus the ring (an exact integer, no boxed key per event); anything else (a hand-written trace)
 * as text, which no integer equals.
 */
function domainKey(hash: number, ring: number): number | string {
  const intHash = Number.isInteger(hash) && hash >= 0 && hash < 2 ** 32;
  const intRing = Number.isInteger(ring) && ring >= 0 && ring < RING_SLOTS;
  return intHash && intRing ? (hash | 0) * RING_SLOTS + ring : `${hash}|${ring}`;
}

function domainOf(st: Stage, flow: number): Map<number | string, LastSeen> {
  let byHash = st.last.get(flow);
  if (byHash === undefined) {
    byHash = new Map();
    st.last.set(flow, byHash);
  }
  return byHash;
}

/**
 * Flow order (N-20, INV-ORDER): packets of one flow that carry the same NIC hash reach each
 * protocol handler, and the upper layer, in the order they arrived on their ring, whatever the
 * schedule. A fragment hashed on its 2-tuple is a different ordering domain, so the key is
 * (flow, arrival hash, ring, stage): when the NIC moves a flow to another ring (ethtool -X, lagg
 * failover), the packets still on the old ring may be overtaken before the stack sees them, which
 * no dispatch policy can prevent. What a policy can prevent is judged by `checkDispatchOrder`.
 *
 * Only the first `handle` of a packet by a protocol and its first `deliver` count: a packet that
 * passes a protocol twice (re-injection after decapsulation) is judged once, and duplicates are
 * the conservation checker's business (no-drop-below-limit). Packets without an `arrive` event
 * (a reassembled datagram) have no arrival order and are skipped.
 */
export function checkFlowOrder(trace: Trace): readonly Violation[] {
  const arrivalHash = new PacketTable<number>();
  const arrivalRing = new PacketTable<number>();
  const deliver = stage('deliver');
  const handlers = new Map<string, Stage>();
  const out: Violation[] = [];
  for (let index = 0; index < trace.length && out.length < VIOLATIONS_MAX; index++) {
    const ev = trace[index];
    if (ev === undefined) continue;
    if (ev.kind === 'arrive') {
      arrivalHash.set(ev.pkt, ev.hash);
      arrivalRing.set(ev.pkt, ev.ring);
      continue;
    }
    if (ev.kind !== 'handle' && ev.kind !== 'deliver') continue;
    const hash = arrivalHash.get(ev.pkt);
    if (hash === undefined) continue;
    const st = ev.kind === 'handle' ? handlerStage(handlers, ev.proto) : deliver;
    if (st.judged.has(ev.pkt)) continue;
    st.judged.set(ev.pkt, true);
    const domain = domainOf(st, ev.flow);
    const key = domainKey(hash, arrivalRing.get(ev.pkt) ?? 0);
    const prev = domain.get(key);
    if (prev !== undefined && ev.seq < prev.seq) {
      out.push({
        property: FLOW_ORDER,
        rule: ev.kind === 'handle' ? 'N-20' : 'INV-ORDER',
        events: [prev.index, index],
        message: `flow ${ev.flow} at ${st.name} on cpu ${ev.cpu}: got seq ${ev.seq} after seq ${prev.seq}`,
      });
    }
    if (prev === undefined) domain.set(key, { seq: ev.seq, index });
    else if (ev.seq > prev.seq) {
      prev.seq = ev.seq;
      prev.index = index;
    }
  }
  // One reorder is reported once: the dispatch-order check speaks when arrival order held.
  return out.length > 0 ? out : checkDispatchOrder(trace);
}

/**
 * Dispatch order (N-20): once a packet of a flow has been handed to netisr_dispatch for a protocol,
 * no later-dispatched packet of that flow (same arrival hash) is handled by it first. This is what
 * a flow entering on several CPUs (RSS table rewrite, migrating tun writer, lagg failover) tests:
 * a packet run inline on a CPU whose queue still holds earlier packets of its flow breaks it.
 */
export function checkDispatchOrder(trace: Trace): readonly Violation[] {
  // Numeric keys: a (flow, arrival hash) pair and a protocol each get a small number, so the
  // per-event lookups build no strings (this checker runs on every fuzz run).
  const pairIds: PairIds = { ids: new Map(), next: 0 };
  const protoIds = new Map<string, number>();
  const pairOf = new PacketTable<number>();
  const dispatched = new Map<number, number>();
  // Per protocol, by packet id (dense: arrays, not hash maps that outgrow the caches on long traces).
  const rankOf: PacketTable<number>[] = [];
  const handledOnce: PacketTable<boolean>[] = [];
  const lastHandled = new Map<number, { rank: number; seq: number; index: number }>();
  const out: Violation[] = [];
  for (let index = 0; index < trace.length && out.length < VIOLATIONS_MAX; index++) {
    const ev = trace[index];
    if (ev === undefined) continue;
    if (ev.kind === 'arrive') pairOf.set(ev.pkt, pairId(pairIds, ev.flow, ev.hash));
    if (ev.kind !== 'dispatch' && ev.kind !== 'handle') continue;
    const pair = pairOf.get(ev.pkt);
    if (pair === undefined) continue;
    let proto = protoIds.get(ev.proto);
    if (proto === undefined) {
      proto = protoIds.size;
      protoIds.set(ev.proto, proto);
      rankOf.push(new PacketTable());
      handledOnce.push(new PacketTable());
    }
    const domain = pair * PROTO_KEYS + proto;
    const ranks = rankOf[proto] as PacketTable<number>;
    if (ev.kind === 'dispatch') {
      if (ranks.has(ev.pkt)) continue;
      const n = (dispatched.get(domain) ?? 0) + 1;
      dispatched.set(domain, n);
      ranks.set(ev.pkt, n);
      continue;
    }
    const r = ranks.get(ev.pkt);
    const handled = handledOnce[proto] as PacketTable<boolean>;
    // Only a packet's first pass through a protocol counts (re-injection after decapsulation
    // hands it to ip_input again, as checkFlowOrder also judges once).
    if (r === undefined || handled.has(ev.pkt)) continue;
    handled.set(ev.pkt, true);
    const prev = lastHandled.get(domain);
    if (prev !== undefined && r < prev.rank) {
      out.push({
        property: FLOW_ORDER,
        rule: 'N-20',
        events: [prev.index, index],
        message: `flow ${ev.flow} at ${ev.proto}_input on cpu ${ev.cpu}: seq ${ev.seq} handled after seq ${prev.seq}, which was dispatched later`,
      });
    }
    if (prev === undefined || r > prev.rank) lastHandled.set(domain, { rank: r, seq: ev.seq, index });
  }
  return out;
}

/** Room for protocol numbers in a numeric key (a trace names a handful of protocols). */
const PROTO_KEYS = 256;

/** A small number per (flow, arrival hash) pair, in order of first arrival. */
function pairId(pairs: PairIds, flow: number, hash: number): number {
  let byHash = pairs.ids.get(flow);
  if (byHash === undefined) {
    byHash = new Map();
    pairs.ids.set(flow, byHash);
  }
  let id = byHash.get(hash);
  if (id === undefined) {
    id = pairs.next++;
    byHash.set(hash, id);
  }
  return id;
}

interface PairIds {
  readonly ids: Map<number, Map<number, number>>;
  next: number;
}

function handlerStage(handlers: Map<string, Stage>, proto: string): Stage {
  let st = handlers.get(proto);
  if (st === undefined) {
    st = stage(`${proto}_input`);
    handlers.set(proto, st);
  }
  return st;
}

export const flowOrder: PropertySpec = {
  name: FLOW_ORDER,
  rules: ['N-20', 'INV-ORDER', 'I-5'],
  summary: 'packets of one flow are handled and delivered in arrival order, under any schedule',
  check: checkFlowOrder,
};
