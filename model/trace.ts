import type { BucketId, CpuId, FlowId, PacketId, ThreadId, VirtualNs } from './brand.ts';
import type { FreebsdRule } from './kernels.ts';
import type { LinuxRule } from './linux/versions.ts';
import type { HashType } from './rss/hashtype.ts';
import type { DropCounter, DropReason, NetisrProtoName } from './vocab.ts';

/**
 * A packet id in messages and trace lines, its digits grouped in threes: reassembled datagrams
 * (model/inet/reassembly.ts) and Linux clones are numbered from 1,000,000,000, apart from the
 * NIC's arrivals, and `packet 1000000000` is hard to read as that base.
 */
export function packetText(id: number): string {
  return String(id).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A rule that differs between kernel versions, by its name in the version tables. */
export type VersionedRule = LinuxRule | FreebsdRule;

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
  /**
   * The CPU that owns `bucket`, set only where the kernel promises to handle the packet there:
   * an RSS kernel whose ip/ip6 netisr places by CPU (rss m2cpuid), the bucket's CPU runs a netisr
   * thread, and the driver bound the bucket's rx ring to that CPU. Unset: no promise.
   */
  readonly bucketCpu?: CpuId | undefined;
  /** For IP fragments: the fragment header and what the sender put in it. */
  readonly frag?: ArriveFragment | undefined;
  /** Written to a software interface (ring -1, cpu: the writer's CPU) instead of received. */
  readonly via?: 'tun0' | undefined;
}

/**
 * A fragment as the sender built it. `datagramDigest` is the digest of the whole original
 * datagram payload (FNV-1a 32 over its bytes), so a checker can compare what reassembly
 * delivers with what was sent, byte for byte, without looking inside the model.
 */
export interface ArriveFragment {
  readonly family: 'inet' | 'inet6';
  /** The datagram's IP protocol (6 TCP, 17 UDP ...): which tuple R-11 hashes its flow on. */
  readonly ipProto: number;
  readonly ipId: number;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  readonly moreFragments: boolean;
  /** Payload length of the original datagram this fragment was cut from. */
  readonly datagramBytes: number;
  /** 0: the sender's bytes; any other value: forged bytes (overlap attacks). */
  readonly contentVersion: number;
  readonly datagramDigest: number;
  /** The sender's datagram as F-2 keys it (v4: src, dst, proto, id; v6: src, dst, id), printed. */
  readonly datagram: string;
}

export interface DispatchEvent extends At {
  readonly kind: 'dispatch';
  readonly pkt: PacketId;
  readonly proto: NetisrProtoName;
  readonly thread: ThreadId;
  readonly fromCpu: CpuId;
  readonly toCpu: CpuId;
  readonly mode: DispatchMode;
}

export interface EnqueueEvent extends At {
  readonly kind: 'enqueue';
  readonly pkt: PacketId;
  readonly proto: NetisrProtoName;
  readonly cpu: CpuId;
  readonly qlenBeforePackets: number;
  readonly qlimitPackets: number;
}

/** The netisr thread takes a protocol's whole queue as one batch (N-17). */
export interface BatchEvent extends At {
  readonly kind: 'batch';
  readonly proto: NetisrProtoName;
  readonly cpu: CpuId;
  readonly thread: ThreadId;
  readonly packets: number;
}

export interface HandleEvent extends At {
  readonly kind: 'handle';
  readonly pkt: PacketId;
  readonly flow: FlowId;
  readonly seq: number;
  readonly proto: NetisrProtoName;
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
  readonly reason: DropReason | PolicyErrorKind;
  /** The one counter the kernel bumps for this drop (e.g. `ip.QDrops`, `ips_fragdropped`). */
  readonly counter: DropCounter;
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
  | 'timed-out'
  | 'async-answer'
  | 'exited'
  | 'killed'
  | 'heap-exhausted'
  | 'threw-later';

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
  /**
   * The RSS bucket of the fragment's 2-tuple hash, and its CPU where the kernel promises to
   * reassemble there (as `arrive.bucketCpu`); undefined without that promise.
   */
  readonly bucket: BucketId | undefined;
  readonly bucketCpu: CpuId | undefined;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  /** Fragments held in all reassembly queues after this one (curfrags / frag6_nfrags). */
  readonly heldFragments: number;
  /** The global cap on held fragments (maxfrags); -1: none. */
  readonly heldFragmentsMax: number;
  /** Fragments in this datagram's queue after this one (nfrags). */
  readonly queueFragments: number;
  /** maxfragsperpacket: an incomplete queue never keeps more (F-17). */
  readonly queueFragmentsMax: number;
  /** The reassembly hash bucket (F-1; not the RSS bucket) and its queue count. */
  readonly reassBucket: number;
  readonly reassBucketQueues: number;
  /** maxfragbucketsize; -1: none. */
  readonly reassBucketQueuesMax: number;
  /** Queue entries and fragments walked to place this fragment: its cost (INV-COST). */
  readonly workSteps: number;
  readonly family: 'inet' | 'inet6';
  /** Reassembly queues held after this fragment (fragpackets / frag6_nfragpackets), and their cap. */
  readonly heldQueues: number;
  /** maxfragpackets; -1: none. */
  readonly heldQueuesMax: number;
}

