import { type CpuId, cpuId } from '../model/brand.ts';
import type { Workload } from '../model/host/workload.ts';
import { type LinuxHostConfig, type ResolvedLinuxConfig, resolveLinuxConfig } from '../model/linux/config.ts';
import { linuxDefaultPolicy } from '../model/linux/host.ts';
import { RpsSockFlowTable, rpsCpuMask } from '../model/linux/rps.ts';
import { packetView } from '../model/netisr/netisr.ts';
import type { Flow, Packet } from '../model/packet.ts';
import { askPolicy, type DispatchContext, instantiatePolicy, isPolicyError } from '../model/policy.ts';
import { unwrap } from '../model/result.ts';
import { makeFlow, rssHash } from '../model/rss/flowhash.ts';
import { dispatchRounds, type Fifo, fifo, type HandleState, handle, newPacket } from './fair-baseline.ts';

/**
 * The fair baseline of the Linux receive path (bench:linux): what get_rps_cpu steering must do,
 * and nothing more. Per run: parse and Toeplitz-hash each flow (UDP 4-tuple, as the Linux model's
 * NIC) and instantiate the kernel's steering policy (linuxDefaultPolicy: RPS map, RFS tables).
 * Per packet: the NIC hash, the ring through the 128-entry indirection table (entry i -> ring
 * i % rings), queue on the ring; the ring's NAPI poll takes it and asks the policy (askPolicy, the
 * model's call) with the context's softnet view, then receives inline or enqueues on the target
 * CPU's backlog FIFO, which that CPU drains. Every receive keeps per-flow order bookkeeping (the
 * socket's) and records the flow in the RFS socket table, as the socket's reader does. No trace,
 * skbs, counters, schedule or softirq accounting: rings and backlogs are served round robin.
 *
 * With RPS or no steering the CPU of each packet depends only on its hash, so the baseline puts
 * every packet where the model does (`handledCpu`, checked by the bench). With RFS it depends on
 * where the reader ran, which the baseline does not schedule: same work, not the same CPUs.
 */
export interface LinuxBaselineInput {
  readonly config: LinuxHostConfig;
  readonly workload: Workload;
}

const RETA_ENTRIES = 128;

export function linuxFairBaseline(input: LinuxBaselineInput, handledCpu?: Int32Array): number {
  const cfg = unwrap(resolveLinuxConfig(input.config));
  const flows: Flow[] = input.workload.flows.map((spec, i) => unwrap(makeFlow(i, spec)));
  const policy = instantiatePolicy(linuxDefaultPolicy(cfg), {
    cpuCount: cfg.cpuCount,
    workstreamCpus: Array.from({ length: cfg.cpuCount }, (_, c) => cpuId(c)),
    bucketCount: RETA_ENTRIES,
  });
  const rings = cfg.ringCpus.map(() => fifo());
  const backlogs = Array.from({ length: cfg.cpuCount }, () => fifo());
  const rfs = new RpsSockFlowTable(cfg.sysctl['net.core.rps_sock_flow_entries'], cfg.cpuCount);
  const state: HandleState = { lastSeq: new Int32Array(flows.length).fill(-1), checksum: 0, handledCpu };
  const seqByFlow = new Int32Array(flows.length);
  const hashConfig = { udp4Tuple: true };
  let id = 0;
  for (const item of input.workload.items) {
    if (item.kind !== 'packet') continue;
    const flow = flows[item.flow] as Flow;
    const seq = seqByFlow[item.flow] ?? 0;
    seqByFlow[item.flow] = seq + 1;
    const { hash, hashType } = rssHash(flow, false, hashConfig);
    const ring = (hash & (RETA_ENTRIES - 1)) % rings.length;
    (rings[ring] as Fifo).items.push(newPacket(id++, flow, seq, ring, cfg, hash, hashType));
  }
  const ctxOf = linuxContext(cfg, backlogs, rfs);
  const receive = (pkt: Packet, cpu: number) => {
    handle(state, pkt, cpu);
    rfs.record(pkt.hash, cpuId(cpu));
  };
  const place = (pkt: Packet, here: CpuId) => {
    const placement = askPolicy(policy, packetView(pkt, 'ip'), ctxOf(here));
    if (isPolicyError(placement)) throw new Error(`linux baseline: policy answered ${placement.message}`);
    return placement;
  };
  dispatchRounds({ rings, cpus: backlogs, ringCpus: cfg.ringCpus }, place, receive);
  return state.checksum;
}

/** The context the Linux model hands get_rps_cpu, its softnet view read from the baseline's backlogs. */
function linuxContext(cfg: ResolvedLinuxConfig, backlogs: readonly Fifo[], rfs: RpsSockFlowTable) {
  const workstreamCpus = Array.from({ length: cfg.cpuCount }, (_, c) => cpuId(c));
  const len = (c: number) => {
    const q = backlogs[c];
    return q === undefined ? 0 : q.items.length - q.head;
  };
  const limit = cfg.sysctl['net.core.netdev_max_backlog'] + 1;
  const softnet = {
    inputQueueHead: (c: number) => backlogs[c]?.head ?? 0,
    inputQueueTail: (c: number) => backlogs[c]?.items.length ?? 0,
    sockFlowEntry: (hash: number) => rfs.entry(hash),
    rpsCpuMask: rpsCpuMask(cfg.cpuCount),
    saveQtail: () => {},
  };
  return (cpu: CpuId): DispatchContext => ({
    cpuCount: cfg.cpuCount,
    cpu,
    nowNs: 0 as DispatchContext['nowNs'],
    workstreamCpus,
    deferredOnly: false,
    queueLengthPackets: len,
    queueLimitPackets: () => limit,
    busy: (c) => len(c) > 0,
    bucketCount: RETA_ENTRIES,
    bucketCpu: (b) => cfg.ringCpus[(b & (RETA_ENTRIES - 1)) % cfg.ringCpus.length] ?? cpuId(0),
    bucketOf: (h) => (h & (RETA_ENTRIES - 1)) as ReturnType<DispatchContext['bucketOf']>,
    softnet,
  });
}
