import type { BucketId, CpuId, FlowId, PacketId, ThreadId, VirtualNs } from './brand.ts';
import type { HashType } from './rss/hashtype.ts';

/**
 * The event trace: the contract between every implementation under test and every checker.
 * Flat, typed, append-only; one union keyed on `kind`. Checkers read only this.
 */

/** How a netisr dispatch ran: inline without flags (DIRECT, N-12), inline holding DISPATCHING
 *  (HYBRID, N-13d), or through the workstream queue. */
export type DispatchMode = 'direct' | 'hybrid' | 'queued';

/** Where a packet can be dropped; each drop names the counter it bumped. */
export type DropSite =
  | 'rx-ring'
  | 'netisr-queue'
  | 'policy'
  | 'reassembly'
  | 'ip-input'
  | 'ipsec'
  | 'tunnel'
  | 'backlog'
  | 'socket'
  | 'stack';

/** One row of `netstat -Q` Workstreams (sys/net/netisr.h struct sysctl_netisr_work). */
export interface NetisrWorkRow {
  readonly wsid: number;
  readonly cpu: CpuId;
  readonly proto: string;
  readonly lenPackets: number;
  readonly watermarkPackets: number;
  readonly dispatched: number;
  readonly hybridDispatched: number;
  readonly qdrops: number;
  readonly queued: number;
  readonly handled: number;
  /** The effective qlimit of this queue when the snapshot was taken. */
  readonly qlimitPackets: number;
}

interface At {
  readonly atNs: VirtualNs;
}

export interface ArriveEvent extends At {
  readonly kind: 'arrive';
  readonly pkt: PacketId;
  readonly flow: FlowId;
  readonly seq: number;
  readonly ring: number;
  /** The CPU of the ring's interrupt thread. */
  readonly cpu: CpuId;
  readonly hash: number;
  readonly hashType: HashType;
  /** The RSS bucket of the NIC hash (undefined for hash types without bucket affinity). */
  readonly bucket: BucketId | undefined;
  readonly fragment: boolean;
}

export interface DispatchEvent extends At {
  readonly kind: 'dispatch';
  readonly pkt: PacketId;
  readonly proto: string;
  readonly thread: ThreadId;
  readonly fromCpu: CpuId;
  readonly toCpu: CpuId;
  readonly mode: DispatchMode;
}

export interface EnqueueEvent extends At {
  readonly kind: 'enqueue';
  readonly pkt: PacketId;
  readonly proto: string;
  readonly cpu: CpuId;
  readonly qlenBeforePackets: number;
  readonly qlimitPackets: number;
}

/** The netisr thread takes a protocol's whole queue as one batch (N-17). */
export interface BatchEvent extends At {
  readonly kind: 'batch';
  readonly proto: string;
  readonly cpu: CpuId;
  readonly thread: ThreadId;
  readonly packets: number;
}

export interface HandleEvent extends At {
  readonly kind: 'handle';
  readonly pkt: PacketId;
  readonly flow: FlowId;
  readonly seq: number;
  readonly proto: string;
  readonly cpu: CpuId;
  readonly thread: ThreadId;
  readonly hash: number;
  readonly hashType: HashType;
}

export interface DropEvent extends At {
  readonly kind: 'drop';
  readonly pkt: PacketId;
  readonly flow: FlowId;
  readonly where: DropSite;
  readonly reason: string;
  /** The one counter the kernel bumps for this drop (e.g. `ip.QDrops`, `ips_fragdropped`). */
  readonly counter: string;
  readonly cpu: CpuId;
  /** For queue drops: the queue length seen and its limit. */
  readonly qlenPackets?: number;
  readonly qlimitPackets?: number;
}

export interface DeliverEvent extends At {
  readonly kind: 'deliver';
  readonly pkt: PacketId;
  readonly flow: FlowId;
  readonly seq: number;
  readonly cpu: CpuId;
  readonly thread: ThreadId;
  /** The upper layer that took the packet (`udp`, `tcp`, `raw`, a socket name ...). */
  readonly layer: string;
}

export type PolicyErrorKind =
  | 'threw'
  | 'not-a-placement'
  | 'cpu-not-integer'
  | 'cpu-out-of-range'
  | 'no-workstream'
  | 'unknown-mode'
  | 'inline-to-other-cpu'
  | 'timed-out';

