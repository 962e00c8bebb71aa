import { assert, bucketId, type CpuId, cpuId } from '../brand.ts';
import type { Packet } from '../packet.ts';
import { isFragment } from '../packet.ts';
import {
  askPolicy,
  type DispatchContext,
  freezeContext,
  isPolicyError,
  type PacketView,
  type Placement,
  type PolicyError,
} from '../policy.ts';
import type { KernelCall } from '../sim/kthread.ts';
import type { NetisrWorkRow } from '../trace.ts';
import type { NetisrProtoName } from '../vocab.ts';
import { DispatchCall, HandlerCall, HybridCall } from './calls.ts';
import type { ProtocolRegistration } from './protocols.ts';
import type { DispatchOptions, NetisrCalls, NetisrSetup, ProtocolHandler, ThreadRef } from './setup.ts';
import { type NetisrWork, type WorkSlot, Workstream } from './workstream.ts';

/** A plain dispatch's options, shared: most dispatches pass none, and each one would make an object. */
const NO_OPTIONS: DispatchOptions = Object.freeze({});

/**
 * The netisr layer (sys/net/netisr.c): per-CPU workstreams with per-protocol queues, placement
 * by the dispatch policy, inline (direct / hybrid) or queued dispatch, and the SWI thread's
 * batch processing.
 *
 *   netisr_dispatch_src -> policy.place -> direct  : handler inline, Disp'd   (N-12)
 *                                       -> hybrid  : handler inline holding DISPATCHING, HDisp'd (N-13d)
 *                                       -> queue   : enqueue while len < qlimit, else QDrops (N-8, N-9)
 */
export class Netisr implements NetisrCalls {
  readonly workstreams: readonly Workstream[];
  readonly #setup: NetisrSetup;
  readonly #protoIndex = new Map<string, number>();
  readonly #handlers = new Map<string, ProtocolHandler>();
  /** Per protocol, made once: the policy context's queue functions and the handler frame's name and size. */
  readonly #perProto = new Map<string, ProtoCalls>();
  readonly #dispatchFrameBytes: number;
  /** The model variants #enqueue consults on every packet, looked up once. */
  readonly #variants: { dropsOneEarly: boolean; qdropsNotCounted: boolean; threadStalls: boolean };
  /** The context's functions about the machine rather than one protocol's queue, made once. */
  readonly #busy: DispatchContext['busy'] = (c) => this.workstreams[c]?.busy ?? false;
  readonly #bucketCpu: DispatchContext['bucketCpu'];
  readonly #bucketOf: DispatchContext['bucketOf'];

