import { assert } from '../model/brand.ts';
import type {
  ArriveEvent,
  DeliverEvent,
  DispatchEvent,
  HandleEvent,
  Trace,
  TraceEvent,
} from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { PacketTable } from './packet-table.ts';
import type { PropertySpec } from './registry.ts';
import { packetsNumbered } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const FLOW_ORDER = 'flow-order';

/** Rings are numbered below this (RSS_MAXCPUS rings at most), so (hash, ring) packs into one number. */
const RING_SLOTS = 128;

/**
 * The ordering domain's (hash, ring) part as a map key: a 32-bit hash as a signed 32-bit integer
 * times the ring slots plus the ring (an exact integer, no boxed key per event); anything else (a
 * hand-written trace) as text, which no integer equals.
 */
function hashRingKey(hash: number, ring: number): number | string {
  const intHash = Number.isInteger(hash) && hash >= 0 && hash < 2 ** 32;
  const intRing = Number.isInteger(ring) && ring >= 0 && ring < RING_SLOTS;
  return intHash && intRing ? (hash | 0) * RING_SLOTS + ring : `${hash}|${ring}`;
}

/**
 * Small dense numbers for the keys of one trace (a key of two parts: first, then second), in order
 * of first use, so the per-event state lives in arrays indexed by them.
 */
class KeyIds<K> {
  readonly #ids = new Map<number, Map<K, number>>();
  #next = 0;

  of(first: number, second: K): number {
    let bySecond = this.#ids.get(first);
    if (bySecond === undefined) {
      bySecond = new Map();
      this.#ids.set(first, bySecond);
    }
    let id = bySecond.get(second);
    if (id === undefined) {
      id = this.#next++;
      bySecond.set(second, id);
    }
    return id;
  }
}

/** A packet handled under another flow than it arrived with (a hand-written trace): that flow's domain. */
function otherFlowDomain(
  domains: KeyIds<number | string>,
  flow: number,
  arrival: TraceEvent | undefined,
): number {
  assert(arrival?.kind === 'arrive', 'flow-order: a packet arrived at an arrive event');
  return domains.of(flow, hashRingKey(arrival.hash, arrival.ring));
}

/** The last packet judged in each ordering domain of one stage, by domain number. */
interface Last {
  /** Arrival order: the highest sequence number seen; dispatch order: the highest rank. */
  readonly top: (number | undefined)[];
  readonly seq: number[];
  readonly index: number[];
}

const last = (): Last => ({ top: [], seq: [], index: [] });

/** One protocol's handler: arrival order judged there, and dispatch order through netisr. */
interface Handler {
  readonly stage: string;
  /** Arrival order: packets judged here, and each (flow, hash, ring) domain's last. */
  readonly judged: PacketTable<true>;
  readonly arrival: Last;
  /** Dispatch order: each packet's rank among its (flow, hash) pair's dispatches, packets handled, each pair's last. */
  readonly rank: PacketTable<number>;
  readonly handled: PacketTable<true>;
  readonly dispatched: number[];
  readonly dispatch: Last;
}

const handlerOf = (proto: string, packets: number): Handler => ({
  stage: `${proto}_input`,
  judged: new PacketTable(packets),
  arrival: last(),
  rank: new PacketTable(packets),
  handled: new PacketTable(packets),
  dispatched: [],
  dispatch: last(),
});

/**
 * Flow order (N-20, INV-ORDER): packets of one flow that carry the same NIC hash reach each
 * protocol handler, and the upper layer, in the order they arrived on their ring, whatever the
 * schedule. A fragment hashed on its 2-tuple is a different ordering domain, so the key is
 * (flow, arrival hash, ring, stage): when the NIC moves a flow to another ring (ethtool -X, lagg
 * failover), the packets still on the old ring may be overtaken before the stack sees them, which
 * no dispatch policy can prevent. What a policy can prevent is judged by `checkDispatchOrder`;
 * it speaks only when arrival order held (one reorder is reported once).
 *
 * Only the first `handle` of a packet by a protocol and its first `deliver` count: a packet that
 * passes a protocol twice (re-injection after decapsulation) is judged once, and duplicates are
 * the conservation checker's business (no-drop-below-limit). Packets without an `arrive` event
 * (a reassembled datagram) have no arrival order and are skipped.
 */
