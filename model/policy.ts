import type { BucketId, CpuId, FlowId, PacketId, VirtualNs } from './brand.ts';
import type { AddressFamily } from './rss/address.ts';
import type { HashType } from './rss/hashtype.ts';
import type { PolicyErrorKind } from './trace.ts';

/**
 * The dispatch policy plug-in: where does a packet go next, and does it run inline or through a
 * queue? The FreeBSD built-ins (SOURCE/FLOW/CPU x DIRECT/HYBRID/DEFERRED) and Linux RPS/RFS are
 * written against this API too, so built-ins and user policies take one path through the model.
 *
 *   netisr_dispatch(proto, pkt) -> policy.place(view, ctx) -> parsePlacement -> direct | hybrid | queue
 */

/** What a policy may look at; a read-only projection of the mbuf. */
export interface PacketView {
  readonly id: PacketId;
  readonly flow: FlowId;
  readonly seq: number;
  /** The netisr protocol being dispatched: `ip`, `ip6`, `ip_direct`, `ipsec`, `arp` ... */
  readonly protocol: string;
  readonly family: AddressFamily;
  readonly ipProto: number;
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly hash: number;
  readonly hashType: HashType;
  readonly isFragment: boolean;
  /** Payload byte offset of a fragment (0 for the first fragment and for whole datagrams). */
  readonly fragmentOffsetBytes: number;
  readonly rxRing: number;
  readonly rcvifIndex: number;
  /** The netisr `source` argument (0, or the SPI for IPsec re-injection, S-3). */
  readonly source: number;
  /** How many SA / tunnel layers the packet has passed through so far. */
  readonly encapDepth: number;
}

/** What a policy may ask about the machine at the moment of the dispatch. */
export interface DispatchContext {
  readonly cpuCount: number;
  /** The CPU the dispatching thread runs on. */
  readonly cpu: CpuId;
  readonly nowNs: VirtualNs;
  /** CPUs that have a netisr thread, in nws_array order (net.isr.maxthreads of them). */
  readonly workstreamCpus: readonly CpuId[];
  /** True when netisr_queue_src is the caller: the answer's CPU is used and it always queues (N-7). */
  readonly deferredOnly: boolean;
  /** Packets in `cpu`'s queue for the protocol being dispatched. */
  queueLengthPackets(cpu: number): number;
  /** That queue's qlimit. */
  queueLimitPackets(cpu: number): number;
  /** RUNNING | DISPATCHING | SCHEDULED on `cpu`'s workstream (N-13c; flags are per CPU, N-22). */
  busy(cpu: number): boolean;
  readonly bucketCount: number;
  /** The RSS indirection table: the CPU that owns a bucket. */
  bucketCpu(bucket: number): CpuId;
  /** the bucket of a hash (its low bits). */
  bucketOf(hash: number): BucketId;
  /** Linux only: the softnet_data and RFS state get_rps_cpu reads (absent on FreeBSD). */
  readonly softnet?: SoftnetView;
}

/** What get_rps_cpu (net/core/dev.c) reads besides the packet: per-CPU queue counters, RFS table. */
export interface SoftnetView {
  /** input_queue_head of `cpu`: packets its backlog has taken off so far (u32, wraps; R9). */
  inputQueueHead(cpu: number): number;
  /** input_queue_tail of `cpu`: packets admitted to its backlog so far (u32, wraps; R7). */
  inputQueueTail(cpu: number): number;
  /** rps_sock_flow_table entry for `hash` (R1); undefined when RFS is off. */
  sockFlowEntry(hash: number): number | undefined;
  /** rps_cpu_mask = roundup_pow_of_two(nr_cpu_ids) - 1 (R3). */
  readonly rpsCpuMask: number;
  /**
   * The `qtail` out-parameter of enqueue_to_backlog (get_rps_cpu's `&rflow->last_qtail`, R5):
   * `save` receives this CPU's input_queue_tail after the packet, and only if the backlog admits
   * it. Optional: a SoftnetView without it never reports admissions.
   */
  saveQtail?(save: (tail: number) => void): void;
}

/**
 * A placement. `direct`: run inline now on ctx.cpu, no flags, counted as Disp'd (netisr DIRECT,
 * N-12). `hybrid`: run inline on ctx.cpu holding DISPATCHING, counted as HDisp'd (N-13d).
 * `queue`: enqueue on `cpu`'s workstream (N-8/N-9).
 */
