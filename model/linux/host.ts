import { type CpuId, cpuId, type PacketId, packetId } from '../brand.ts';
import { type Nic, RxRing } from '../host/nic.ts';
import { parseFlows } from '../host/run.ts';
import type { Workload } from '../host/workload.ts';
import { linuxRuleNames } from '../kernels.ts';
import { Machine } from '../machine.ts';
import type { Flow } from '../packet.ts';
import {
  type DispatchContext,
  type DispatchPolicy,
  freezeContext,
  instantiatePolicy,
  type PolicySource,
  type SoftnetView,
} from '../policy.ts';
import { ok, type Result } from '../result.ts';
import { makeBucketTable } from '../rss/buckets.ts';
import type { Schedule } from '../sim/schedule.ts';
import type { Trace } from '../trace.ts';
import { type LinuxHostConfig, type ResolvedLinuxConfig, resolveLinuxConfig } from './config.ts';
import { skbAttemptDeferFree } from './defer.ts';
import type { LinuxEnv } from './env.ts';
import { NetRxAction, napiIrq } from './napi.ts';
import {
  type ProcUdpSock,
  renderProcNetSnmpUdp,
  renderProcNetUdp,
  renderSoftnetStat,
  type SoftnetRow,
  UDP_SNMP_FIELDS,
  type UdpMib,
} from './procfs.ts';
import { SocketReader } from './reader.ts';
import { RpsSockFlowTable, rpsCpuMask, rpsPolicy } from './rps.ts';
import { allCpus, LinuxRx } from './rx.ts';
import { type Napi, Softnet } from './softnet.ts';
import { LinuxStatsSnapshot } from './stats-snapshot.ts';
import { UdpSock, UdpStack } from './udp.ts';

/** Multicast clones get ids above every arrival id, so they never collide. */
const CLONE_ID_BASE = 1_000_000_000;
/** The NIC's redirection table: 128 entries, entry i -> ring i % rings (ethtool_rxfh_indir_default). */
const RETA_ENTRIES = 128;

export interface LinuxRunInput {
  readonly config: LinuxHostConfig;
  readonly workload: Workload;
  readonly schedule: Schedule;
  /** Default: RPS/RFS as the rx-N and net.core sysctls configure them (`linuxDefaultPolicy`). */
  readonly policy?: PolicySource;
}

export interface LinuxRunResult {
  readonly trace: Trace;
  readonly config: ResolvedLinuxConfig;
  readonly policyName: string;
  /** /proc/net/softnet_stat, /proc/net/snmp (Udp rows) and /proc/net/udp at the end of the run. */
  readonly softnetStat: string;
  readonly snmpUdp: string;
  readonly procNetUdp: string;
  readonly stats: Readonly<Record<string, number>>;
}

/** The kernel's own steering for a configuration: get_rps_cpu over rps_map and the RFS tables. */
export function linuxDefaultPolicy(cfg: ResolvedLinuxConfig): PolicySource {
  const rfsOn = cfg.sysctl['net.core.rps_sock_flow_entries'] > 0;
  return rpsPolicy({
    rpsCpus: cfg.rpsCpus,
    rpsFlowCnt: rfsOn ? cfg.sysctl['rx-N/rps_flow_cnt'] : 0,
    rfsSlotHash32: cfg.rules['rfs-slot-hash32'],
    migrateImmediately: cfg.variants.has('linux-rfs-migrate-immediately'),
    qtailBeforeEnqueue: cfg.variants.has('linux-rfs-qtail-before-enqueue'),
  });
}

/** ethtool_rxfh_indir_default: entry i -> ring i % rings, as the CPU of that ring's IRQ. */
function defaultIndirection(ringCpus: readonly CpuId[]): CpuId[] {
  const out: CpuId[] = [];
  for (let i = 0; i < RETA_ENTRIES; i++) out.push(ringCpus[i % ringCpus.length] ?? cpuId(0));
  return out;
}

