import { assert, bucketId, type CpuId, cpuId, type ThreadId } from '../brand.ts';
import type { Packet } from '../packet.ts';
import { isFragment } from '../packet.ts';
import {
  askPolicy,
  type DispatchContext,
  type DispatchPolicy,
  freezeContext,
  isPolicyError,
  type PacketView,
  type Placement,
  type PolicyError,
} from '../policy.ts';
import type { BucketTable } from '../rss/buckets.ts';
import type { VirtualClock } from '../sim/clock.ts';
import type { KernelCall } from '../sim/kthread.ts';
import type { NetisrWorkRow, TraceRecorder } from '../trace.ts';
import type { ModelVariant } from '../variants.ts';
import type { ProtocolRegistration } from './protocols.ts';
import { NetisrWork, Workstream } from './workstream.ts';

/** The thread making a call: its identity and CPU. */
export interface ThreadRef {
  readonly id: ThreadId;
  readonly cpu: CpuId;
}

/** A protocol handler (nh_handler): the calls it makes for one packet. */
export type ProtocolHandler = (pkt: Packet, thread: ThreadRef) => readonly KernelCall[];

export interface NetisrSetup {
  readonly cpuCount: number;
  /** nws_array: CPUs with a netisr thread, in creation order. */
  readonly workstreamCpus: readonly CpuId[];
  /** Registrations with their effective qlimits, sorted by protocol number. */
  readonly protocols: readonly { readonly reg: ProtocolRegistration; readonly qlimitPackets: number }[];
  readonly buckets: BucketTable;
  readonly policy: DispatchPolicy;
  readonly clock: VirtualClock;
  readonly trace: TraceRecorder;
  readonly variants: ReadonlySet<ModelVariant>;
  readonly frameBytes: (frame: string) => number;
}

export interface DispatchOptions {
  /** netisr `source` (S-3: the SPI on IPsec re-injection). */
  readonly source?: number;
  /** netisr_queue_src: always queue on the chosen CPU (N-7). */
  readonly deferredOnly?: boolean;
  /**
   * Told when netisr freed the packet instead of taking it (queue full, N-9, or no placement):
   * the caller's ENOBUFS, so it can release what it attached to the mbuf (IPsec's deferral tag).
   */
  readonly onDropped?: () => void;
}

/**
 * The netisr layer (sys/net/netisr.c): per-CPU workstreams with per-protocol queues, placement
 * by the dispatch policy, inline (direct / hybrid) or queued dispatch, and the SWI thread's
 * batch processing.
 *
 *   netisr_dispatch_src -> policy.place -> direct  : handler inline, Disp'd   (N-12)
 *                                       -> hybrid  : handler inline holding DISPATCHING, HDisp'd (N-13d)
 *                                       -> queue   : enqueue while len < qlimit, else QDrops (N-8, N-9)
 */
export class Netisr {
  readonly workstreams: readonly Workstream[];
  readonly #setup: NetisrSetup;
  readonly #protoIndex = new Map<string, number>();
  readonly #handlers = new Map<string, ProtocolHandler>();

  constructor(setup: NetisrSetup) {
    this.#setup = setup;
    for (const [i, p] of setup.protocols.entries()) this.#protoIndex.set(p.reg.name, i);
    const withThread = new Set(setup.workstreamCpus);
    this.workstreams = Array.from({ length: setup.cpuCount }, (_, cpu) => {
      const works = setup.protocols.map((p) => new NetisrWork(p.reg, p.qlimitPackets));
      return new Workstream(cpuId(cpu), withThread.has(cpuId(cpu)), works);
    });
  }

