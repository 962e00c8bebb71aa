import type { BucketId, CpuId, FlowId, PacketId, VirtualNs } from './brand.ts';
import { describeThrown, describeValue } from './policy-describe.ts';
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
  /** 0 on a fragment past the first: it carries no transport header (a port hash splits its datagram). */
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
 * A fault the fuzz harness charges to the policy at one call, thrown in place of its answer: the
 * watchdog stopped a call that never returned (`timed-out`), the policy called process.exit or
 * signalled its own process, ran the worker out of heap, or left deferred work that threw. Only
 * faults made by `policyFault` count as such; anything else a policy throws is `threw`.
 */
export class PolicyFault extends Error {
  override readonly name = 'PolicyFault';
  readonly kind: PolicyErrorKind;

  constructor(kind: PolicyErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/** The faults the harness raised: a policy cannot pass off a value of its own as one (a WeakSet
 *  lookup also runs no Proxy trap, unlike instanceof). */
const RAISED = new WeakSet<object>();

export function policyFault(kind: PolicyErrorKind, message: string): PolicyFault {
  const fault = new PolicyFault(kind, message);
  RAISED.add(fault);
  return fault;
}

/** The watchdog's fault: kept as a name for the `timed-out` case. */
export const policyTimedOut = (message: string): PolicyFault => policyFault('timed-out', message);

/** What a throw out of policy code is charged as. */
export function thrownError(err: unknown): PolicyError {
  // WeakSet.has answers false for a primitive: no type test needed first.
  if (RAISED.has(err as object)) {
    const fault = err as PolicyFault;
    return { kind: fault.kind, message: fault.message };
  }
  return { kind: 'threw', message: `threw ${describeThrown(err)}` };
}

export function isPolicyError(x: Placement | PolicyError): x is PolicyError {
  return 'kind' in x;
}

/** Freezes what a factory is told, so its copy of the machine is not the model's. */
export function frozenFactoryConfig(cfg: PolicyFactoryConfig): PolicyFactoryConfig {
  return Object.freeze({
    cpuCount: cfg.cpuCount,
    workstreamCpus: Object.freeze([...cfg.workstreamCpus]),
    bucketCount: cfg.bucketCount,
  });
}

/** Instantiates a policy source for one run. */
export function instantiatePolicy(source: PolicySource, cfg: PolicyFactoryConfig): DispatchPolicy {
  return typeof source === 'function' ? source(frozenFactoryConfig(cfg)) : source;
}

/** Structural check that a module export looks like a policy or a factory. */
export function isPolicySource(x: unknown): x is PolicySource {
  if (typeof x === 'function') return true;
  if (typeof x !== 'object' || x === null) return false;
  const candidate = x as { place?: unknown; name?: unknown };
  return typeof candidate.place === 'function';
}

/**
 * What the judge holds the answer against: the model's own values, never the context object
 * handed to the policy (which the policy could otherwise edit to pass its own answer).
 */
export interface PlacementBounds {
  readonly cpuCount: number;
  readonly cpu: CpuId;
  readonly workstreamCpus: readonly CpuId[];
  readonly deferredOnly: boolean;
}

/** An answer with a `then` method: the policy's place() promised instead of answering. */
function asyncAnswer(answer: object): PolicyError {
  // Silence a rejection: it is reported here, not later as an unhandled rejection.
  Promise.resolve(answer).catch(() => {});
  return {
    kind: 'async-answer',
    message: `answered ${answer instanceof Promise ? 'a Promise' : 'a thenable'} (an async place()?): want { cpu, mode } returned, not promised`,
  };
}

function cpuNotInteger(cpu: unknown): PolicyError {
  const why = typeof cpu === 'bigint' ? 'want a number (a bigint is not a CPU)' : 'want an integer';
  return { kind: 'cpu-not-integer', message: `answered cpu ${describeValue(cpu)}, ${why}` };
}

/**
 * Parses a policy's answer once, at the boundary; the model never re-checks it. `cpu` must be an
 * integer CPU; queueing needs a CPU with a netisr thread; inline modes run on the current CPU.
 */
export function parsePlacement(answer: unknown, bounds: PlacementBounds): Placement | PolicyError {
  // A function is no placement either, whatever fields it carries.
  if (typeof answer !== 'object' || answer === null) {
    return { kind: 'not-a-placement', message: `answered ${describeValue(answer)}, want { cpu, mode }` };
  }
  let cpu: unknown;
  let mode: unknown;
  // The two fields, read once; a getter or Proxy trap that throws is the policy's.
  try {
    if (typeof (answer as { then?: unknown }).then === 'function') return asyncAnswer(answer);
    ({ cpu, mode } = answer as { cpu?: unknown; mode?: unknown });
  } catch (err) {
    return { kind: 'threw', message: `reading the answer threw ${describeThrown(err)}` };
  }
  if (typeof cpu !== 'number' || !Number.isInteger(cpu)) return cpuNotInteger(cpu);
  if (cpu < 0 || cpu >= bounds.cpuCount) {
    return { kind: 'cpu-out-of-range', message: `answered cpu ${cpu}, want 0..${bounds.cpuCount - 1}` };
  }
  if (mode !== 'direct' && mode !== 'hybrid' && mode !== 'queue') {
    return {
      kind: 'unknown-mode',
      message: `answered mode ${describeValue(mode)}, want direct | hybrid | queue`,
    };
  }
  const queues = mode === 'queue' || bounds.deferredOnly;
  if (!queues && cpu !== bounds.cpu) {
    return {
      kind: 'inline-to-other-cpu',
      message: `answered ${mode} on cpu ${cpu} from cpu ${bounds.cpu}: inline dispatch runs on the current CPU`,
    };
  }
  if (queues && !bounds.workstreamCpus.includes(cpu as CpuId)) {
    return {
      kind: 'no-workstream',
      message: `answered queue on cpu ${cpu}, which has no netisr thread (workstreams on ${bounds.workstreamCpus.join(',')})`,
    };
  }
  return placementOf(cpu as CpuId, queues ? 'queue' : mode);
}

/** Placements are immutable values: one per CPU and mode, made on first use (a placement per packet). */
const PLACEMENTS: Readonly<Record<PlacementMode, Placement[]>> = { direct: [], hybrid: [], queue: [] };

function placementOf(cpu: CpuId, mode: PlacementMode): Placement {
  const byCpu = PLACEMENTS[mode];
  let placement = byCpu[cpu];
  if (placement === undefined) {
    placement = Object.freeze({ cpu, mode });
    byCpu[cpu] = placement;
  }
  return placement;
}

/**
 * Freezes a context before a policy sees it (for `place` and `tick`): its arrays and the Linux
 * softnet view too, so no write reaches a value the model or the judge reads.
 */
export function freezeContext(ctx: DispatchContext): DispatchContext {
  Object.freeze(ctx.workstreamCpus);
  if (ctx.softnet !== undefined) Object.freeze(ctx.softnet);
  return Object.freeze(ctx);
}

/**
 * The one way the model asks a policy: the view and the context are frozen (a write throws in the
 * policy's strict-mode module and is charged to it as `threw`), the call and every read of its
 * answer are guarded, and the answer is judged against the model's values in the frozen context,
 * which the policy cannot change.
 */
export function askPolicy(
  policy: DispatchPolicy,
  view: PacketView,
  ctx: DispatchContext,
): Placement | PolicyError {
  // The model's contexts are plain data objects: frozen, their fields are the bounds, and stay so.
  const frozen = freezeContext(ctx);
  let answer: unknown;
  try {
    answer = policy.place(Object.freeze(view), frozen);
  } catch (err) {
    return thrownError(err);
  }
  return parsePlacement(answer, frozen);
}
