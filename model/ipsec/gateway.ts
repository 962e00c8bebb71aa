import { assert, type CpuId, cpuId, type ThreadId } from '../brand.ts';
import {
  type BootEnv,
  bootNetisr,
  freebsdKernelHeader,
  rxRings,
  startInterruptThreads,
  startNetisrThreads,
} from '../host/boot.ts';
import { hostNetstatQ } from '../host/config.ts';
import { frameBytesLookup } from '../host/frames.ts';
import type { Nic } from '../host/nic.ts';
import { parseFlows } from '../host/run.ts';
import type { Workload } from '../host/workload.ts';
import { Machine } from '../machine.ts';
import type { Netisr } from '../netisr/netisr.ts';
import { freebsdNetisrPolicy } from '../netisr/policies.ts';
import type { ThreadRef } from '../netisr/setup.ts';
import type { Flow, Packet } from '../packet.ts';
import { type DispatchPolicy, instantiatePolicy, type PolicySource } from '../policy.ts';
import { ok, type Result } from '../result.ts';
import type { KernelCall, KernelStack } from '../sim/kthread.ts';
import type { Schedule } from '../sim/schedule.ts';
import type { NetisrWorkRow, Trace } from '../trace.ts';
import { Buffers } from './buffers.ts';
import { nestedCall } from './calls.ts';
import { type IpsecGatewayConfig, type ResolvedIpsecGateway, resolveIpsecGateway } from './config.ts';
import { THREAD_BASE_FRAMES, type ThreadBase } from './frames.ts';
import { IpsecInput } from './input.ts';
import { MbufTable } from './mbuf.ts';
import { NetgraphThread } from './netgraph.ts';
import { IpsecOutput } from './output.ts';

export interface GatewayRunInput {
  readonly config: IpsecGatewayConfig;
  readonly workload: Workload;
  readonly schedule: Schedule;
  /** Default: the kernel's own netisr placement (freebsdNetisrPolicy with the gateway's protocol table). */
  readonly policy?: PolicySource;
}

export interface GatewayRunResult {
  readonly trace: Trace;
  /** The name of the policy instance that placed the packets. */
  readonly policyName: string;
  readonly config: ResolvedIpsecGateway;
  /** `netstat -Q` at the end of the run, and at each `snapshot` item of the workload. */
  readonly netstatQ: string;
  readonly snapshots: readonly string[];
  readonly stats: Readonly<Record<string, number>>;
  /** The deepest stack any thread reached, in bytes. */
  readonly stackDepthBytesMax: number;
}

/**
 * A FreeBSD router that forwards what it receives through an IPsec output chain (the D9721
 * benchmark box: clear UDP in on one NIC, encrypted out of another). The receive side is the
 * host's (NIC, rx rings, interrupt threads, netisr ether and ip); ip_input forwards, and the
 * output path of model/ipsec/output.ts recurses or defers. Threads: one interrupt thread per
 * ring, one netisr SWI per workstream, and the netgraph worker on CPU 0.
 */
class Gateway {
  readonly machine: Machine;
  readonly netisr: Netisr;
  readonly nic: Nic;
  readonly ng: NetgraphThread;
  readonly #cfg: ResolvedIpsecGateway;
  readonly #stacks = new Map<ThreadId, KernelStack>();
  /** `netstat -Q` rows at each `snapshot` item; their text is made when read. */
  readonly #snapshotRows: (readonly NetisrWorkRow[])[] = [];
  readonly #mbufs: MbufTable;
  readonly #frameBytes: (frame: string) => number;

  constructor(
    cfg: ResolvedIpsecGateway,
    flows: readonly Flow[],
    workload: Workload,
    schedule: Schedule,
    policy: DispatchPolicy,
  ) {
    const host = cfg.host;
    this.#cfg = cfg;
    const frameBytes = frameBytesLookup(host.frameBytes);
    this.#frameBytes = frameBytes;
    this.machine = new Machine(schedule, host.limits, freebsdKernelHeader(host));
    const { sim, trace, stats } = this.machine;
    this.#mbufs = new MbufTable(new Buffers(trace, sim.clock));
    const boot: BootEnv = {
      cfg: host,
      sim,
      trace,
      frameBytes,
      stackOf: (cpu, kind) => this.#stack(cpu, kind),
    };
    this.netisr = bootNetisr(boot, policy);
    const rings = rxRings(host);
    this.nic = this.machine.addNic({
      flows,
      workload,
      rings,
      rss: host.kernel === 'freebsd-rss',
      buckets: host.buckets,
      hashConfig: host.hashConfig,
      rcvifIndex: cfg.rcvifIndex,
      onArrival: () => undefined,
      onSnapshot: () => this.snapshot(false),
    });
    startInterruptThreads(boot, rings, (pkt, t) => this.#rxeof(pkt, t));
    startNetisrThreads(boot, this.netisr);
    this.ng = new NetgraphThread(this.#stack(cpuId(0), 'ngthread'), frameBytes);
    sim.addActor(this.ng);
    this.#registerHandlers(
      this.#output(),
      new IpsecInput({
        inbound: cfg.inbound,
        stats,
        mbufs: this.#mbufs,
        netisr: this.netisr,
        frameBytes,
      }),
    );
  }

  /** The output path, wired to this host's counters, buffers, netisr and netgraph thread. */
  #output(): IpsecOutput {
    const cfg = this.#cfg;
    const frameBytes = this.#frameBytes;
    return new IpsecOutput({
      chain: cfg.chain,
      trace: this.machine.trace,
      clock: this.machine.sim.clock,
      stats: this.machine.stats,
      mbufs: this.#mbufs,
      netisr: this.netisr,
      frameBytes,
      variants: cfg.host.variants,
      useNetisr: cfg.useNetisr,
      maxNesting: { gif: cfg.ipsec['net.link.gif.max_nesting'], gre: cfg.ipsec['net.link.gre.max_nesting'] },
      netgraph: {
        frameBytes,
        kstackBytes: cfg.host.kstackBytes,
        depthBytes: (t) => this.#stackOf(t).depthBytes,
        enqueue: (item) => this.ng.enqueue(item),
      },
    });
  }