  /** nh_handler for a protocol; every registered protocol that carries packets needs one. */
  setHandler(proto: string, handler: ProtocolHandler): void {
    assert(this.#protoIndex.has(proto), `N-0: no netisr protocol '${proto}' registered`);
    this.#handlers.set(proto, handler);
  }

  registration(proto: string): ProtocolRegistration {
    return this.#work(cpuId(0), proto).reg;
  }

  /** netisr_dispatch_src / netisr_queue_src as a kernel call made by `thread`. */
  dispatch(proto: string, pkt: Packet, thread: ThreadRef, options: DispatchOptions = {}): KernelCall {
    const source = options.source ?? pkt.netisrSource;
    pkt.netisrSource = source;
    return {
      frame: 'netisr_dispatch_src',
      frameBytes: this.#setup.frameBytes('netisr_dispatch_src'),
      run: () => {
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
      },
    };
  }

  #work(cpu: CpuId, proto: string): NetisrWork {
    const index = this.#protoIndex.get(proto);
    const work = index === undefined ? undefined : this.workstreams[cpu]?.works[index];
    assert(work !== undefined, `N-0: no netisr work for '${proto}' on cpu ${cpu}`);
    return work;
  }

  #ws(cpu: CpuId): Workstream {
    const ws = this.workstreams[cpu];
    assert(ws !== undefined, `N-0: no workstream on cpu ${cpu}`);
    return ws;
  }

  #place(proto: string, pkt: Packet, thread: ThreadRef, deferredOnly: boolean): Placement | PolicyError {
    return askPolicy(
      this.#setup.policy,
      packetView(pkt, proto),
      this.#context(proto, thread.cpu, deferredOnly),
    );
  }

  /** The read-only context handed to policies (and to `tick`). */
  context(proto: string, cpu: CpuId, deferredOnly = false): DispatchContext {
    return freezeContext(this.#context(proto, cpu, deferredOnly));
  }

  #context(proto: string, cpu: CpuId, deferredOnly: boolean): DispatchContext {
    const { buckets, workstreamCpus, cpuCount, clock } = this.#setup;
    const work = (c: number) => this.workstreams[c]?.works[this.#protoIndex.get(proto) ?? -1];
    return {
      cpuCount,
      cpu,
      nowNs: clock.nowNs,
      workstreamCpus,
      deferredOnly,
      queueLengthPackets: (c) => work(c)?.lenPackets ?? 0,
      queueLimitPackets: (c) => work(c)?.qlimitPackets ?? 0,
      busy: (c) => this.workstreams[c]?.busy ?? false,
      bucketCount: buckets.bucketCount,
      bucketCpu: (b) => buckets.bucketCpus[b & buckets.bucketMask] ?? cpuId(0),
      bucketOf: (hash) => bucketId(hash & buckets.bucketMask),
    };
  }

  #policyError(proto: string, pkt: Packet, thread: ThreadRef, error: PolicyError): void {
    const { trace, clock, policy } = this.#setup;
    const base = { atNs: clock.nowNs, pkt: pkt.id, flow: pkt.flow.id, cpu: thread.cpu };
    trace.record({
      ...base,
      kind: 'policy-error',
      policy: policy.name,
      error: error.kind,
      message: error.message,
    });
    // The packet cannot be placed: it is freed and counted, so conservation still holds.
    trace.record({
      ...base,
      kind: 'drop',
      where: 'policy',
      reason: error.kind,
      counter: `${proto}.policy_errors`,
    });
  }

  #inline(proto: string, pkt: Packet, thread: ThreadRef, mode: 'direct' | 'hybrid'): readonly KernelCall[] {
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
      return [this.#handlerCall(proto, pkt, thread)];
    }
    const wasDispatching = ws.dispatching;
    ws.dispatching = true;
    return [
      {
        frame: 'netisr_hybrid',
        frameBytes: 0,
        run: () => [this.#handlerCall(proto, pkt, thread)],
        after: () => {
          ws.dispatching = wasDispatching;
          work.handled++;
          work.hybridDispatched++;
          // N-13d: work queued meanwhile (by others, or nested dispatches, N-22) wakes the SWI.
          if (ws.hasPending && !ws.running && !ws.dispatching) ws.scheduled = true;
        },
      },
    ];
  }

  /** N-8 / N-9 (netisr_queue_workstream); answers whether the packet was queued. */
  #enqueue(proto: string, pkt: Packet, thread: ThreadRef, cpu: CpuId): boolean {
    const { trace, clock, variants } = this.#setup;
    const ws = this.#ws(cpu);
    const work = this.#work(cpu, proto);
    const len = work.lenPackets;
    const limit = variants.has('netisr-drops-one-early') ? work.qlimitPackets - 1 : work.qlimitPackets;
    const at = { atNs: clock.nowNs, pkt: pkt.id };
    trace.record({
      ...at,
      kind: 'dispatch',
      proto,
      thread: thread.id,
      fromCpu: thread.cpu,
      toCpu: cpu,
      mode: 'queued',
    });
    if (len >= limit) {
      if (!variants.has('netisr-qdrops-not-counted')) work.qdrops++;
      trace.record({
        ...at,
        kind: 'drop',
        flow: pkt.flow.id,
        where: 'netisr-queue',
        reason: 'queue full',
        counter: variants.has('netisr-qdrops-not-counted') ? 'none' : `${proto}.QDrops`,
        cpu,
        qlenPackets: len,
        qlimitPackets: work.qlimitPackets,
      });
      return false;
    }
    trace.record({
      ...at,
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
    if (!ws.busy && !variants.has('netisr-thread-stalls')) ws.scheduled = true;
    return true;
  }

  #handlerCall(proto: string, pkt: Packet, thread: ThreadRef): KernelCall {
    const handler = this.#handlers.get(proto);
    assert(handler !== undefined, `N-0: protocol '${proto}' has no handler`);
    return {
      frame: `${proto}_input`,
      frameBytes: this.#setup.frameBytes(`${proto}_input`),
      run: () => {
        this.#setup.trace.record({
          kind: 'handle',
          atNs: this.#setup.clock.nowNs,
          pkt: pkt.id,
          flow: pkt.flow.id,
          seq: pkt.seq,
          proto,
          cpu: thread.cpu,
          thread: thread.id,
          hash: pkt.hash,
          hashType: pkt.hashType,
        });
        return handler(pkt, thread);
      },
    };
  }

  /** The call the SWI thread makes for one queued packet. */
  handlerCall(proto: string, pkt: Packet, thread: ThreadRef): KernelCall {
    return this.#handlerCall(proto, pkt, thread);
  }

  /** `netstat -Q` Workstreams rows: CPUs with a thread x registered protocols. */
  rows(): NetisrWorkRow[] {
    const rows: NetisrWorkRow[] = [];
    for (const ws of this.workstreams) {
      if (!ws.hasThread) continue;
      for (const w of ws.works) {
        rows.push({
          wsid: ws.cpu,
          cpu: ws.cpu,
          proto: w.reg.name,
          lenPackets: w.lenPackets,
          watermarkPackets: w.watermarkPackets,
          dispatched: w.dispatched,
          hybridDispatched: w.hybridDispatched,
          qdrops: w.qdrops,
          queued: w.queued,
          handled: w.handled,
          qlimitPackets: w.qlimitPackets,
        });
      }
    }
    return rows;
  }

  busyCpus(): CpuId[] {
    return this.workstreams.filter((ws) => ws.busy || ws.hasPending).map((ws) => ws.cpu);
  }
}

/** The read-only projection a policy sees. */
export function packetView(pkt: Packet, protocol: string): PacketView {
  const { flow } = pkt;
  return {
    id: pkt.id,
    flow: flow.id,
    seq: pkt.seq,
    protocol,
    family: flow.family,
    ipProto: flow.ipProto,
    src: flow.srcText,
    dst: flow.dstText,
    sport: flow.sport,
    dport: flow.dport,
    hash: pkt.hash,
    hashType: pkt.hashType,
    isFragment: isFragment(pkt),
    fragmentOffsetBytes: pkt.fragment?.offsetBytes ?? 0,
    rxRing: pkt.rxRing,
    rcvifIndex: pkt.rcvifIndex,
    source: pkt.netisrSource,
    encapDepth: pkt.encap.length,
  };
}
