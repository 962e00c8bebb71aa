import { cpuId, type ThreadId, virtualNs } from '../brand.ts';
import { type InetEnv, ipDirectInputHandler, ipInputHandler } from '../inet/ip_input.ts';
import { Reassembly } from '../inet/reassembly.ts';
import { RssPromise } from '../inet/rss-promise.ts';
import type { Netisr, ThreadRef } from '../netisr/netisr.ts';
import type { Flow, Packet } from '../packet.ts';
import { isFragment } from '../packet.ts';
import { type DispatchPolicy, instantiatePolicy, type PolicySource } from '../policy.ts';
import { makeFlow, rssHash, rssHashTrusted } from '../rss/flowhash.ts';
import { type KernelCall, KernelStack } from '../sim/kthread.ts';
import type { Schedule } from '../sim/schedule.ts';
import { Simulator } from '../sim/simulator.ts';
import { StatCounters } from '../stats.ts';
import { type Trace, TraceRecorder } from '../trace.ts';
import {
  type BootEnv,
  bootNetisr,
  rxRings,
  standbyRings,
  startInterruptThreads,
  startNetisrThreads,
} from './boot.ts';
import { type HostConfig, hostNetstatQ, type ResolvedHostConfig, resolveHostConfig } from './config.ts';
import { frameBytesLookup } from './frames.ts';
import { Nic, type RxRing } from './nic.ts';
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

/** The receive path of one simulated FreeBSD host, wired for one run. */
class Host {
  readonly sim: Simulator;
  readonly trace: TraceRecorder;
  readonly stats = new StatCounters();
  readonly netisr: Netisr;
  readonly policy: DispatchPolicy;
  readonly nic: Nic;
  readonly #cfg: ResolvedHostConfig;
  readonly #frameBytes: (frame: string) => number;
  readonly #promise: RssPromise;

