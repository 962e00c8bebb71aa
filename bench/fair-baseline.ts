import { bucketId, type CpuId, cpuId } from '../model/brand.ts';
import type { ResolvedHostConfig } from '../model/host/config.ts';
import type { Workload } from '../model/host/workload.ts';
import { packetView } from '../model/netisr/netisr.ts';
import type { Flow, Packet } from '../model/packet.ts';
import {
  type DispatchContext,
  instantiatePolicy,
  isPolicyError,
  type PolicySource,
  parsePlacement,
} from '../model/policy.ts';
import { unwrap } from '../model/result.ts';
import { makeFlow, rssHash } from '../model/rss/flowhash.ts';
import type { Trace } from '../model/trace.ts';

/**
 * The fair baseline: what any implementation of the bench scenario must do, and nothing more.
 * Per run: parse and Toeplitz-hash each flow (the model's own makeFlow) and instantiate the
 * policy. Per packet: pick the NIC hash (rssHash) and the ring through the redirection table,
 * queue on the ring; its interrupt thread takes it, builds the policy's packet view and context,
 * calls the policy and parses its answer (the same call the model makes), handles inline or
 * enqueues on the chosen CPU's FIFO, and the CPU's netisr thread dequeues it. Every handle keeps
 * per-flow order bookkeeping (last sequence number seen). No trace, no counters, no stack, no
 * schedule: rings and CPUs are served round robin.
 *
 * `handledCpu[i]` gets the CPU that handled packet i, so the bench can assert the baseline made
 * the same placement as the model for every packet.
 */
export interface BaselineInput {
  readonly cfg: ResolvedHostConfig;
  readonly workload: Workload;
  readonly policy: PolicySource;
}

/** Mirrors the NIC's redirection table with RSS: entry = low 7 bits, bucket, ring. */
const RSS_TABLE_ENTRIES = 128;
/** The one receive interface of the host (the model's rcvifIndex). */
const RCVIF_INDEX = 1;

export interface Fifo {
  readonly items: Packet[];
  head: number;
}

export const fifo = (): Fifo => ({ items: [], head: 0 });

/** Runs the scenario; answers a checksum of the flow-order bookkeeping (so nothing is optimised away). */
export function fairBaseline(input: BaselineInput, handledCpu?: Int32Array): number {
  const { cfg, workload } = input;
  const flows: Flow[] = [];
  for (const [i, spec] of workload.flows.entries()) {
    const flow = unwrap(makeFlow(i, spec));
    flows.push(flow);
  }
  const policy = instantiatePolicy(input.policy, {
    cpuCount: cfg.cpuCount,
    workstreamCpus: cfg.workstreamCpus,
    bucketCount: cfg.buckets.bucketCount,
  });
  const rings = cfg.ringCpus.map(() => fifo());
  const cpus = Array.from({ length: cfg.cpuCount }, () => fifo());
  const state = { lastSeq: new Int32Array(flows.length).fill(-1), checksum: 0, handledCpu };
  const seqByFlow = new Int32Array(flows.length);
  let id = 0;
  for (const item of workload.items) {
    if (item.kind !== 'packet') continue;
    const flow = flows[item.flow] as Flow;
    const seq = seqByFlow[item.flow] ?? 0;
    seqByFlow[item.flow] = seq + 1;
    const { hash, hashType } = rssHash(flow, false, cfg.hashConfig);
    const ring = ((hash & (RSS_TABLE_ENTRIES - 1) & cfg.buckets.bucketMask) % rings.length) as number;
    (rings[ring] as Fifo).items.push(newPacket(id++, flow, seq, ring, cfg, hash, hashType));
  }
  const ctxOf = contextFactory(cfg, cpus);
  const place = (pkt: Packet, here: CpuId): CpuPlacement => {
    const proto = pkt.flow.family === 'inet6' ? 'ip6' : 'ip';
    const ctx = ctxOf(proto, here);
    const placement = parsePlacement(policy.place(packetView(pkt, proto), ctx), ctx);
    if (isPolicyError(placement)) throw new Error(`baseline: policy answered ${placement.message}`);
    return placement;
  };
  dispatchRounds({ rings, cpus, ringCpus: cfg.ringCpus }, place, (pkt, cpu) => handle(state, pkt, cpu));
  return state.checksum;
}

/** Where the policy put a packet: queued to a CPU, or run where it arrived. */
export interface CpuPlacement {
  readonly cpu: number;
  readonly mode: string;
}