  constructor(setup: NetisrSetup) {
    this.#setup = setup;
    for (const [i, p] of setup.protocols.entries()) this.#protoIndex.set(p.reg.name, i);
    const withThread = new Set(setup.workstreamCpus);
    const workstreams: Workstream[] = [];
    for (let cpu = 0; cpu < setup.cpuCount; cpu++)
      workstreams.push(new Workstream(cpuId(cpu), withThread.has(cpuId(cpu)), setup.protocols));
    this.workstreams = workstreams;
    this.#dispatchFrameBytes = setup.frameBytes('netisr_dispatch_src');
    this.#variants = {
      dropsOneEarly: setup.variants.has('netisr-drops-one-early'),
      qdropsNotCounted: setup.variants.has('netisr-qdrops-not-counted'),
      threadStalls: setup.variants.has('netisr-thread-stalls'),
    };
    const { buckets } = setup;
    this.#bucketCpu = (b) => buckets.bucketCpus[b & buckets.bucketMask] ?? cpuId(0);
    this.#bucketOf = (hash) => bucketId(hash & buckets.bucketMask);
  }

  #calls(proto: NetisrProtoName): ProtoCalls {
    const known = this.#perProto.get(proto);
    if (known !== undefined) return known;
    const index = this.#protoIndex.get(proto) ?? -1;
    const slot = this.#setup.protocols[index];
    const inputFrame = `${proto}_input`;
    // A struct not used yet is at its initial counts: an empty queue at the registered qlimit.
    const calls: ProtoCalls = {
      inputFrame,
      inputFrameBytes: this.#setup.frameBytes(inputFrame),
      queueLengthPackets: (c) => this.workstreams[c]?.used(index)?.lenPackets ?? 0,
      queueLimitPackets: (c) => {
        const ws = this.workstreams[c];
        return ws === undefined ? 0 : (ws.used(index)?.qlimitPackets ?? slot?.qlimitPackets ?? 0);
      },
    };
    this.#perProto.set(proto, calls);
    return calls;
  }

  /** nh_handler for a protocol; every registered protocol that carries packets needs one. */
  setHandler(proto: NetisrProtoName, handler: ProtocolHandler): void {
    if (!this.#protoIndex.has(proto)) assert(false, `netisr: no netisr protocol '${proto}' registered`);
    this.#handlers.set(proto, handler);
  }

  registration(proto: NetisrProtoName): ProtocolRegistration {
    const slot = this.#setup.protocols[this.#protoIndex.get(proto) ?? -1];
    if (slot === undefined) assert(false, `netisr: no netisr work for '${proto}' on cpu 0`);
    return slot.reg;
  }

  /** netisr_dispatch_src / netisr_queue_src as a kernel call made by `thread`. */
  dispatch(
    proto: NetisrProtoName,
    pkt: Packet,
    thread: ThreadRef,
    options: DispatchOptions = NO_OPTIONS,
  ): KernelCall {
    const source = options.source ?? pkt.netisrSource;
    pkt.netisrSource = source;
    return new DispatchCall(this, this.#dispatchFrameBytes, proto, pkt, thread, options);
  }

  /** What a dispatch call runs once its frame is on the stack (DispatchCall's body). */
  dispatchNow(
    proto: NetisrProtoName,
    pkt: Packet,
    thread: ThreadRef,
    options: DispatchOptions,
  ): KernelCall | undefined {
    const reg = this.registration(proto);
    // N-12: a protocol registered DIRECT (ether) is never placed: it runs inline, no flags.
    if (reg.dispatch === 'direct' && options.deferredOnly !== true) {
      return this.#inline(proto, pkt, thread, 'direct');
    }
    const placement = this.#place(proto, pkt, thread, options.deferredOnly === true);
    if (isPolicyError(placement)) {
      this.#policyError(proto, pkt, thread, placement);
      options.onDropped?.();
      return undefined;
    }
    if (placement.mode === 'queue') {
      if (!this.#enqueue(proto, pkt, thread, placement.cpu)) options.onDropped?.();
      return undefined;
    }
    return this.#inline(proto, pkt, thread, placement.mode);
  }

  #work(cpu: CpuId, proto: NetisrProtoName): NetisrWork {
    const index = this.#protoIndex.get(proto);
    const work = index === undefined ? undefined : this.workstreams[cpu]?.work(index);
    // The message is built only on failure: this runs for every packet.
    if (work === undefined) assert(false, `netisr: no netisr work for '${proto}' on cpu ${cpu}`);
    return work;
  }

  #ws(cpu: CpuId): Workstream {
    const ws = this.workstreams[cpu];
    if (ws === undefined) assert(false, `netisr: no workstream on cpu ${cpu}`);
    return ws;
  }

  #place(
    proto: NetisrProtoName,
    pkt: Packet,
    thread: ThreadRef,
    deferredOnly: boolean,
  ): Placement | PolicyError {
    return askPolicy(
      this.#setup.policy,
      packetView(pkt, proto),
      this.#context(proto, thread.cpu, deferredOnly),
    );
  }

  /** The read-only context handed to policies (and to `tick`). */
  context(proto: NetisrProtoName, cpu: CpuId, deferredOnly = false): DispatchContext {
    return freezeContext(this.#context(proto, cpu, deferredOnly));
  }

  #context(proto: NetisrProtoName, cpu: CpuId, deferredOnly: boolean): DispatchContext {
    const { buckets, workstreamCpus, cpuCount, clock } = this.#setup;
    // A fresh object per call (a policy may keep it), sharing the protocol's functions.
    const calls = this.#calls(proto);
    return {
      cpuCount,
      cpu,
      nowNs: clock.nowNs,
      workstreamCpus,
      deferredOnly,
      queueLengthPackets: calls.queueLengthPackets,
      queueLimitPackets: calls.queueLimitPackets,
      busy: this.#busy,
      bucketCount: buckets.bucketCount,
      bucketCpu: this.#bucketCpu,
      bucketOf: this.#bucketOf,
    };
  }

  #policyError(proto: NetisrProtoName, pkt: Packet, thread: ThreadRef, error: PolicyError): void {
    const { trace, clock, policy } = this.#setup;
    trace.record({
      atNs: clock.nowNs,
      pkt: pkt.id,
      flow: pkt.flow.id,
      cpu: thread.cpu,
      kind: 'policy-error',
      policy: policy.name,
      error: error.kind,
      message: error.message,
    });
    // The packet cannot be placed: it is freed and counted, so conservation still holds.
    trace.record({
      atNs: clock.nowNs,
      pkt: pkt.id,
      flow: pkt.flow.id,
      cpu: thread.cpu,
      kind: 'drop',
      where: 'policy',
      reason: error.kind,
      counter: `${proto}.policy_errors`,
    });
  }

  #inline(proto: NetisrProtoName, pkt: Packet, thread: ThreadRef, mode: 'direct' | 'hybrid'): KernelCall {
    const { trace, clock } = this.#setup;
    const ws = this.#ws(thread.cpu);
    const work = this.#work(thread.cpu, proto);
    trace.record({
      kind: 'dispatch',
      atNs: clock.nowNs,
      pkt: pkt.id,
      proto,
      thread: thread.id,
      fromCpu: thread.cpu,
      toCpu: thread.cpu,
      mode,
    });
    if (mode === 'direct') {
      // N-12: counted on the current CPU's struct before the handler; no flags, no queue check.
      work.dispatched++;
      work.handled++;
      return this.#handlerCall(proto, pkt, thread);
    }
    const wasDispatching = ws.dispatching;
    ws.dispatching = true;
    return new HybridCall(this, ws, work, wasDispatching, proto, pkt, thread);
  }

  /** N-8 / N-9 (netisr_queue_workstream); answers whether the packet was queued. */
  #enqueue(proto: NetisrProtoName, pkt: Packet, thread: ThreadRef, cpu: CpuId): boolean {
    const { trace, clock } = this.#setup;
    const variants = this.#variants;
    const ws = this.#ws(cpu);
    const work = this.#work(cpu, proto);
    const len = work.lenPackets;
    const limit = variants.dropsOneEarly ? work.qlimitPackets - 1 : work.qlimitPackets;
    // Full literals, in the order the events always had (the trace hash covers key order).
    const atNs = clock.nowNs;
    trace.record({
      atNs,
      pkt: pkt.id,
      kind: 'dispatch',
      proto,
      thread: thread.id,
      fromCpu: thread.cpu,
      toCpu: cpu,
      mode: 'queued',
    });
    if (len >= limit) {
      if (!variants.qdropsNotCounted) work.qdrops++;
      trace.record({
        atNs,
        pkt: pkt.id,
        kind: 'drop',
        flow: pkt.flow.id,
        where: 'netisr-queue',
        reason: 'queue full',
        counter: variants.qdropsNotCounted ? 'none' : `${proto}.QDrops`,
        cpu,
        qlenPackets: len,
        qlimitPackets: work.qlimitPackets,
      });
      return false;
    }
    trace.record({
      atNs,
      pkt: pkt.id,
      kind: 'enqueue',
      proto,
      cpu,
      qlenBeforePackets: len,
      qlimitPackets: work.qlimitPackets,
    });
    work.queue.push(pkt);
    work.queued++;
    if (work.lenPackets > work.watermarkPackets) work.watermarkPackets = work.lenPackets;
    assert(work.watermarkPackets >= work.lenPackets, 'I-2: WMark below Len');
    if (!ws.busy && !variants.threadStalls) ws.scheduled = true;
    return true;
  }

  #handlerCall(proto: NetisrProtoName, pkt: Packet, thread: ThreadRef): KernelCall {
    const handler = this.#handlers.get(proto);
    if (handler === undefined) assert(false, `netisr: protocol '${proto}' has no handler`);
    const calls = this.#calls(proto);
    return new HandlerCall(this.#setup, calls.inputFrame, calls.inputFrameBytes, handler, proto, pkt, thread);
  }

  /** The call the SWI thread makes for one queued packet. */
  handlerCall(proto: NetisrProtoName, pkt: Packet, thread: ThreadRef): KernelCall {
    return this.#handlerCall(proto, pkt, thread);
  }

  /** `netstat -Q` Workstreams rows: CPUs with a thread x registered protocols. */
  rows(): NetisrWorkRow[] {
    const rows: NetisrWorkRow[] = [];
    for (const ws of this.workstreams) {
      if (!ws.hasThread) continue;
      const slots = ws.protocols;
      for (let i = 0; i < slots.length; i++) rows.push(netstatRow(ws.cpu, slots[i] as WorkSlot, ws.used(i)));
    }
    return rows;
  }

  busyCpus(): CpuId[] {
    return this.workstreams.filter((ws) => ws.busy || ws.hasPending).map((ws) => ws.cpu);
  }
}