export type PlacementMode = 'direct' | 'hybrid' | 'queue';

export interface Placement {
  readonly cpu: CpuId;
  readonly mode: PlacementMode;
}

export interface DispatchPolicy {
  readonly name: string;
  /** Must be pure w.r.t. the packet; may keep its own state (fresh per run, see PolicyFactory). */
  place(pkt: PacketView, ctx: DispatchContext): Placement;
  /** Optional periodic hook, e.g. to rebalance buckets; called every `policyTickPackets` arrivals. */
  tick?(ctx: DispatchContext): void;
}

/** What a factory is told about the run it will serve. */
export interface PolicyFactoryConfig {
  readonly cpuCount: number;
  readonly workstreamCpus: readonly CpuId[];
  readonly bucketCount: number;
}

/** Called once per run, so no state leaks between runs and a replay starts from the same state. */
export type PolicyFactory = (cfg: PolicyFactoryConfig) => DispatchPolicy;

export type PolicySource = DispatchPolicy | PolicyFactory;

/** A policy misbehaved on a packet: a typed value, reported as a violation of its own kind. */
export interface PolicyError {
  readonly kind: PolicyErrorKind;
  readonly message: string;
}

/**
 * Thrown in place of an answer that never came: the fuzz runner's watchdog stops a policy that does
 * not return, and its replay throws this at that call, which netisr records as `timed-out`.
 */
export class PolicyTimedOut extends Error {
  override readonly name = 'PolicyTimedOut';
}

export function isPolicyError(x: Placement | PolicyError): x is PolicyError {
  return 'kind' in x;
}

/** Instantiates a policy source for one run. */
export function instantiatePolicy(source: PolicySource, cfg: PolicyFactoryConfig): DispatchPolicy {
  return typeof source === 'function' ? source(cfg) : source;
}

/** Structural check that a module export looks like a policy or a factory. */
export function isPolicySource(x: unknown): x is PolicySource {
  if (typeof x === 'function') return true;
  if (typeof x !== 'object' || x === null) return false;
  const candidate = x as { place?: unknown; name?: unknown };
  return typeof candidate.place === 'function';
}

function describe(answer: unknown): string {
  if (typeof answer === 'number' || typeof answer === 'boolean' || answer === undefined || answer === null) {
    return String(answer);
  }
  try {
    return JSON.stringify(answer) ?? String(answer);
  } catch {
    return String(answer);
  }
}

/**
 * Parses a policy's answer once, at the boundary; the model never re-checks it. `cpu` must be an
 * integer CPU; queueing needs a CPU with a netisr thread; inline modes run on the current CPU.
 */
export function parsePlacement(answer: unknown, ctx: DispatchContext): Placement | PolicyError {
  if (typeof answer !== 'object' || answer === null) {
    return { kind: 'not-a-placement', message: `answered ${describe(answer)}, want { cpu, mode }` };
  }
  const { cpu, mode } = answer as { cpu?: unknown; mode?: unknown };
  if (typeof cpu !== 'number' || !Number.isInteger(cpu)) {
    return { kind: 'cpu-not-integer', message: `answered cpu ${describe(cpu)}, want an integer` };
  }
  if (cpu < 0 || cpu >= ctx.cpuCount) {
    return { kind: 'cpu-out-of-range', message: `answered cpu ${cpu}, want 0..${ctx.cpuCount - 1}` };
  }
  if (mode !== 'direct' && mode !== 'hybrid' && mode !== 'queue') {
    return { kind: 'unknown-mode', message: `answered mode ${describe(mode)}, want direct | hybrid | queue` };
  }
  const queues = mode === 'queue' || ctx.deferredOnly;
  if (!queues && cpu !== ctx.cpu) {
    return {
      kind: 'inline-to-other-cpu',
      message: `answered ${mode} on cpu ${cpu} from cpu ${ctx.cpu}: inline dispatch runs on the current CPU`,
    };
  }
  if (queues && !ctx.workstreamCpus.includes(cpu as CpuId)) {
    return {
      kind: 'no-workstream',
      message: `answered queue on cpu ${cpu}, which has no netisr thread (workstreams on ${ctx.workstreamCpus.join(',')})`,
    };
  }
  return { cpu: cpu as CpuId, mode: queues ? 'queue' : mode };
}