/** Per-CPU softnet_data, with a flow-limit table on the CPUs of flow_limit_cpu_bitmap. */
function bootSoftnets(cfg: ResolvedLinuxConfig): Softnet[] {
  const s = cfg.sysctl;
  const flowLimitMask = s['net.core.flow_limit_cpu_bitmap'];
  return allCpus(cfg.cpuCount).map(
    (c) =>
      new Softnet(
        c,
        s['net.core.dev_weight'],
        (flowLimitMask >>> c) & 1 ? s['net.core.flow_limit_table_len'] : undefined,
      ),
  );
}

/** The parts of a Linux DispatchContext that stay the same for a whole run. */
type RunContext = { readonly softnet: SoftnetView } & Pick<
  DispatchContext,
  | 'cpuCount'
  | 'workstreamCpus'
  | 'queueLengthPackets'
  | 'queueLimitPackets'
  | 'busy'
  | 'bucketCpu'
  | 'bucketOf'
>;

/** The receive path of one simulated Linux host, wired for one run. */
class LinuxHost {
  readonly machine: Machine;
  readonly softnets: Softnet[];
  readonly napis: Napi[] = [];
  readonly softirqs: NetRxAction[] = [];
  readonly sockets: UdpSock[];
  readonly policy: DispatchPolicy;
  readonly nic: Nic;
  readonly rings: RxRing[];
  readonly #cfg: ResolvedLinuxConfig;
  readonly #stats: LinuxStatsSnapshot;
  readonly #env: LinuxEnv;
  readonly #rx: LinuxRx;

  constructor(
    cfg: ResolvedLinuxConfig,
    workload: Workload,
    schedule: Schedule,
    source: PolicySource,
    flows: readonly Flow[],
  ) {
    this.#cfg = cfg;
    this.machine = new Machine(schedule, cfg.limits, {
      os: 'linux',
      version: cfg.kernel,
      rules: linuxRuleNames(cfg.kernel),
    });
    const { sim, trace, stats } = this.machine;
    let buf = 0;
    let clone = 0;
    const env: LinuxEnv = {
      cfg,
      trace,
      clock: sim.clock,
      stats,
      has: (v) => cfg.variants.has(v),
      nextBuf: () => buf++,
      nextCloneId: (): PacketId => packetId(CLONE_ID_BASE + clone++),
    };
    this.#env = env;
    const s = cfg.sysctl;
    this.softnets = bootSoftnets(cfg);
    this.policy = instantiatePolicy(source, {
      cpuCount: cfg.cpuCount,
      workstreamCpus: allCpus(cfg.cpuCount),
      bucketCount: RETA_ENTRIES,
    });
    const rfs = new RpsSockFlowTable(s['net.core.rps_sock_flow_entries'], cfg.cpuCount);
    this.sockets = cfg.sockets.map((spec) => new UdpSock(spec));
    this.#stats = new LinuxStatsSnapshot(cfg.cpuCount, this.sockets);
    const raise = (from: CpuId, to: CpuId) => this.#raiseDeferIpi(from, to);
    const udp = new UdpStack(env, this.sockets, rfs, (skb, cpu) =>
      skbAttemptDeferFree(env, this.softnets, skb, cpu, raise),
    );
    const rx = new LinuxRx(env, this.softnets, this.policy, udp, (cpu) => this.#context(cpu, rfs));
    this.#rx = rx;
    this.rings = cfg.ringCpus.map((cpu, i) => new RxRing(i, cpu, s['driver.rx_ring_entries']));
    this.nic = this.machine.addNic({
      flows,
      workload,
      rings: this.rings,
      rss: true,
      buckets: makeBucketTable(defaultIndirection(cfg.ringCpus)),
      hashConfig: { udp4Tuple: true },
      rcvifIndex: 1,
      onArrival: (arrivals) => this.#onArrival(arrivals, rfs),
      onSnapshot: () => this.snapshot(false),
    });
    this.#startThreads(env, rx, udp);
  }

  /** A NAPI context per ring, net_rx_action per CPU, then the socket readers, in thread-id order. */
  #startThreads(env: LinuxEnv, rx: LinuxRx, udp: UdpStack): void {
    const { sim } = this.machine;
    const s = this.#cfg.sysctl;
    for (const ring of this.rings) {
      this.napis.push({
        name: `rxq${ring.index}`,
        cpu: ring.cpu,
        weight: s['driver.napi_weight'],
        ring,
        sched: false,
        missed: false,
        irqArmed: true,
      });
    }
    for (const sd of this.softnets) {
      const actor = new NetRxAction(sim.nextThreadId(), env, sd, this.softnets, rx);
      this.softirqs.push(actor);
      sim.addActor(actor);
    }
    for (const sock of this.sockets) {
      for (const cpu of sock.spec.readerCpus)
        sim.addActor(new SocketReader(sim.nextThreadId(), cpu, sock, udp));
    }
  }