/** One Workstreams row; a struct never used reads as a fresh one (nothing queued, counted, dropped). */
function netstatRow(cpu: CpuId, slot: WorkSlot, w: NetisrWork | undefined): NetisrWorkRow {
  return {
    wsid: cpu,
    cpu,
    proto: slot.reg.name,
    lenPackets: w?.lenPackets ?? 0,
    watermarkPackets: w?.watermarkPackets ?? 0,
    dispatched: w?.dispatched ?? 0,
    hybridDispatched: w?.hybridDispatched ?? 0,
    qdrops: w?.qdrops ?? 0,
    queued: w?.queued ?? 0,
    handled: w?.handled ?? 0,
    qlimitPackets: w?.qlimitPackets ?? slot.qlimitPackets,
  };
}

/** What a protocol's dispatches share: the policy context's queue functions, the handler's frame. */
interface ProtoCalls {
  readonly inputFrame: string;
  readonly inputFrameBytes: number;
  readonly queueLengthPackets: DispatchContext['queueLengthPackets'];
  readonly queueLimitPackets: DispatchContext['queueLimitPackets'];
}

/** The read-only projection a policy sees. */
export function packetView(pkt: Packet, protocol: string): PacketView {
  const { flow } = pkt;
  const fragmentOffsetBytes = pkt.fragment?.offsetBytes ?? 0;
  return {
    id: pkt.id,
    flow: flow.id,
    seq: pkt.seq,
    protocol,
    family: flow.family,
    ipProto: flow.ipProto,
    src: flow.srcText,
    dst: flow.dstText,
    // A fragment past the first carries no transport header: no ports to read (0), as in the kernel.
    sport: fragmentOffsetBytes > 0 ? 0 : flow.sport,
    dport: fragmentOffsetBytes > 0 ? 0 : flow.dport,
    hash: pkt.hash,
    hashType: pkt.hashType,
    isFragment: isFragment(pkt),
    fragmentOffsetBytes,
    rxRing: pkt.rxRing,
    rcvifIndex: pkt.rcvifIndex,
    source: pkt.netisrSource,
    encapDepth: pkt.encap.length,
  };
}
