import { assert, type CpuId } from '../brand.ts';
import type { Packet } from '../packet.ts';
import { Fifo } from '../sim/fifo.ts';
import type { ProtocolRegistration } from './protocols.ts';

/** struct netisr_work: one protocol's queue and counters on one workstream (N-8..N-10, Q-4). */
export class NetisrWork {
  readonly reg: ProtocolRegistration;
  readonly queue = new Fifo<Packet>();
  qlimitPackets: number;
  /** WMark: the longest the queue has been; never reset (I-2). */
  watermarkPackets = 0;
  /** Disp'd: DIRECT inline dispatches (N-15). */
  dispatched = 0;
  /** HDisp'd: HYBRID inline dispatches (N-15). */
  hybridDispatched = 0;
  qdrops = 0;
  queued = 0;
  /** Handled: inline dispatches plus packets of completed batches (N-17 adds a batch at its end). */
  handled = 0;

  constructor(reg: ProtocolRegistration, qlimitPackets: number) {
    this.reg = reg;
    this.qlimitPackets = qlimitPackets;
  }

  get lenPackets(): number {
    return this.queue.length;
  }
}

/** A registered protocol as every workstream queues it: registration and effective qlimit. */
export interface WorkSlot {
  readonly reg: ProtocolRegistration;
  readonly qlimitPackets: number;
}

/** A batch the netisr thread has taken off a queue but not finished handling (N-17). */
export interface NetisrBatch {
  readonly work: NetisrWork;
  readonly packets: Packet[];
  index: number;
}

/**
 * struct netisr_workstream: per CPU. The flags are per workstream, not per protocol (N-22), and
 * `busy` is what hybrid dispatch checks before running inline (N-13c).
 */
export class Workstream {
  readonly cpu: CpuId;
  /** Whether this CPU has a netisr SWI thread (only net.isr.maxthreads CPUs do, N-12 quirk). */
  readonly hasThread: boolean;
  /** The protocol table, sorted by protocol number; `work(i)` is protocol i's struct. */
  readonly protocols: readonly WorkSlot[];
  /**
   * struct netisr_work per protocol, made on first use: in a run most protocols (igmp, rtsock, arp)
   * never carry a packet, so their structs would stay at their initial counts anyway.
   */
  readonly #works: (NetisrWork | undefined)[] = [];
  running = false;
  dispatching = false;
  scheduled = false;
  batch: NetisrBatch | undefined = undefined;
  /** Protocols still to process in the SWI's current pass over the pending bits (N-16). */
  passRemaining: NetisrWork[] = [];

  constructor(cpu: CpuId, hasThread: boolean, protocols: readonly WorkSlot[]) {
    this.cpu = cpu;
    this.hasThread = hasThread;
    this.protocols = protocols;
  }

  /** Protocol `index`'s struct, made now if it was never used. */
  work(index: number): NetisrWork {
    let work = this.#works[index];
    if (work === undefined) {
      const slot = this.protocols[index];
      if (slot === undefined) assert(false, `netisr: no protocol ${index} on cpu ${this.cpu}`);
      work = new NetisrWork(slot.reg, slot.qlimitPackets);
      this.#works[index] = work;
    }
    return work;
  }

  /** Protocol `index`'s struct if it has been used; undefined: still at its initial counts. */
  used(index: number): NetisrWork | undefined {
    return this.#works[index];
  }

  /** The protocols with packets queued, in ascending protocol order (the pending bits, N-16). */
  pendingWorks(): NetisrWork[] {
    const pending: NetisrWork[] = [];
    for (const w of this.#works) if (w !== undefined && w.lenPackets > 0) pending.push(w);
    return pending;
  }

  get busy(): boolean {
    return this.running || this.dispatching || this.scheduled;
  }

  /** nws_pendingbits != 0. */
  get hasPending(): boolean {
    for (const w of this.#works) if (w !== undefined && w.lenPackets > 0) return true;
    return false;
  }
}