/** One piece of a reassembled payload: the bytes a fragment gave after trimming (F-12, F-13). */
export interface ReassembledPiece {
  readonly pkt: PacketId;
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
  /** FNV-1a 32 of the reassembled payload bytes. */
  readonly payloadDigest: number;
  /** The per-flow seq the datagram carries: that of the fragment that completed it. */
  readonly seq: number;
  /**
   * F-26: the hash the datagram's full tuple calls for, its bucket and the bucket's CPU:
   * where the upper layer should run. The CPU is undefined where the kernel makes no promise
   * (no RSS, no direct protocol placed by CPU, no netisr thread on that CPU: R-10).
   */
  readonly fullHash: number;
  readonly fullBucket: BucketId | undefined;
  readonly fullBucketCpu: CpuId | undefined;
  /** How the datagram goes on: re-injected through netisr (F-27) or up inline (F-28). */
  readonly continuation: 'reinject' | 'inline';
  readonly family: 'inet' | 'inet6';
  readonly fullHashType: HashType;
  /** The payload in offset order, piece by piece: they tile 0 .. payloadBytes. */
  readonly pieces: readonly ReassembledPiece[];
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

/**
 * Linux: one net_rx_action run on a CPU (net/core/dev.c), at its start and at its end. At the
 * start `budgetPackets` is netdev_budget; at the end it is what is left (below zero by up to one
 * weight - 1, N2). `squeezed`: the loop left through the budget/time test and time_squeeze went up.
 */
export interface SoftirqEvent extends At {
  readonly kind: 'softirq';
  readonly cpu: CpuId;
  readonly thread: ThreadId;
  readonly phase: 'start' | 'end';
  readonly budgetPackets: number;
  /** time_limit (jiffies + usecs_to_jiffies(netdev_budget_usecs)) in virtual ns. */
  readonly timeLimitNs: number;
  readonly squeezed: boolean;
}

/** Linux: one NAPI poll (__napi_poll) finished: `work` packets of at most `weight` (N3). */
export interface NapiPollEvent extends At {
  readonly kind: 'napi-poll';
  readonly cpu: CpuId;
  readonly thread: ThreadId;
  /** `rxq0` ... for device NAPIs, `backlog` for the per-CPU backlog NAPI. */
  readonly napi: string;
  readonly weight: number;
  readonly work: number;
  /** net_rx_action's budget when this poll started. */
  readonly budgetLeftBeforePackets: number;
  readonly startNs: number;
  /** Work below weight: napi_complete_done took the NAPI off the poll list. */
  readonly completed: boolean;
}

/** Linux UDP: what __udp_enqueue_schedule_skb (or sk_add_backlog) did with one skb. */
export interface SockQueueEvent extends At {
  readonly kind: 'sock-queue';
  readonly pkt: PacketId;
  readonly flow: FlowId;
  /** The socket's index in the run's socket table (its `sl` in /proc/net/udp). */
  readonly sock: number;
  readonly cpu: CpuId;
  /** sk_rmem_alloc before the charge, the skb's truesize, sk_rcvbuf (U1, U2). */
  readonly rmemBeforeBytes: number;
  readonly truesizeBytes: number;
  readonly rcvbufBytes: number;
  /** queued: on sk_receive_queue; backlog: on sk_backlog (owned by user, U6 before 4.10). */
  readonly outcome: 'queued' | 'backlog' | 'dropped';
  /** For a multicast clone: the packet it was cloned from. */
  readonly cloneOf?: PacketId;
  /** inet6 for udpv6_rcv, whose counters are the Udp6 row of /proc/net/snmp6; absent for inet. */
  readonly family?: 'inet6';
}

/** Linux: skb_attempt_defer_free on `cpu` for an skb allocated on `allocCpu` (D1..D4). */
export interface DeferFreeEvent extends At {
  readonly kind: 'defer-free';
  readonly buf: number;
  readonly pkt: PacketId | undefined;
  readonly cpu: CpuId;
  readonly allocCpu: CpuId;
  /** deferred: put on allocCpu's list; local: freed now (D2); list-full: freed now (D3). */
  readonly outcome: 'deferred' | 'local' | 'list-full';
  readonly listLenBefore: number;
  readonly deferMax: number;
  /** D4: this insert crossed the kick threshold and raised NET_RX_SOFTIRQ on allocCpu. */
  readonly kick: boolean;
}

/** Linux: an inter-processor interrupt that raises NET_RX_SOFTIRQ on `toCpu`. */
export interface IpiEvent extends At {
  readonly kind: 'ipi';
  readonly fromCpu: CpuId;
  readonly toCpu: CpuId;
  /** rps: net_rps_action_and_irq_enable (R10); defer: kick_defer_list_purge (D4). */
  readonly reason: 'rps' | 'defer';
}

/**
 * The first event of every trace: the kernel and version whose rules the run follows
 * (model/kernels.ts), so a trace says which kernel it speaks for and a checker can hold it to
 * that version's rules.
 */
export interface KernelEvent extends At {
  readonly kind: 'kernel';
  /** Set on a trace recorded from a real kernel (live/); a model trace leaves it out. */
  readonly source?: 'live';
  /** A live trace's kernel release (uname -r); `version` is then the modelled version closest to it. */
  readonly release?: string;
  /** A live trace's configuration (sysctls, queues, workload), printed. */
  readonly setup?: string;
  readonly os: 'linux' | 'freebsd';
  /** The modelled version: `linux-6.18`, `linux-6.6`, `freebsd-14`, `freebsd-rss-2015`. */
  readonly version: string;
  /** FreeBSD's kernel configuration: GENERIC, or GENERIC with `options RSS`. Unset on Linux. */
  readonly config?: 'GENERIC' | 'RSS';
  /** The versioned rules this version follows, by name (model/linux/versions.ts, model/kernels.ts). */
  readonly rules: readonly VersionedRule[];
}

export type TraceEvent =
  | KernelEvent
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
  | EndEvent
  | SoftirqEvent
  | NapiPollEvent
  | SockQueueEvent
  | DeferFreeEvent
  | IpiEvent;

export type TraceEventKind = TraceEvent['kind'];
export type Trace = readonly TraceEvent[];

/** Events per chunk of a recorder: a chunk is a small array, made and filled while it is young. */
export const TRACE_CHUNK_EVENTS = 256;
/** Chunks joined per `concat` call by `finish` (its arguments). */
const CHUNKS_PER_CONCAT = 1024;

/**
 * Append-only recorder with a hard cap. Past `traceEventsMax` it stops recording and reports
 * `full`, and the run ends with outcome `trace-full` (a liveness violation, never a hang).
 *
 * Events are kept in chunks of TRACE_CHUNK_EVENTS and joined once, by `finish`. One array grown
 * to tens of thousands of events lives in V8's large-object space: every growth is a fresh
 * allocation there and a copy, and every event stored into it is an old-to-new pointer the
 * collector must track; on the bench's 5,000-packet runs (35,000 events) that was about a third
 * of the model's CPU time. A trace of one chunk, as most fuzz runs make, is returned as it is.
 */
export class TraceRecorder {
  /** The chunks already filled, in order. */
  readonly #filled: TraceEvent[][] = [];
  #chunk: TraceEvent[] = [];
  #count = 0;
  readonly #eventsMax: number;
  #full = false;

  constructor(traceEventsMax: number) {
    this.#eventsMax = traceEventsMax;
  }

  record(event: TraceEvent): void {
    if (this.#count >= this.#eventsMax) {
      this.#full = true;
      return;
    }
    this.#append(event);
  }

  /** The end event is always recorded, even on a full trace. */
  finish(event: EndEvent): Trace {
    this.#append(event);
    const filled = this.#filled;
    if (filled.length === 0) return this.#chunk;
    // concat sizes its result once and keeps it a packed array (fast for the checkers to walk);
    // a bounded number of chunks per call keeps the spread within any engine's argument limit.
    let events: TraceEvent[] = [];
    for (let i = 0; i < filled.length; i += CHUNKS_PER_CONCAT)
      events = events.concat(...filled.slice(i, i + CHUNKS_PER_CONCAT));
    return events.concat(this.#chunk);
  }

  #append(event: TraceEvent): void {
    const chunk = this.#chunk;
    chunk.push(event);
    this.#count++;
    if (chunk.length === TRACE_CHUNK_EVENTS) {
      this.#filled.push(chunk);
      this.#chunk = [];
    }
  }

  get full(): boolean {
    return this.#full;
  }

  get length(): number {
    return this.#count;
  }
}
