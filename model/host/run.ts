import { cpuId } from '../brand.ts';
import { type InetEnv, ipDirectInputHandler, ipInputHandler } from '../inet/ip_input.ts';
import { Reassembly } from '../inet/reassembly.ts';
import { RssPromise } from '../inet/rss-promise.ts';
import { Machine } from '../machine.ts';
import type { Netisr } from '../netisr/netisr.ts';
import type { ThreadRef } from '../netisr/setup.ts';
import type { Flow, Packet } from '../packet.ts';
import { isFragment } from '../packet.ts';
import { type DispatchPolicy, instantiatePolicy, type PolicySource } from '../policy.ts';
import { err, ok, type Result } from '../result.ts';
import { makeFlow, rssHash, rssHashTrusted } from '../rss/flowhash.ts';
import type { KernelCall } from '../sim/kthread.ts';
import type { Schedule } from '../sim/schedule.ts';
import type { NetisrWorkRow, Trace } from '../trace.ts';
import type { NetisrProtoName } from '../vocab.ts';
import {
  type BootEnv,
  bootNetisr,
  freebsdKernelHeader,
  rxRings,
  standbyRings,
  startInterruptThreads,
  startNetisrThreads,
} from './boot.ts';
import { type HostConfig, hostNetstatQ, type ResolvedHostConfig, resolveHostConfig } from './config.ts';
import { frameBytesLookup } from './frames.ts';
import type { Nic, RxRing } from './nic.ts';
import { TunWriter, TunWriterState } from './tun.ts';
import type { Workload } from './workload.ts';

export interface RunInput {
  readonly config: HostConfig;
  readonly workload: Workload;
  readonly schedule: Schedule;
  readonly policy: PolicySource;
}

export interface RunResult {
  readonly trace: Trace;
  readonly config: ResolvedHostConfig;
  readonly policyName: string;
  /** `netstat -Q` at the end of the run. */
  readonly netstatQ: string;
  readonly stats: Readonly<Record<string, number>>;
}

/** The protocol an RSS kernel hands a reassembled datagram to (ip_direct_input, F-27). */
const DIRECT_PROTO = { ip: 'ip_direct', ip6: 'ip6_direct' } as const satisfies Record<
  string,
  NetisrProtoName
>;

/** A driver or link-layer frame whose one nested call is a netisr dispatch (a class: no closure per packet). */
class DispatchingCall implements KernelCall {
  constructor(
    readonly frame: string,
    readonly frameBytes: number,
    readonly netisr: Netisr,
    readonly proto: NetisrProtoName,
    readonly pkt: Packet,
    readonly thread: ThreadRef,
  ) {}

  run(): KernelCall {
    return this.netisr.dispatch(this.proto, this.pkt, this.thread);
  }
}

/** The receive path of one simulated FreeBSD host, wired for one run. */
class Host {
  readonly machine: Machine;
  readonly netisr: Netisr;
  readonly policy: DispatchPolicy;
  readonly nic: Nic;
  readonly #cfg: ResolvedHostConfig;
  /** GENERIC with `options RSS`: the NIC, the promise, ether_demux and reassembly all follow it. */
  readonly #rss: boolean;
  readonly #frameBytes: (frame: string) => number;
  readonly #promise: RssPromise;
  /** The counters of the latest snapshot: after `run`, the end-of-run ones (nothing runs after it). */
  lastRows: readonly NetisrWorkRow[] = [];
  lastStats: Readonly<Record<string, number>> = {};