export function checkFlowOrder(trace: Trace): readonly Violation[] {
  const { arrival, dispatch } = judgeOrder(trace, true);
  return arrival.length > 0 ? arrival : dispatch;
}

/**
 * Dispatch order (N-20): once a packet of a flow has been handed to netisr_dispatch for a protocol,
 * no later-dispatched packet of that flow (same arrival hash) is handled by it first. This is what
 * a flow entering on several CPUs (RSS table rewrite, migrating tun writer, lagg failover) tests:
 * a packet run inline on a CPU whose queue still holds earlier packets of its flow breaks it.
 */
export function checkDispatchOrder(trace: Trace): readonly Violation[] {
  return judgeOrder(trace, false).dispatch;
}

/**
 * Both orders in one pass over the trace (it is the costliest checker, and long traces outgrow the
 * CPU caches): arrival order only when asked, and dispatch order until arrival order has failed.
 */
function judgeOrder(
  trace: Trace,
  arrivalOrder: boolean,
): { arrival: readonly Violation[]; dispatch: readonly Violation[] } {
  const j = new OrderJudge(trace);
  let judgeArrival = arrivalOrder;
  for (let index = 0; index < trace.length; index++) {
    const ev = trace[index];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'arrive') j.arrive(ev, index);
    else if (kind === 'deliver') {
      if (judgeArrival) judgeArrival = j.arrivalOrder(ev, undefined, index);
    } else if (kind === 'handle' || kind === 'dispatch') {
      const handler = j.handler(ev.proto);
      if (judgeArrival && kind === 'handle') judgeArrival = j.arrivalOrder(ev, handler, index);
      if (j.judgesDispatch) j.dispatchOrder(ev, handler, index);
    }
  }
  return { arrival: j.arrival, dispatch: j.dispatch };
}

/** The state of one pass of judgeOrder; each method answers whether its order is still judged. */
class OrderJudge {
  readonly arrival: Violation[] = [];
  readonly dispatch: Violation[] = [];
  /** Dispatch order speaks only while arrival order holds (a reorder is reported once). */
  judgesDispatch = true;
  readonly #trace: Trace;
  // Per packet, from its `arrive`: where it arrived, its flow, its arrival-order domain's number
  // and its (flow, hash) pair's number for dispatch order. Small integers only: a table of boxed
  // numbers would cost the garbage collector on long traces.
  readonly #packets: number;
  readonly #arrivedAt: PacketTable<number>;
  readonly #arrivalFlow: PacketTable<number>;
  readonly #arrivalDomain: PacketTable<number>;
  readonly #pairOf: PacketTable<number>;
  readonly #domains = new KeyIds<number | string>();
  readonly #pairs = new KeyIds<number>();
  readonly #handlers = new Map<string, Handler>();
  readonly #delivered: PacketTable<true>;
  readonly #deliverLast = last();

  constructor(trace: Trace) {
    this.#trace = trace;
    // The tables are made at the size of the packets the trace numbers (no regrowth per run).
    const packets = packetsNumbered(trace);
    this.#packets = packets;
    this.#arrivedAt = new PacketTable(packets);
    this.#arrivalFlow = new PacketTable(packets);
    this.#arrivalDomain = new PacketTable(packets);
    this.#pairOf = new PacketTable(packets);
    this.#delivered = new PacketTable(packets);
  }