/**
 * The dispatch loop both baselines share, as the models run it: each ring hands up one packet in
 * turn, placed by `place` (queued to a CPU's FIFO, or received at once on the ring's CPU); then
 * every CPU drains its FIFO; until the rings are empty.
 */
export function dispatchRounds(
  queues: {
    readonly rings: readonly Fifo[];
    readonly cpus: readonly Fifo[];
    readonly ringCpus: readonly CpuId[];
  },
  place: (pkt: Packet, here: CpuId) => CpuPlacement,
  receive: (pkt: Packet, cpu: number) => void,
): void {
  const { rings, cpus, ringCpus } = queues;
  let moved = true;
  while (moved) {
    moved = false;
    for (let r = 0; r < rings.length; r++) {
      const q = rings[r] as Fifo;
      if (q.head >= q.items.length) continue;
      const pkt = q.items[q.head++] as Packet;
      moved = true;
      const here = ringCpus[r] ?? cpuId(0);
      const placement = place(pkt, here);
      if (placement.mode === 'queue') (cpus[placement.cpu] as Fifo).items.push(pkt);
      else receive(pkt, here);
    }
    for (let c = 0; c < cpus.length; c++) {
      const q = cpus[c] as Fifo;
      while (q.head < q.items.length) receive(q.items[q.head++] as Packet, c);
    }
  }
}

export function newPacket(
  id: number,
  flow: Flow,
  seq: number,
  ring: number,
  cfg: { readonly ringCpus: readonly Packet['allocCpu'][] },
  hash: number,
  hashType: Packet['hashType'],
): Packet {
  return {
    id: id as Packet['id'],
    flow,
    seq,
    arrivedAtNs: 0 as Packet['arrivedAtNs'],
    rxRing: ring,
    allocCpu: cfg.ringCpus[ring] ?? cpuId(0),
    rcvifIndex: RCVIF_INDEX,
    fragment: undefined,
    payloadBytes: 0,
    encap: [],
    hash,
    hashType,
    netisrSource: 0,
  };
}

/** The context the model hands a policy, with queue lengths and busy read from the baseline's FIFOs. */
function contextFactory(cfg: ResolvedHostConfig, cpus: readonly Fifo[]) {
  const { buckets } = cfg;
  const len = (c: number) => {
    const q = cpus[c];
    return q === undefined ? 0 : q.items.length - q.head;
  };
  const queueLimitPackets = () => Number.MAX_SAFE_INTEGER;
  const busy = (c: number) => len(c) > 0;
  const bucketCpu = (b: number) => buckets.bucketCpus[b & buckets.bucketMask] ?? cpuId(0);
  const bucketOf = (hash: number) => bucketId(hash & buckets.bucketMask);
  return (_proto: string, cpu: number): DispatchContext => ({
    cpuCount: cfg.cpuCount,
    cpu: cpuId(cpu),
    nowNs: 0 as DispatchContext['nowNs'],
    workstreamCpus: cfg.workstreamCpus,
    deferredOnly: false,
    queueLengthPackets: len,
    queueLimitPackets,
    busy,
    bucketCount: buckets.bucketCount,
    bucketCpu,
    bucketOf,
  });
}

export interface HandleState {
  readonly lastSeq: Int32Array;
  checksum: number;
  readonly handledCpu: Int32Array | undefined;
}

/** The protocol handler's share: per-flow order bookkeeping, and where the packet went. */
export function handle(s: HandleState, pkt: Packet, cpu: number): void {
  const flow = pkt.flow.id;
  const last = s.lastSeq[flow] ?? -1;
  if (pkt.seq > last) s.lastSeq[flow] = pkt.seq;
  s.checksum = (s.checksum * 31 + pkt.seq + (pkt.seq < last ? 1 : 0)) | 0;
  if (s.handledCpu !== undefined) s.handledCpu[pkt.id] = cpu;
}

/** The CPU of each packet's first ip / ip6 handler in a model trace (-1: never handled). */
export function modelHandledCpus(trace: Trace, packets: number): Int32Array {
  const out = new Int32Array(packets).fill(-1);
  for (const ev of trace) {
    if (ev.kind !== 'handle' || (ev.proto !== 'ip' && ev.proto !== 'ip6')) continue;
    if (ev.pkt < packets && out[ev.pkt] === -1) out[ev.pkt] = ev.cpu;
  }
  return out;
}