export interface PolicyErrorEvent extends At {
  readonly kind: 'policy-error';
  readonly pkt: PacketId;
  readonly flow: FlowId;
  readonly policy: string;
  readonly error: PolicyErrorKind;
  readonly message: string;
  readonly cpu: CpuId;
}

/** A thread's kernel stack reached a new high-water mark (the deepest frame chain so far). */
export interface StackEvent extends At {
  readonly kind: 'stack';
  readonly thread: ThreadId;
  readonly cpu: CpuId;
  readonly depthBytes: number;
  readonly kstackBytes: number;
  /** The frame chain, outermost first, e.g. `ether_input>ip_input>udp_input`. */
  readonly frames: string;
  readonly pkt: PacketId | undefined;
}

export type BufferKind = 'mbuf' | 'skb' | 'tag';

export interface AllocEvent extends At {
  readonly kind: 'alloc';
  readonly buf: number;
  readonly what: BufferKind;
  readonly cpu: CpuId;
  readonly pkt: PacketId | undefined;
}

export interface FreeEvent extends At {
  readonly kind: 'free';
  readonly buf: number;
  readonly what: BufferKind;
  readonly cpu: CpuId;
  readonly allocCpu: CpuId;
  readonly pkt: PacketId | undefined;
}

/** A fragment is held in a reassembly queue. */
export interface FragHoldEvent extends At {
  readonly kind: 'frag-hold';
  readonly pkt: PacketId;
  readonly flow: FlowId;
  /** The reassembly key, printed (F-2 DatagramKey). */
  readonly datagram: string;
  readonly cpu: CpuId;
  /** The RSS bucket of the fragment's 2-tuple hash and the CPU that owns it. */
  readonly bucket: BucketId | undefined;
  readonly bucketCpu: CpuId | undefined;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

/** A datagram completed; `pkt` is the new packet carrying the whole datagram. */
export interface ReassembledEvent extends At {
  readonly kind: 'reassembled';
  readonly pkt: PacketId;
  readonly flow: FlowId;
  readonly datagram: string;
  readonly cpu: CpuId;
  readonly fragments: readonly PacketId[];
  readonly payloadBytes: number;
}

/** A counter snapshot: `netstat -Q` rows plus named protocol statistics. */
export interface CountersEvent extends At {
  readonly kind: 'counters';
  /** True at the end of a run, when no thread is runnable and no timer is armed. */
  readonly quiescent: boolean;
  readonly netisr: readonly NetisrWorkRow[];
  readonly stats: Readonly<Record<string, number>>;
}

export type RunEndOutcome = 'quiescent' | 'steps-exhausted' | 'trace-full';

/** The last event of every trace. */
export interface EndEvent extends At {
  readonly kind: 'end';
  readonly outcome: RunEndOutcome;
  readonly steps: number;
  /** Workstreams still RUNNING / SCHEDULED / DISPATCHING, by CPU. */
  readonly busyCpus: readonly CpuId[];
  /** Packets still on rx rings or other pre-netisr queues. */
  readonly pendingPackets: number;
}

export type TraceEvent =
  | ArriveEvent
  | DispatchEvent
  | EnqueueEvent
  | BatchEvent
  | HandleEvent
  | DropEvent
  | DeliverEvent
  | PolicyErrorEvent
  | StackEvent
  | AllocEvent
  | FreeEvent
  | FragHoldEvent
  | ReassembledEvent
  | CountersEvent
  | EndEvent;

export type TraceEventKind = TraceEvent['kind'];
export type Trace = readonly TraceEvent[];

/**
 * Append-only recorder with a hard cap. Past `traceEventsMax` it stops recording and reports
 * `full`, and the run ends with outcome `trace-full` (a liveness violation, never a hang).
 */
export class TraceRecorder {
  readonly #events: TraceEvent[] = [];
  readonly #eventsMax: number;
  #full = false;

  constructor(traceEventsMax: number) {
    this.#eventsMax = traceEventsMax;
  }

  record(event: TraceEvent): void {
    if (this.#events.length >= this.#eventsMax) {
      this.#full = true;
      return;
    }
    this.#events.push(event);
  }

  /** The end event is always recorded, even on a full trace. */
  finish(event: EndEvent): Trace {
    this.#events.push(event);
    return this.#events;
  }

  get full(): boolean {
    return this.#full;
  }

  get length(): number {
    return this.#events.length;
  }
}