  /**
   * nh_handlers: ether demuxes by family; ip decrypts ESP layers (re-injecting each inner packet)
   * and forwards the rest, ip6 forwards; ipsec continues a deferred output request.
   */
  #registerHandlers(output: IpsecOutput, input: IpsecInput): void {
    this.netisr.setHandler('ether', (pkt, t) => [
      nestedCall(this.#frameBytes, ['ether_demux'], () => [
        this.netisr.dispatch(pkt.flow.family === 'inet' ? 'ip' : 'ip6', pkt, t, {
          onDropped: this.#freeOnDrop(pkt, t),
        }),
      ]),
    ]);
    this.netisr.setHandler('ip', (pkt, t) =>
      input.wants(pkt) ? input.input(pkt, t) : output.forward(pkt, t),
    );
    this.netisr.setHandler('ip6', (pkt, t) => output.forward(pkt, t));
    this.netisr.setHandler('ipsec', (pkt, t) => output.deferredHandler(pkt, t));
  }

  /** Every thread that runs kernel calls got its stack from `#stack`. */
  #stackOf(thread: ThreadRef): KernelStack {
    const stack = this.#stacks.get(thread.id);
    if (stack === undefined) assert(false, `sim: thread ${thread.id} has no kernel stack`);
    return stack;
  }

  #stack(cpu: CpuId, kind: ThreadBase): KernelStack {
    const base = THREAD_BASE_FRAMES[kind].map((frame) => ({ frame, frameBytes: this.#frameBytes(frame) }));
    const stack = this.machine.kernelStack(cpu, this.#cfg.host.kstackBytes, base);
    this.#stacks.set(stack.thread, stack);
    return stack;
  }

  /**
   * The driver's rx completion: the mbuf is filled, then ether_input via netisr. ether is
   * registered DIRECT, so it is never placed nor queued and never dropped there (N-12).
   */
  #rxeof(pkt: Packet, thread: ThreadRef): KernelCall {
    return nestedCall(this.#frameBytes, ['ixgbe_rxeof'], () => {
      this.#mbufs.receive(pkt.id, thread.cpu);
      return [this.netisr.dispatch('ether', pkt, thread)];
    });
  }

  /** netisr freed the packet (queue full, no placement): so are its mbuf and tags (m_freem). */
  #freeOnDrop(pkt: Packet, thread: ThreadRef): () => void {
    return () => this.#mbufs.freem(pkt.id, thread.cpu);
  }

  snapshot(quiescent: boolean): void {
    const rows = this.netisr.rows();
    this.machine.recordCounters(quiescent, rows, this.machine.stats.snapshot());
    if (!quiescent) this.#snapshotRows.push(rows);
  }

  get stackDepthBytesMax(): number {
    let max = 0;
    for (const s of this.#stacks.values()) max = Math.max(max, s.depthBytesMax);
    return max;
  }

  get snapshots(): readonly string[] {
    return this.#snapshotRows.map((rows) => hostNetstatQ(this.#cfg.host, rows));
  }

  run(): Trace {
    return this.machine.run({
      busyCpus: () => this.netisr.busyCpus(),
      pendingPackets: () => this.nic.pendingItems + this.ng.pendingItems,
      snapshot: (quiescent) => this.snapshot(quiescent),
    });
  }

  netstatQ(): string {
    return hostNetstatQ(this.#cfg.host, this.netisr.rows());
  }
}

/**
 * Runs the gateway once; the same input gives a byte-identical trace. Bad configuration or
 * workload answers one sentence (exit 2 at a CLI), never throws.
 */
export function runIpsecGateway(input: GatewayRunInput): Result<GatewayRunResult, string> {
  const resolved = resolveIpsecGateway(input.config);
  if (!resolved.ok) return resolved;
  const flows = parseFlows(input.workload);
  if (!flows.ok) return flows;
  const cfg = resolved.value;
  const host = cfg.host;
  const source =
    input.policy ??
    freebsdNetisrPolicy({
      protocols: host.protocols.map((p) => p.reg),
      dispatch: host.sysctl['net.isr.dispatch'],
    });
  const policy = instantiatePolicy(source, {
    cpuCount: host.cpuCount,
    workstreamCpus: host.workstreamCpus,
    bucketCount: host.buckets.bucketCount,
  });
  const gateway = new Gateway(cfg, flows.value, input.workload, input.schedule, policy);
  const trace = gateway.run();
  // The gateway is at rest once run: the texts are made when first read (most runs read none).
  let netstatQ: string | undefined;
  let snapshots: readonly string[] | undefined;
  return ok({
    trace,
    policyName: policy.name,
    config: cfg,
    get netstatQ(): string {
      netstatQ ??= gateway.netstatQ();
      return netstatQ;
    },
    get snapshots(): readonly string[] {
      snapshots ??= gateway.snapshots;
      return snapshots;
    },
    stats: gateway.machine.stats.snapshot(),
    stackDepthBytesMax: gateway.stackDepthBytesMax,
  });
}
