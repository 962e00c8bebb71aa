import { bucketId, cpuId, flowId, packetId, virtualNs } from '../model/brand.ts';
import { rpsPolicy } from '../model/linux/rps.ts';
import {
  type DispatchContext,
  type DispatchPolicy,
  instantiatePolicy,
  type PolicySource,
} from '../model/policy.ts';
import type { LivePacket } from './convert.ts';
import type { LiveRecording } from './recording.ts';

/** CPUs of an rps_cpus mask in ascending order: store_rps_map builds rps_map->cpus so. */
export function rpsMapCpus(mask: number, cpuCount: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < cpuCount; c++) if ((mask >>> c) & 1) out.push(c);
  return out;
}

/**
 * The model's get_rps_cpu for the recorded configuration. The live receiver's socket is bound, not
 * connected, so RFS records nothing for it (LinuxSocketSpec.connected false; include/net/rps.h
 * sock_rps_record_flow) and every packet goes by the rps_map, RFS on or off.
 */
export function modelRpsPolicy(rec: LiveRecording): PolicySource {
  return rpsPolicy({ rpsCpus: rpsMapCpus(rec.rpsCpusMask, rec.cpuCount), rpsFlowCnt: 0 });
}

/** The CPU whose backlog the model puts a packet on, from its live hash, rx queue and entry CPU. */
export function modelCpuOf(policy: DispatchPolicy, rec: LiveRecording): (p: LivePacket) => number {
  return (p) => {
    const ctx: DispatchContext = {
      cpuCount: rec.cpuCount,
      cpu: cpuId(p.entryCpu),
      nowNs: virtualNs(0),
      workstreamCpus: [],
      deferredOnly: false,
      queueLengthPackets: () => 0,
      queueLimitPackets: () => rec.maxBacklog + 1,
      busy: () => false,
      bucketCount: 0,
      bucketCpu: () => cpuId(0),
      bucketOf: () => bucketId(0),
    };
    const placed = policy.place(
      {
        id: packetId(p.pkt),
        flow: flowId(p.flow),
        seq: p.seq,
        protocol: 'ip',
        family: 'inet',
        ipProto: 17,
        src: '198.51.100.1',
        dst: '198.51.100.2',
        sport: 0,
        dport: 0,
        hash: p.hash,
        hashType: 'opaque-hash',
        isFragment: false,
        fragmentOffsetBytes: 0,
        rxRing: p.rxQueue,
        rcvifIndex: 0,
        source: 0,
        encapDepth: 0,
      },
      ctx,
    );
    return placed.cpu;
  };
}

export interface AgreementRow {
  readonly flow: number;
  readonly hash: number;
  readonly packets: number;
  readonly agree: number;
  readonly kernelCpus: readonly number[];
  readonly modelCpus: readonly number[];
}

export interface Disagreement {
  readonly pkt: number;
  readonly flow: number;
  readonly seq: number;
  readonly hash: number;
  readonly kernelCpu: number;
  readonly modelCpu: number;
}

/** A packet the kernel received on another CPU than the model's answer. */
function disagreement(p: LivePacket, kernelCpu: number, modelCpu: number): Disagreement {
  return { pkt: p.pkt, flow: p.flow, seq: p.seq, hash: p.hash, kernelCpu, modelCpu };
}

export interface Differential {
  readonly policy: string;
  readonly rows: readonly AgreementRow[];
  readonly compared: number;
  readonly agreed: number;
  readonly disagreements: readonly Disagreement[];
}

/**
 * (a) RPS: for every packet the kernel received (netif_receive_skb), the CPU it ran on against the
 * CPU the model's get_rps_cpu picks from the same hash, rx queue and rps_map. Per-flow table.
 */