  /** skb_attempt_defer_free's kick: an IPI to the allocating CPU, which raises NET_RX there. */
  #raiseDeferIpi(from: CpuId, to: CpuId): void {
    this.machine.trace.record({
      kind: 'ipi',
      atNs: this.machine.sim.clock.nowNs,
      fromCpu: from,
      toCpu: to,
      reason: 'defer',
    });
    const sd = this.softnets[to];
    if (sd !== undefined) sd.softirqRaised = true;
  }

  /** After each arrival: the ring's IRQ, and the policy's periodic tick (as on FreeBSD). */
  #onArrival(arrivals: number, rfs: RpsSockFlowTable): void {
    this.#irqs();
    if (this.policy.tick === undefined || arrivals % this.#cfg.limits.policyTickPackets !== 0) return;
    this.policy.tick(freezeContext(this.#context(cpuId(0), rfs)));
  }

  /** A packet landed on a ring: the ring's MSI-X vector fires if the driver has it armed. */
  #irqs(): void {
    for (const napi of this.napis) {
      const sd = this.softnets[napi.cpu];
      if (sd !== undefined && napi.ring !== undefined && napi.ring.packets.length > 0)
        napiIrq(this.#env, napi, sd);
    }
  }

  /** What a policy's context holds for the whole run, made on first use (frozen, so shared safely). */
  #runContext: RunContext | undefined;

  #context(cpu: CpuId, rfs: RpsSockFlowTable): DispatchContext {
    this.#runContext ??= this.#makeRunContext(rfs);
    const r = this.#runContext;
    return {
      cpuCount: r.cpuCount,
      cpu,
      nowNs: this.machine.sim.clock.nowNs,
      workstreamCpus: r.workstreamCpus,
      deferredOnly: false,
      queueLengthPackets: r.queueLengthPackets,
      queueLimitPackets: r.queueLimitPackets,
      busy: r.busy,
      bucketCount: RETA_ENTRIES,
      bucketCpu: r.bucketCpu,
      bucketOf: r.bucketOf,
      softnet: r.softnet,
    };
  }

  /** The per-run functions and tables of the context, instead of a dozen closures per packet. */
  #makeRunContext(rfs: RpsSockFlowTable): RunContext {
    const cfg = this.#cfg;
    const sn = (c: number) => this.softnets[c];
    return {
      cpuCount: cfg.cpuCount,
      workstreamCpus: Object.freeze(allCpus(cfg.cpuCount)),
      queueLengthPackets: (c) => sn(c)?.inputPktQueue.length ?? 0,
      queueLimitPackets: () => cfg.sysctl['net.core.netdev_max_backlog'] + 1,
      busy: (c) => this.softirqs[c]?.running ?? false,
      bucketCpu: (b) => cfg.ringCpus[(b & (RETA_ENTRIES - 1)) % cfg.ringCpus.length] ?? cpuId(0),
      bucketOf: (h) => (h & (RETA_ENTRIES - 1)) as ReturnType<DispatchContext['bucketOf']>,
      softnet: Object.freeze({
        inputQueueHead: (c: number) => sn(c)?.inputQueueHead ?? 0,
        inputQueueTail: (c: number) => sn(c)?.inputQueueTail ?? 0,
        sockFlowEntry: (hash: number) => rfs.entry(hash),
        rpsCpuMask: rpsCpuMask(cfg.cpuCount),
        saveQtail: (save: (tail: number) => void) => this.#rx.saveQtail(save),
      }),
    };
  }

  softnetRows(): SoftnetRow[] {
    return this.softnets.map((sd) => ({
      processed: sd.processed,
      dropped: sd.dropped,
      timeSqueeze: sd.timeSqueeze,
      receivedRps: sd.receivedRps,
      flowLimitCount: sd.flowLimitCount,
      backlogLenPackets: sd.backlogLenPackets,
    }));
  }

  udpMib(): UdpMib {
    const out: Record<string, number> = {};
    for (const f of UDP_SNMP_FIELDS) out[f] = this.machine.stats.get(`Udp.${f}`);
    return out as UdpMib;
  }

  procUdpSocks(): ProcUdpSock[] {
    return this.sockets.map((s) => ({
      slot: s.spec.index,
      localAddress: s.spec.group ?? '0.0.0.0',
      localPort: s.spec.port,
      txQueueBytes: 0,
      rxQueueBytes: s.rxQueueBytes,
      uid: 0,
      inode: 10_000 + s.spec.index,
      refcount: 2,
      drops: s.drops,
    }));
  }

  /** Counters as named statistics: Udp MIB, softnet totals and per CPU, per-socket drops. */
  statsSnapshot(): Record<string, number> {
    return this.#stats.take(this.machine.stats, this.softnets, this.sockets);
  }

  snapshot(quiescent: boolean): void {
    this.machine.recordCounters(quiescent, [], this.statsSnapshot());
  }

  run(): Trace {
    return this.machine.run({
      busyCpus: () => this.softirqs.filter((a) => a.runnable()).map((a) => a.cpu),
      pendingPackets: () => this.nic.pendingItems + this.rings.reduce((n, r) => n + r.packets.length, 0),
      snapshot: (quiescent) => this.snapshot(quiescent),
    });
  }
}