  constructor(
    cfg: ResolvedHostConfig,
    flows: readonly Flow[],
    workload: Workload,
    schedule: Schedule,
    source: PolicySource,
  ) {
    this.#cfg = cfg;
    this.#rss = cfg.kernel === 'freebsd-rss';
    this.#frameBytes = frameBytesLookup(cfg.frameBytes);
    this.machine = new Machine(schedule, cfg.limits, freebsdKernelHeader(cfg));
    const { sim, trace } = this.machine;
    this.policy = instantiatePolicy(source, {
      cpuCount: cfg.cpuCount,
      workstreamCpus: cfg.workstreamCpus,
      bucketCount: cfg.buckets.bucketCount,
    });
    const boot: BootEnv = {
      cfg,
      sim,
      trace,
      frameBytes: this.#frameBytes,
      stackOf: (cpu) => this.machine.kernelStack(cpu, cfg.kstackBytes),
    };
    this.netisr = bootNetisr(boot, this.policy);
    this.#promise = new RssPromise({
      rss: this.#rss,
      buckets: cfg.buckets,
      protocols: cfg.protocols,
      workstreamCpus: cfg.workstreamCpus,
      ringCpus: cfg.ringCpus,
      ringOf: (hash) => this.nic.ringOf(hash),
    });
    this.#registerHandlers();
    const rings = rxRings(cfg);
    // Created only when the workload uses them, so other runs keep their thread ids and traces.
    const standby = workload.items.some((it) => it.kind === 'failover') ? standbyRings(cfg) : undefined;
    const tun = workload.items.some(
      (it) => it.kind === 'migrate' || (it.kind === 'packet' && it.via === 'tun0'),
    )
      ? new TunWriterState(cpuId(0))
      : undefined;
    this.nic = this.machine.addNic({
      flows,
      workload,
      rings,
      rss: this.#rss,
      buckets: cfg.buckets,
      hashConfig: cfg.hashConfig,
      rcvifIndex: 1,
      onArrival: (n) => this.#onArrival(n),
      onSnapshot: () => this.snapshot(false),
      bucketCpuPromise: (flow, hash, hashType) => this.#promise.arrival(flow.family, hash, hashType),
      wrongRing: cfg.variants.has('nic-wrong-rx-ring'),
      cpuCount: cfg.cpuCount,
      standbyRings: standby,
      tun,
    });
    startInterruptThreads(boot, rings, (pkt, thread) => this.#rxeof(pkt, thread));
    startNetisrThreads(boot, this.netisr);
    this.#startMovers(boot, standby, tun);
  }

  /** The standby port's interrupt threads and the tun0 writer (one actor per CPU it may run on). */
  #startMovers(boot: BootEnv, standby: readonly RxRing[] | undefined, tun: TunWriterState | undefined): void {
    if (standby !== undefined)
      startInterruptThreads(boot, standby, (pkt, thread) => this.#rxeof(pkt, thread));
    if (tun === undefined) return;
    for (let c = 0; c < this.#cfg.cpuCount; c++) {
      const write = (pkt: Packet, thread: TunWriter): KernelCall => ({
        frame: 'tunwrite',
        frameBytes: this.#frameBytes('tunwrite'),
        run: () => this.netisr.dispatch(pkt.flow.family === 'inet' ? 'ip' : 'ip6', pkt, thread),
      });
      this.machine.sim.addActor(
        new TunWriter(tun, this.machine.kernelStack(cpuId(c), this.#cfg.kstackBytes), write),
      );
    }
  }

  #registerHandlers(): void {
    const has = (name: NetisrProtoName) => this.#cfg.protocols.some((p) => p.reg.name === name);
    const reassembly = this.#reassembly(has);
    const env: InetEnv = {
      trace: this.machine.trace,
      clock: this.machine.sim.clock,
      stats: this.machine.stats,
      frameBytes: this.#frameBytes,
      reassemble: (pkt, thread) => reassembly.reassemble(pkt, thread),
    };
    this.netisr.setHandler('ether', (pkt, thread) => this.#etherDemux(pkt, thread));
    for (const family of ['ip', 'ip6'] as const) {
      this.netisr.setHandler(family, ipInputHandler(env, family));
      const direct = DIRECT_PROTO[family];
      if (has(direct)) this.netisr.setHandler(direct, ipDirectInputHandler(env, family));
    }
  }

  /** ip_reass and frag6_input, with their callouts on the virtual clock (model/inet/reassembly.ts). */
  #reassembly(has: (name: NetisrProtoName) => boolean): Reassembly {
    const cfg = this.#cfg;
    return new Reassembly({
      trace: this.machine.trace,
      clock: this.machine.sim.clock,
      stats: this.machine.stats,
      frameBytes: this.#frameBytes,
      timers: {
        arm: (atNs, fire) => this.machine.sim.timers.arm(atNs, fire),
        cancel: (h) => this.machine.sim.timers.cancel(h),
      },
      sysctl: cfg.sysctl,
      variants: cfg.variants,
      rss: this.#rss,
      hashConfig: cfg.hashConfig,
      buckets: cfg.buckets,
      promise: this.#promise,
      directProto: (family) => {
        const name = DIRECT_PROTO[family === 'inet' ? 'ip' : 'ip6'];
        return has(name) ? name : undefined;
      },
      dispatch: (proto, pkt, thread) => this.netisr.dispatch(proto, pkt, thread),
    });
  }

  /** The driver's rx completion: ether_input -> netisr_dispatch(NETISR_ETHER). */
  #rxeof(pkt: Packet, thread: ThreadRef): KernelCall {
    return new DispatchingCall(
      'ixgbe_rxeof',
      this.#frameBytes('ixgbe_rxeof'),
      this.netisr,
      'ether',
      pkt,
      thread,
    );
  }

  /**
   * ether_demux: hand the packet to ip or ip6. An RSS kernel's ip m2cpuid (rss_soft_m2cpuid_v4)
   * first replaces a hash of the wrong type with the software hash (R-15..R-17).
   */
  #etherDemux(pkt: Packet, thread: ThreadRef): KernelCall {
    if (this.#rss) {
      // Variant rss-soft-hash-ignores-fragment: the first fragment carries the ports.
      const firstPiece = pkt.fragment?.offsetBytes === 0;
      const frag =
        isFragment(pkt) && !(this.#cfg.variants.has('rss-soft-hash-ignores-fragment') && firstPiece);
      if (!rssHashTrusted(pkt.flow, frag, pkt.hashType, this.#cfg.hashConfig)) {
        const soft = rssHash(pkt.flow, frag, this.#cfg.hashConfig);
        pkt.hash = soft.hash;
        pkt.hashType = soft.hashType;
      }
    }
    const proto = pkt.flow.family === 'inet' ? 'ip' : 'ip6';
    return new DispatchingCall(
      'ether_demux',
      this.#frameBytes('ether_demux'),
      this.netisr,
      proto,
      pkt,
      thread,
    );
  }

  #onArrival(arrivals: number): void {
    if (this.policy.tick === undefined || arrivals % this.#cfg.limits.policyTickPackets !== 0) return;
    this.policy.tick(this.netisr.context('ip', cpuId(0)));
  }

  snapshot(quiescent: boolean): void {
    this.lastRows = this.netisr.rows();
    this.lastStats = this.machine.stats.snapshot();
    this.machine.recordCounters(quiescent, this.lastRows, this.lastStats);
  }

  run(): Trace {
    return this.machine.run({
      busyCpus: () => this.netisr.busyCpus(),
      pendingPackets: () => this.nic.pendingItems,
      snapshot: (quiescent) => this.snapshot(quiescent),
    });
  }
}

/** Parses the workload's flows; answers an error sentence on bad input. */
export function parseFlows(workload: Workload): Result<Flow[], string> {
  const flows: Flow[] = [];
  for (const [i, spec] of workload.flows.entries()) {
    const flow = makeFlow(i, spec);
    if (!flow.ok) return flow;
    flows.push(flow.value);
  }
  const bad = workload.items.find(
    (it) => it.kind === 'packet' && !(Number.isInteger(it.flow) && it.flow >= 0 && it.flow < flows.length),
  );
  if (bad !== undefined) return err(`workload names a flow outside 0..${flows.length - 1}`);
  const badMove = workload.items.find(
    (it) =>
      (it.kind === 'retable' && !(Number.isInteger(it.rotateRings) && it.rotateRings >= 0)) ||
      (it.kind === 'migrate' && !(Number.isInteger(it.cpu) && it.cpu >= 0)),
  );
  if (badMove !== undefined)
    return err(`workload item ${JSON.stringify(badMove)}: want a non-negative integer`);
  return ok(flows);
}

/**
 * Runs the model once: the same input gives a byte-identical trace. Bad configuration or
 * workload answers a sentence (exit 2 at the CLI); a misbehaving policy is recorded in the trace.
 */
export function runHost(input: RunInput): Result<RunResult, string> {
  const resolved = resolveHostConfig(input.config);
  if (!resolved.ok) return resolved;
  const flows = parseFlows(input.workload);
  if (!flows.ok) return flows;
  const cfg = resolved.value;
  const host = new Host(cfg, flows.value, input.workload, input.schedule, input.policy);
  const trace = host.run();
  // The end-of-run rows are the final snapshot's; their text is made only when read (most runs
  // never print it).
  const rows = host.lastRows;
  let netstatQ: string | undefined;
  return ok({
    trace,
    config: cfg,
    policyName: host.policy.name,
    get netstatQ(): string {
      netstatQ ??= hostNetstatQ(cfg, rows);
      return netstatQ;
    },
    stats: host.lastStats,
  });
}
