import {
  type CountersEvent,
  type DropEvent,
  type EnqueueEvent,
  packetText,
  type Trace,
} from '../model/trace.ts';
import { countsDrops, isCounterName, qdropsProto } from '../model/vocab.ts';
import { summaryOf } from './catalog.ts';
import { NetisrLedger } from './netisr-ledger.ts';
import { PacketTable } from './packet-table.ts';
import type { PropertySpec } from './registry.ts';
import { perStatName } from './stat-names.ts';
import { packetsNumbered } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const NO_DROP_BELOW_LIMIT = 'no-drop-below-limit';

/** The model's record of a placement refusal; its evidence is the policy-error event. */
const isPolicyErrorCounter = (name: string): boolean => name.endsWith('.policy_errors');

/**
 * Packets (arrivals and reassembled datagrams) and the events that ended them, walked in the order
 * they started (as a Map would). Kept as columns of small integers by packet id, not an object per
 * packet: on a long trace those objects would cost the garbage collector more than the checks.
 */
class Units {
  /** Where each packet started, its end count, and its first two ends (all a violation shows). */
  readonly #startAt: PacketTable<number>;
  readonly #endCount: PacketTable<number>;
  readonly #firstEnd: PacketTable<number>;
  readonly #secondEnd: PacketTable<number>;
  readonly #order: number[] = [];

  /** `packets`: how many the trace numbers (the tables' size). */
  constructor(packets: number) {
    this.#startAt = new PacketTable(packets);
    this.#endCount = new PacketTable(packets);
    this.#firstEnd = new PacketTable(packets);
    this.#secondEnd = new PacketTable(packets);
  }