/**
 * Runs the Linux model once: the same input gives a byte-identical trace. Bad configuration or
 * workload answers a sentence (exit 2 at a CLI); a misbehaving policy is recorded in the trace.
 */
export function runLinux(input: LinuxRunInput): Result<LinuxRunResult, string> {
  const resolved = resolveLinuxConfig(input.config);
  if (!resolved.ok) return resolved;
  const flows = parseFlows(input.workload);
  if (!flows.ok) return flows;
  const cfg = resolved.value;
  const host = new LinuxHost(
    cfg,
    input.workload,
    input.schedule,
    input.policy ?? linuxDefaultPolicy(cfg),
    flows.value,
  );
  return ok(new FinishedLinuxRun(host.run(), cfg, host));
}

/**
 * A run's result. The host is at rest once run: its counter texts and statistics are made when
 * first read (a fuzz run reads none of them unless it fails); getters on a class, as an object
 * literal with accessors is made by V8's slow path.
 */
class FinishedLinuxRun implements LinuxRunResult {
  readonly trace: Trace;
  readonly config: ResolvedLinuxConfig;
  readonly policyName: string;
  readonly #host: LinuxHost;
  #softnetStat: string | undefined;
  #snmpUdp: string | undefined;
  #procNetUdp: string | undefined;
  #stats: Readonly<Record<string, number>> | undefined;

  constructor(trace: Trace, config: ResolvedLinuxConfig, host: LinuxHost) {
    this.trace = trace;
    this.config = config;
    this.policyName = host.policy.name;
    this.#host = host;
  }

  get softnetStat(): string {
    this.#softnetStat ??= renderSoftnetStat(this.#host.softnetRows());
    return this.#softnetStat;
  }

  get snmpUdp(): string {
    this.#snmpUdp ??= renderProcNetSnmpUdp(this.#host.udpMib());
    return this.#snmpUdp;
  }

  get procNetUdp(): string {
    this.#procNetUdp ??= renderProcNetUdp(this.#host.procUdpSocks());
    return this.#procNetUdp;
  }

  get stats(): Readonly<Record<string, number>> {
    this.#stats ??= this.#host.statsSnapshot();
    return this.#stats;
  }
}