  constructor(
    cfg: ResolvedHostConfig,
    flows: readonly Flow[],
    workload: Workload,
    schedule: Schedule,
    source: PolicySource,
  ) {
    this.#cfg = cfg;
    this.#frameBytes = frameBytesLookup(cfg.frameBytes);
    this.sim = new Simulator(schedule, cfg.limits);
    this.trace = new TraceRecorder(cfg.limits.traceEventsMax);
    this.policy = instantiatePolicy(source, {
      cpuCount: cfg.cpuCount,
      workstreamCpus: cfg.workstreamCpus,
      bucketCount: cfg.buckets.bucketCount,
    });
    const boot: BootEnv = {
      cfg,
      sim: this.sim,
      trace: this.trace,
      frameBytes: this.#frameBytes,
      stackOf: (cpu) => this.#stack(cpu),
    };
    this.netisr = bootNetisr(boot, this.policy);
    this.#promise = new RssPromise({
      rss: cfg.kernel === 'freebsd-rss',
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
    this.nic = new Nic({
      id: this.sim.nextThreadId(),
      flows,
      workload,
      rings,
      rss: cfg.kernel === 'freebsd-rss',
      buckets: cfg.buckets,
      hashConfig: cfg.hashConfig,
      rcvifIndex: 1,
      trace: this.trace,
      clock: this.sim.clock,
      stats: this.stats,
      onArrival: (n) => this.#onArrival(n),
      onSnapshot: () => this.snapshot(false),
      wakeAt: (atNs) => this.sim.at(virtualNs(atNs), () => {}),
      bucketCpuPromise: (flow, hash, hashType) => this.#promise.arrival(flow.family, hash, hashType),
      wrongRing: cfg.variants.has('nic-wrong-rx-ring'),
      cpuCount: cfg.cpuCount,
      ...(standby === undefined ? {} : { standbyRings: standby }),
      ...(tun === undefined ? {} : { tun }),
    });
    this.sim.addActor(this.nic);
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
        run: () => [this.netisr.dispatch(pkt.flow.family === 'inet' ? 'ip' : 'ip6', pkt, thread)],
      });
      this.sim.addActor(new TunWriter(tun, this.#stack(cpuId(c)), write));
    }
  }

  #stack(cpu: ReturnType<typeof cpuId>): KernelStack {
    const thread: ThreadId = this.sim.nextThreadId();
    return new KernelStack(thread, cpu, (depthBytes, frames, pkt) => {
      this.trace.record({
        kind: 'stack',
        atNs: this.sim.clock.nowNs,
        thread,
        cpu,
        depthBytes,
        kstackBytes: this.#cfg.kstackBytes,
        frames: frames.join('>'),
        pkt,
      });
    });
  }

  #registerHandlers(): void {
    const has = (name: string) => this.#cfg.protocols.some((p) => p.reg.name === name);
    const reassembly = this.#reassembly(has);
    const env: InetEnv = {
      trace: this.trace,
      clock: this.sim.clock,
      stats: this.stats,
      frameBytes: this.#frameBytes,
      reassemble: (pkt, thread) => reassembly.reassemble(pkt, thread),
    };
    this.netisr.setHandler('ether', (pkt, thread) => this.#etherDemux(pkt, thread));
    this.netisr.setHandler('ip', ipInputHandler(env, 'ip'));
    this.netisr.setHandler('ip6', ipInputHandler(env, 'ip6'));
    if (has('ip_direct')) this.netisr.setHandler('ip_direct', ipDirectInputHandler(env, 'ip'));
    if (has('ip6_direct')) this.netisr.setHandler('ip6_direct', ipDirectInputHandler(env, 'ip6'));
  }

  /** ip_reass and frag6_input, with their callouts on the virtual clock (model/inet/reassembly.ts). */
  #reassembly(has: (name: string) => boolean): Reassembly {
    const cfg = this.#cfg;
    return new Reassembly({
      trace: this.trace,
      clock: this.sim.clock,
      stats: this.stats,
      frameBytes: this.#frameBytes,
      timers: {
        arm: (atNs, fire) => this.sim.timers.arm(atNs, fire),
        cancel: (h) => this.sim.timers.cancel(h),
      },
      sysctl: cfg.sysctl,
      variants: cfg.variants,
      rss: cfg.kernel === 'freebsd-rss',
      hashConfig: cfg.hashConfig,
      buckets: cfg.buckets,
      promise: this.#promise,
      directProto: (family) => {
        const name = family === 'inet' ? 'ip_direct' : 'ip6_direct';
        return has(name) ? name : undefined;
      },
      dispatch: (proto, pkt, thread) => this.netisr.dispatch(proto, pkt, thread),
    });
  }

  /** The driver's rx completion: ether_input -> netisr_dispatch(NETISR_ETHER). */
  #rxeof(pkt: Packet, thread: ThreadRef): KernelCall {
    return {
      frame: 'ixgbe_rxeof',
      frameBytes: this.#frameBytes('ixgbe_rxeof'),
      run: () => [this.netisr.dispatch('ether', pkt, thread)],
    };
  }

  /**
   * ether_demux: hand the packet to ip or ip6. An RSS kernel's ip m2cpuid (rss_soft_m2cpuid_v4)
   * first replaces a hash of the wrong type with the software hash (R-15..R-17).
   */
  #etherDemux(pkt: Packet, thread: ThreadRef): readonly KernelCall[] {
    if (this.#cfg.kernel === 'freebsd-rss') {
      // Variant rss-soft-hash-ignores-fragment: the first fragment carries the ports.
      const frag =
        isFragment(pkt) &&
        !(this.#cfg.variants.has('rss-soft-hash-ignores-fragment') && pkt.fragment?.offsetBytes === 0);
      if (!rssHashTrusted(pkt.flow, frag, pkt.hashType, this.#cfg.hashConfig)) {
        const soft = rssHash(pkt.flow, frag, this.#cfg.hashConfig);
        pkt.hash = soft.hash;
        pkt.hashType = soft.hashType;
      }
    }
    const proto = pkt.flow.family === 'inet' ? 'ip' : 'ip6';
    return [
      {
        frame: 'ether_demux',
        frameBytes: this.#frameBytes('ether_demux'),
        run: () => [this.netisr.dispatch(proto, pkt, thread)],
      },
    ];
  }

  #onArrival(arrivals: number): void {
    if (this.policy.tick === undefined || arrivals % this.#cfg.limits.policyTickPackets !== 0) return;
    this.policy.tick(this.netisr.context('ip', cpuId(0)));
  }

  snapshot(quiescent: boolean): void {
    this.trace.record({
      kind: 'counters',
      atNs: this.sim.clock.nowNs,
      quiescent,
      netisr: this.netisr.rows(),
      stats: this.stats.snapshot(),
    });
  }

  run(): Trace {
    const outcome = this.sim.run(() => this.trace.full);
    const pendingPackets = this.nic.pendingItems;
    this.snapshot(outcome === 'quiescent');
    return this.trace.finish({
      kind: 'end',
      atNs: virtualNs(this.sim.clock.nowNs),
      outcome: this.trace.full ? 'trace-full' : outcome,
      steps: this.sim.steps,
      busyCpus: this.netisr.busyCpus(),
      pendingPackets,
    });
  }

  netstatQ(): string {
    return hostNetstatQ(this.#cfg, this.netisr.rows());
  }
}

/** Parses the workload's flows; answers an error sentence on bad input. */
export function parseFlows(workload: Workload): Flow[] | string {
  const flows: Flow[] = [];
  for (const [i, spec] of workload.flows.entries()) {
    const flow = makeFlow(i, spec);
    if (typeof flow === 'string') return flow;
    flows.push(flow);
  }
  const bad = workload.items.find((it) => it.kind === 'packet' && (it.flow < 0 || it.flow >= flows.length));
  if (bad !== undefined) return `workload names a flow outside 0..${flows.length - 1}`;
  const badMove = workload.items.find(
    (it) =>
      (it.kind === 'retable' && !(Number.isInteger(it.rotateRings) && it.rotateRings >= 0)) ||
      (it.kind === 'migrate' && !(Number.isInteger(it.cpu) && it.cpu >= 0)),
  );
  if (badMove !== undefined) return `workload item ${JSON.stringify(badMove)}: want a non-negative integer`;
  return flows;
}

/**
 * Runs the model once: the same input gives a byte-identical trace. Bad configuration or
 * workload answers a sentence (exit 2 at the CLI); a misbehaving policy is recorded in the trace.
 */
export function runHost(input: RunInput): RunResult | string {
  const cfg = resolveHostConfig(input.config);
  if (typeof cfg === 'string') return cfg;
  const flows = parseFlows(input.workload);
  if (typeof flows === 'string') return flows;
  const host = new Host(cfg, flows, input.workload, input.schedule, input.policy);
  const trace = host.run();
  return {
    trace,
    config: cfg,
    policyName: host.policy.name,
    netstatQ: host.netstatQ(),
    stats: host.stats.snapshot(),
  };
}