  arrive(ev: ArriveEvent, index: number): void {
    this.#arrivedAt.set(ev.pkt, index);
    this.#arrivalFlow.set(ev.pkt, ev.flow);
    this.#arrivalDomain.set(ev.pkt, this.#domains.of(ev.flow, hashRingKey(ev.hash, ev.ring)));
    this.#pairOf.set(ev.pkt, this.#pairs.of(ev.flow, ev.hash));
  }

  handler(proto: string): Handler {
    let handler = this.#handlers.get(proto);
    if (handler === undefined) {
      handler = handlerOf(proto, this.#packets);
      this.#handlers.set(proto, handler);
    }
    return handler;
  }

  /** A packet's first handling by `handler` (or its first delivery) against its domain's last. */
  arrivalOrder(ev: HandleEvent | DeliverEvent, handler: Handler | undefined, index: number): boolean {
    const arrived = this.#arrivedAt.get(ev.pkt);
    const judged = handler === undefined ? this.#delivered : handler.judged;
    if (arrived === undefined || judged.has(ev.pkt)) return true;
    judged.set(ev.pkt, true);
    const domain =
      this.#arrivalFlow.get(ev.pkt) === ev.flow
        ? (this.#arrivalDomain.get(ev.pkt) as number)
        : otherFlowDomain(this.#domains, ev.flow, this.#trace[arrived]);
    const at = handler === undefined ? this.#deliverLast : handler.arrival;
    const prevSeq = at.top[domain];
    if (prevSeq === undefined || ev.seq > prevSeq) {
      at.top[domain] = ev.seq;
      at.index[domain] = index;
    }
    if (prevSeq === undefined || ev.seq >= prevSeq) return true;
    this.arrival.push({
      property: FLOW_ORDER,
      rule: handler === undefined ? 'INV-ORDER' : 'N-20',
      events: [at.index[domain] as number, index],
      message: `flow ${ev.flow} at ${handler === undefined ? 'deliver' : handler.stage} on cpu ${ev.cpu}: got seq ${ev.seq} after seq ${prevSeq}`,
    });
    this.judgesDispatch = false;
    return this.arrival.length < VIOLATIONS_MAX;
  }

  /** A dispatch ranks the packet in its pair; a first handling is judged against the pair's last. */
  dispatchOrder(ev: HandleEvent | DispatchEvent, handler: Handler, index: number): void {
    const pair = this.#pairOf.get(ev.pkt);
    if (pair === undefined) return;
    if (ev.kind === 'dispatch') {
      if (handler.rank.has(ev.pkt)) return;
      const n = (handler.dispatched[pair] ?? 0) + 1;
      handler.dispatched[pair] = n;
      handler.rank.set(ev.pkt, n);
      return;
    }
    const r = handler.rank.get(ev.pkt);
    // Only a packet's first pass through a protocol counts (re-injection after decapsulation
    // hands it to ip_input again, as arrival order also judges once).
    if (r === undefined || handler.handled.has(ev.pkt)) return;
    handler.handled.set(ev.pkt, true);
    const at = handler.dispatch;
    const prevRank = at.top[pair];
    if (prevRank !== undefined && r < prevRank) {
      this.dispatch.push({
        property: FLOW_ORDER,
        rule: 'N-20',
        events: [at.index[pair] as number, index],
        message: `flow ${ev.flow} at ${handler.stage} on cpu ${ev.cpu}: seq ${ev.seq} handled after seq ${at.seq[pair]}, which was dispatched later`,
      });
      if (this.dispatch.length >= VIOLATIONS_MAX) this.judgesDispatch = false;
    }
    if (prevRank === undefined || r > prevRank) {
      at.top[pair] = r;
      at.seq[pair] = ev.seq;
      at.index[pair] = index;
    }
  }
}

export const flowOrder: PropertySpec = {
  name: FLOW_ORDER,
  rules: ['N-20', 'INV-ORDER', 'I-5'],
  summary: summaryOf(FLOW_ORDER),
  check: checkFlowOrder,
};
