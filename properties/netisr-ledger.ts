import type { TraceEvent } from '../model/trace.ts';
import { PacketTable } from './packet-table.ts';

/**
 * What the trace says one netisr queue (workstream CPU x protocol) should hold and count, rebuilt
 * from dispatch / enqueue / batch / handle / drop events alone: the checkers' model of
 * struct netisr_work (N-8..N-17), so they never look inside the model.
 */
export interface WorkLedger {
  readonly cpu: number;
  readonly proto: string;
  /** Packet ids in the queue, oldest first (N-8 appends at the tail). */
  queue: number[];
  watermarkPackets: number;
  dispatched: number;
  hybridDispatched: number;
  queued: number;
  qdrops: number;
  /** Packets of finished batches (N-17 adds a batch to Handled at its end). */
  handledFromQueue: number;
  /** The qlimit the last enqueue or queue drop reported. */
  qlimitPackets: number | undefined;
}

/**
 * A batch the SWI thread took and has not finished handling (N-17): the packets it took, in queue
 * order, and how many of them were handled. The SWI handles a batch in queue order, so a handle
 * is nearly always of the packet at `handled` and costs a compare; one out of order is swapped to
 * that place, so the packets from `handled` on are always those still owed (a packet queued twice
 * is owed twice), with no map per batch.
 */
class OpenBatch {
  readonly work: WorkLedger;
  readonly thread: number;
  readonly taken: number[];
  handled = 0;

  constructor(work: WorkLedger, thread: number, taken: number[]) {
    this.work = work;
    this.thread = thread;
    this.taken = taken;
  }

  /** Counts one handle of `pkt`; false when the batch owes it none. */
  take(pkt: number): boolean {
    const { taken } = this;
    const at = taken[this.handled] === pkt ? this.handled : taken.indexOf(pkt, this.handled);
    if (at < 0) return false;
    taken[at] = taken[this.handled] as number;
    taken[this.handled++] = pkt;
    return true;
  }
}

/** Folds trace events into per-queue ledgers; one `apply` per event, O(1) amortised. */
/** A queue's ledger before any event counted on it. */
export function emptyWorkLedger(cpu: number, proto: string): WorkLedger {
  return {
    cpu,
    proto,
    queue: [],
    watermarkPackets: 0,
    dispatched: 0,
    hybridDispatched: 0,
    queued: 0,
    qdrops: 0,
    handledFromQueue: 0,
    qlimitPackets: undefined,
  };
}

export class NetisrLedger {
  /** Protocol -> ledgers by CPU: looked up on every event, so no string key is built. */
  readonly #works = new Map<string, (WorkLedger | undefined)[]>();
  /** Every ledger in the order first seen (what `works()` walks). */
  readonly #all: WorkLedger[] = [];
  /** CPU -> the batch its SWI has open (CPU ids index the table: no map churn as batches end). */
  readonly #batches = new PacketTable<OpenBatch | undefined>();
  /** Packet id -> the protocol of its latest queued dispatch (a queue drop names no protocol). */
  readonly #queuedProto: PacketTable<string>;

  /** `packetsExpected`: the packets the trace numbers, to size the per-packet table. */
  constructor(packetsExpected = 0) {
    this.#queuedProto = new PacketTable(packetsExpected);
  }

  work(cpu: number, proto: string): WorkLedger {
    let byCpu = this.#works.get(proto);
    if (byCpu === undefined) {
      byCpu = [];
      this.#works.set(proto, byCpu);
    }
    let w = byCpu[cpu];
    if (w === undefined) {
      w = emptyWorkLedger(cpu, proto);
      byCpu[cpu] = w;
      this.#all.push(w);
    }
    return w;
  }

  /** The ledger of a queue, or undefined when no event has named it yet (nothing is made). */
  peek(cpu: number, proto: string): Readonly<WorkLedger> | undefined {
    return this.#works.get(proto)?.[cpu];
  }

  works(): IterableIterator<WorkLedger> {
    return this.#all.values();
  }

  /** The protocol a queue drop of `pkt` belongs to: that of its latest queued dispatch. */
  queueDropProto(pkt: number): string | undefined {
    return this.#queuedProto.get(pkt);
  }

  /** The batch the SWI of `cpu` is working through, if any. */
  openBatch(cpu: number): { readonly proto: string; readonly packets: number } | undefined {
    const b = this.#batches.get(cpu);
    return b === undefined ? undefined : { proto: b.work.proto, packets: b.taken.length };
  }

  /** The packets of the batch the SWI of `cpu` has open for `proto`; 0 when it has none open. */
  openBatchPackets(cpu: number, proto: string): number {
    const b = this.#batches.get(cpu);
    return b !== undefined && b.work.proto === proto ? b.taken.length : 0;
  }

  /** Packets still in a queue or in an unfinished batch. */
  queuedPackets(): Set<number> {
    const out = new Set<number>();
    for (const w of this.#all) for (const pkt of w.queue) out.add(pkt);
    // A batch is keyed by its work's CPU, and each work is listed once in #all.
    for (const w of this.#all) {
      const b = this.#batches.get(w.cpu);
      if (b === undefined || b.work !== w) continue;
      for (let k = b.handled; k < b.taken.length; k++) out.add(b.taken[k] as number);
    }
    return out;
  }

  apply(ev: TraceEvent): void {
    // The kind read once: each read of a field that events of every shape share is a megamorphic load.
    const { kind } = ev;
    if (kind === 'dispatch') this.#dispatch(ev.pkt, ev.proto, ev.toCpu, ev.mode);
    else if (kind === 'enqueue') this.#enqueue(this.work(ev.cpu, ev.proto), ev.pkt, ev.qlimitPackets);
    else if (kind === 'batch') this.#batch(ev.cpu, ev.proto, ev.thread);
    else if (kind === 'handle') this.#handle(ev.cpu, ev.proto, ev.thread, ev.pkt);
    else if (kind === 'drop' && ev.where === 'netisr-queue') {
      const proto = this.#queuedProto.get(ev.pkt);
      if (proto === undefined) return;
      const w = this.work(ev.cpu, proto);
      w.qdrops++;
      if (ev.qlimitPackets !== undefined) w.qlimitPackets = ev.qlimitPackets;
    }
  }

  #dispatch(pkt: number, proto: string, toCpu: number, mode: 'direct' | 'hybrid' | 'queued'): void {
    if (mode === 'queued') {
      this.#queuedProto.set(pkt, proto);
      return;
    }
    const w = this.work(toCpu, proto);
    if (mode === 'direct') w.dispatched++;
    else w.hybridDispatched++;
  }

  #enqueue(w: WorkLedger, pkt: number, qlimitPackets: number): void {
    w.queue.push(pkt);
    w.queued++;
    w.qlimitPackets = qlimitPackets;
    if (w.queue.length > w.watermarkPackets) w.watermarkPackets = w.queue.length;
  }

  /** N-17: the SWI takes the whole queue of one protocol. */
  #batch(cpu: number, proto: string, thread: number): void {
    const w = this.work(cpu, proto);
    const taken = w.queue;
    w.queue = [];
    this.#batches.set(cpu, taken.length === 0 ? undefined : new OpenBatch(w, thread, taken));
  }

  #handle(cpu: number, proto: string, thread: number, pkt: number): void {
    const b = this.#batches.get(cpu);
    if (b === undefined || b.thread !== thread || b.work.proto !== proto || !b.take(pkt)) return;
    if (b.handled < b.taken.length) return;
    b.work.handledFromQueue += b.taken.length;
    this.#batches.set(cpu, undefined);
  }
}