  start(pkt: number, index: number): void {
    // A packet id seen again starts over in its old place, as Map.set keeps a key's position.
    if (!this.#startAt.has(pkt)) this.#order.push(pkt);
    this.#startAt.set(pkt, index);
    this.#endCount.set(pkt, 0);
  }

  end(pkt: number, index: number): void {
    const count = this.#endCount.get(pkt);
    if (count === undefined) return;
    if (count === 0) this.#firstEnd.set(pkt, index);
    else if (count === 1) this.#secondEnd.set(pkt, index);
    this.#endCount.set(pkt, count + 1);
  }

  /** Packet ids in the order they started. */
  packets(): readonly number[] {
    return this.#order;
  }

  startAt(pkt: number): number {
    return this.#startAt.get(pkt) ?? -1;
  }

  endCount(pkt: number): number {
    return this.#endCount.get(pkt) ?? 0;
  }

  /** The first two events that ended the packet. */
  ends(pkt: number): [number, number] {
    return [this.#firstEnd.get(pkt) ?? -1, this.#secondEnd.get(pkt) ?? -1];
  }
}

/**
 * Drop events per counter name they name, in the order names were first named (as a Map keeps
 * them): every snapshot walks them, without a copy or an entry pair per name.
 */
class NamedDrops {
  readonly #at = new Map<string, number>();
  readonly names: string[] = [];
  readonly counts: number[] = [];

  bump(name: string): void {
    const k = this.#at.get(name);
    if (k === undefined) {
      this.#at.set(name, this.names.length);
      this.names.push(name);
      this.counts.push(1);
    } else this.counts[k] = (this.counts[k] as number) + 1;
  }

  has(name: string): boolean {
    return this.#at.has(name);
  }

  get(name: string): number | undefined {
    const k = this.#at.get(name);
    return k === undefined ? undefined : this.counts[k];
  }
}

const v = (rule: ViolationRule, events: number[], message: string): Violation => ({
  property: NO_DROP_BELOW_LIMIT,
  rule,
  events,
  message,
});

/** What the pass has seen so far; one instance per trace. */
interface State {
  readonly ledger: NetisrLedger;
  readonly units: Units;
  /** proto -> pkt -> inline dispatches + enqueues - handles (numeric keys: no string per event). */
  readonly entries: Map<string, PacketTable<number>>;
  /** The packets the trace numbers: the per-packet tables' size. */
  readonly packets: number;
  /** Counter name -> drop events that name it. */
  readonly namedDrops: NamedDrops;
  /** Packets with a policy-error event. */
  readonly policyErrors: Set<number>;
}

/**
 * No drop below the limit, every drop counted, nothing lost or handled twice:
 * - N-8 / I-1: an enqueue succeeds only while the queue (as the trace rebuilds it) is below qlimit;
 * - N-9: a netisr queue drop happens only when the queue holds qlimit packets (more only after a
 *   lowered qlimit, SC-5) and names `<proto>.QDrops`; other queue drops (rx ring, backlog) only
 *   when their reported length reaches their limit (INV-BOUND);
 * - I-3: every drop names exactly one real counter, and at every snapshot each protocol's QDrops,
 *   each named statistic, and every statistic with `drop` in its name equal the drop events that
 *   name them (so a drop counted twice, or counted on a path without its event, shows);
 * - INV-CONSERVE: at a quiescent end every packet ended exactly once (delivered, dropped, or
 *   absorbed into a reassembled datagram) or is still queued (liveness judges that), and no
 *   handler ran on a packet more often than it was dispatched inline or enqueued for it.
 */
export function checkNoDropBelowLimit(trace: Trace): readonly Violation[] {
  const packets = packetsNumbered(trace);
  const s: State = {
    ledger: new NetisrLedger(packets),
    units: new Units(packets),
    entries: new Map(),
    namedDrops: new NamedDrops(),
    policyErrors: new Set(),
    packets,
  };
  const out: Violation[] = [];
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    switch (ev.kind) {
      case 'arrive':
        s.units.start(ev.pkt, i);
        break;
      case 'dispatch':
        if (ev.mode !== 'queued') bump(entriesOf(s, ev.proto), ev.pkt, 1);
        break;
      case 'enqueue':
        checkEnqueue(s.ledger, ev, i, out);
        bump(entriesOf(s, ev.proto), ev.pkt, 1);
        break;
      case 'handle':
        if (bump(entriesOf(s, ev.proto), ev.pkt, -1) < 0) {
          out.push(
            v(
              'INV-CONSERVE',
              [i],
              `packet ${packetText(ev.pkt)} handled by ${ev.proto} more often than dispatched`,
            ),
          );
        }
        break;
      case 'policy-error':
        s.policyErrors.add(ev.pkt);
        break;
      case 'drop':
        checkDrop(s, ev, i, out);
        s.namedDrops.bump(ev.counter);
        s.units.end(ev.pkt, i);
        break;
      case 'deliver':
        s.units.end(ev.pkt, i);
        break;
      case 'reassembled':
        for (const frag of ev.fragments) s.units.end(frag, i);
        s.units.start(ev.pkt, i);
        break;
      case 'counters':
        checkCounted(ev, s.namedDrops, i, out);
        break;
      case 'end':
        if (ev.outcome === 'quiescent') out.push(...checkConservation(s.units, s.ledger.queuedPackets()));
        break;
      default:
        break;
    }
    s.ledger.apply(ev);
  }
  return out.slice(0, VIOLATIONS_MAX);
}

function entriesOf(s: State, proto: string): PacketTable<number> {
  let m = s.entries.get(proto);
  if (m === undefined) {
    m = new PacketTable(s.packets);
    s.entries.set(proto, m);
  }
  return m;
}

function bump<K>(
  map: { get(k: K): number | undefined; set(k: K, n: number): unknown },
  key: K,
  by: number,
): number {
  const n = (map.get(key) ?? 0) + by;
  map.set(key, n);
  return n;
}

/** N-8 / I-1; appends to `out` (no array per enqueue). */
function checkEnqueue(ledger: NetisrLedger, ev: EnqueueEvent, i: number, out: Violation[]): void {
  const len = ledger.work(ev.cpu, ev.proto).queue.length;
  if (len >= ev.qlimitPackets) {
    out.push(
      v('I-1', [i], `${ev.proto} on cpu ${ev.cpu}: enqueued at len ${len} of qlimit ${ev.qlimitPackets}`),
    );
  }
  if (ev.qlenBeforePackets !== len) {
    out.push(
      v(
        'N-8',
        [i],
        `${ev.proto} on cpu ${ev.cpu}: enqueue reports len ${ev.qlenBeforePackets}, trace holds ${len}`,
      ),
    );
  }
}

/** Appends to `out`; `found` is where this drop's own violations start. */
function checkDrop(s: State, ev: DropEvent, i: number, out: Violation[]): void {
  const found = out.length;
  if (!isCounterName(ev.counter)) {
    out.push(
      v(
        'I-3',
        [i],
        `drop of packet ${packetText(ev.pkt)} at ${ev.where} names counter '${ev.counter}', want one real counter`,
      ),
    );
  }
  if (ev.where === 'policy') {
    if (!s.policyErrors.has(ev.pkt)) {
      out.push(
        v('I-3', [i], `policy drop of packet ${packetText(ev.pkt)} without a policy-error event for it`),
      );
    }
    return;
  }
  if (ev.where !== 'netisr-queue') {
    const { qlenPackets: len, qlimitPackets: limit } = ev;
    if (len !== undefined && limit !== undefined && len < limit) {
      out.push(
        v(
          'INV-BOUND',
          [i],
          `${ev.where} drop of packet ${packetText(ev.pkt)} at len ${len} below limit ${limit}`,
        ),
      );
    }
    return;
  }
  const proto = s.ledger.queueDropProto(ev.pkt);
  if (proto === undefined) {
    out.push(
      v('N-9', [i], `queue drop of packet ${packetText(ev.pkt)} on cpu ${ev.cpu} without a queued dispatch`),
    );
    return;
  }
  if (out.length === found && ev.counter !== `${proto}.QDrops`) {
    out.push(
      v(
        'I-3',
        [i],
        `${proto} queue drop of packet ${packetText(ev.pkt)} names ${ev.counter}, want ${proto}.QDrops`,
      ),
    );
  }
  const len = s.ledger.work(ev.cpu, proto).queue.length;
  const limit = ev.qlimitPackets;
  if (limit === undefined || len < limit) {
    out.push(
      v(
        'N-9',
        [i],
        `${proto} on cpu ${ev.cpu}: packet ${packetText(ev.pkt)} dropped at len ${len}, below qlimit ${limit ?? '?'}`,
      ),
    );
  } else if (ev.qlenPackets !== undefined && ev.qlenPackets !== len) {
    out.push(
      v('N-9', [i], `${proto} on cpu ${ev.cpu}: drop reports len ${ev.qlenPackets}, trace holds ${len}`),
    );
  }
}

/** How I-3 reads a statistic at a snapshot: it counts only drops, and is judged here by name. */
const COUNTS_DROPS = 1;
const JUDGED_BY_NAME = 2;
const statRole = perStatName(
  (name) =>
    (countsDrops(name) ? COUNTS_DROPS : 0) |
    // Unnamed and policy drops are judged at the drop itself; QDrops against the rows.
    (isCounterName(name) && qdropsProto(name) === undefined && !isPolicyErrorCounter(name)
      ? JUDGED_BY_NAME
      : 0),
);

/**
 * I-3, every drop counted: at each snapshot each protocol's QDrops summed over the rows, and each
 * statistic a drop names (absent: 0), equal the drop events that name it. Appends to `out`.
 */
function checkCounted(ev: CountersEvent, namedDrops: NamedDrops, i: number, out: Violation[]): void {
  // Protocols in the order the rows first name them, as a Map would keep them (a handful).
  const protos: string[] = [];
  const totals: number[] = [];
  for (const row of ev.netisr) {
    const k = protos.indexOf(row.proto);
    if (k < 0) {
      protos.push(row.proto);
      totals.push(row.qdrops);
    } else totals[k] = (totals[k] as number) + row.qdrops;
  }
  for (let k = 0; k < protos.length; k++) {
    const proto = protos[k] as string;
    const total = totals[k] as number;
    const events = namedDrops.get(`${proto}.QDrops`) ?? 0;
    if (total !== events) {
      out.push(
        v(
          'I-3',
          [i],
          `${proto} QDrops total ${total} at snapshot, but ${events} drop events name ${proto}.QDrops`,
        ),
      );
    }
  }
  const { names, counts } = namedDrops;
  for (let k = 0; k < names.length; k++) judgeNamed(ev, names[k] as string, counts[k] as number, i, out);
  // A drop statistic no drop event names must still be 0: a drop counted twice, or counted
  // without its event, shows here.
  for (const name of Object.keys(ev.stats))
    if ((statRole(name) & COUNTS_DROPS) !== 0 && !namedDrops.has(name)) judgeNamed(ev, name, 0, i, out);
}

function judgeNamed(ev: CountersEvent, counter: string, events: number, i: number, out: Violation[]): void {
  if ((statRole(counter) & JUDGED_BY_NAME) === 0) return;
  const value = ev.stats[counter] ?? 0;
  if (value !== events) {
    out.push(v('I-3', [i], `${counter} is ${value} at snapshot, but ${events} drop events name it`));
  }
}

/** INV-CONSERVE at a quiescent end: arrived = delivered + dropped (+ absorbed, + still queued). */
function checkConservation(units: Units, queued: ReadonlySet<number>): Violation[] {
  const out: Violation[] = [];
  for (const pkt of units.packets()) {
    if (out.length >= VIOLATIONS_MAX) break;
    const endCount = units.endCount(pkt);
    if (endCount === 0 && !queued.has(pkt)) {
      out.push(
        v(
          'INV-CONSERVE',
          [units.startAt(pkt)],
          `packet ${packetText(pkt)} was never delivered, dropped or queued: lost`,
        ),
      );
    } else if (endCount > 1) {
      out.push(
        v(
          'INV-CONSERVE',
          [units.startAt(pkt), ...units.ends(pkt)],
          `packet ${packetText(pkt)} ended ${endCount} times`,
        ),
      );
    }
  }
  return out;
}

export const noDropBelowLimit: PropertySpec = {
  name: NO_DROP_BELOW_LIMIT,
  rules: ['N-8', 'N-9', 'I-1', 'I-3', 'INV-BOUND', 'INV-CONSERVE'],
  summary: summaryOf(NO_DROP_BELOW_LIMIT),
  check: checkNoDropBelowLimit,
};