export function rpsDifferential(
  rec: LiveRecording,
  packets: readonly LivePacket[],
  source?: PolicySource,
): Differential {
  const policy = instantiatePolicy(source ?? modelRpsPolicy(rec), {
    cpuCount: rec.cpuCount,
    workstreamCpus: [],
    bucketCount: 0,
  });
  const cpuOf = modelCpuOf(policy, rec);
  const rows = new Map<
    number,
    { hash: number; packets: number; agree: number; k: Set<number>; m: Set<number> }
  >();
  const disagreements: Disagreement[] = [];
  for (const p of packets) {
    if (p.receiveCpu === undefined) continue;
    const modelCpu = cpuOf(p);
    const row = rows.get(p.flow) ?? { hash: p.hash, packets: 0, agree: 0, k: new Set(), m: new Set() };
    rows.set(p.flow, row);
    row.packets++;
    row.k.add(p.receiveCpu);
    row.m.add(modelCpu);
    if (modelCpu === p.receiveCpu) row.agree++;
    else disagreements.push(disagreement(p, p.receiveCpu, modelCpu));
  }
  const list = [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([flow, r]) => ({
      flow,
      hash: r.hash,
      packets: r.packets,
      agree: r.agree,
      kernelCpus: [...r.k].sort(),
      modelCpus: [...r.m].sort(),
    }));
  return {
    policy: policy.name,
    rows: list,
    compared: list.reduce((s, r) => s + r.packets, 0),
    agreed: list.reduce((s, r) => s + r.agree, 0),
    disagreements,
  };
}

/** Whether the run's sockets are steered by RFS: RFS on and a connect()ed socket per flow. */
export function rfsSteers(rec: LiveRecording): boolean {
  const s = rec.config.sysctl;
  return (
    rec.config.connected &&
    (s['net.core.rps_sock_flow_entries'] ?? 0) > 0 &&
    (s['rx-N/rps_flow_cnt'] ?? 0) > 0
  );
}

/**
 * (b) RFS with a connected socket per flow and the reader pinned to one CPU: by the model's rule
 * (R3..R5) each flow runs on the CPU its RPS choice gives until RFS moves it to the reader's CPU,
 * once, and never back (the reader does not move). When the move happens depends on when the
 * reader first ran and the old backlog drained: timing, so any packet may be the first moved.
 * A packet on a third CPU, or back on the old one after the move, disagrees.
 */
export function rfsDifferential(
  rec: LiveRecording,
  packets: readonly LivePacket[],
  source?: PolicySource,
): Differential {
  const rps = rpsDifferential(rec, packets, source);
  const policy = instantiatePolicy(source ?? modelRpsPolicy(rec), {
    cpuCount: rec.cpuCount,
    workstreamCpus: [],
    bucketCount: 0,
  });
  const cpuOf = modelCpuOf(policy, rec);
  const reader = rec.config.receiverCpu;
  const moved = new Set<number>();
  const rows = new Map<number, { packets: number; agree: number; k: Set<number> }>();
  const disagreements: Disagreement[] = [];
  for (const p of packets) {
    if (p.receiveCpu === undefined) continue;
    const before = cpuOf(p);
    const row = rows.get(p.flow) ?? { packets: 0, agree: 0, k: new Set<number>() };
    rows.set(p.flow, row);
    row.packets++;
    row.k.add(p.receiveCpu);
    if (p.receiveCpu === reader) moved.add(p.flow);
    const allowed = moved.has(p.flow) ? reader : before;
    if (p.receiveCpu === allowed) row.agree++;
    else disagreements.push(disagreement(p, p.receiveCpu, allowed));
  }
  const list = rps.rows.map((r) => {
    const x = rows.get(r.flow);
    return { ...r, agree: x?.agree ?? 0, modelCpus: [...new Set([...r.modelCpus, reader])].sort() };
  });
  return {
    policy: `${rps.policy} + rfs (reader on cpu ${reader})`,
    rows: list,
    compared: rps.compared,
    agreed: list.reduce((s, r) => s + r.agree, 0),
    disagreements,
  };
}
