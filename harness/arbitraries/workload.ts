import fc from 'fast-check';
import type { Workload, WorkloadItem } from '../../model/host/workload.ts';
import type { FlowSpec } from '../../model/rss/flowhash.ts';
import { hashTargetsArb, withHashes } from './boundary-hash.ts';
import { plainRecord } from './plain-record.ts';

/** IP protocols: TCP and UDP most of the time, and others (ICMP, GRE, SCTP) hashed on the 2-tuple. */
const ipProtoArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 4, arbitrary: fc.constantFrom(6, 17) },
  { weight: 1, arbitrary: fc.constantFrom(1, 47, 132) },
);

/** A flow's address and port draws, before any hash is solved for. */
const flowDrawArb = plainRecord({
  v6: fc.boolean(),
  ipProto: ipProtoArb,
  a: fc.nat({ max: 255 }),
  b: fc.nat({ max: 255 }),
  c: fc.nat({ max: 255 }),
  sport: fc.nat({ max: 0xffff }),
  dport: fc.nat({ max: 0xffff }),
});

type FlowDraw = typeof flowDrawArb extends fc.Arbitrary<infer T> ? T : never;

/** The flow a draw names: v4 in 10/8 to 192.168/16, v6 in 2001:db8::/32. */
function flowSpecOf({ v6, ipProto, a, b, c, sport, dport }: FlowDraw): FlowSpec {
  return {
    family: v6 ? 'inet6' : 'inet',
    ipProto,
    src: v6 ? `2001:db8:${a.toString(16)}::${b.toString(16)}` : `10.${a}.${b}.${c}`,
    dst: v6 ? `2001:db8:ffff::${c.toString(16)}` : `192.168.${c}.1`,
    sport,
    dport,
  };
}

/** The addresses `flowSpecOf` writes, as bytes (what parseAddress reads from them): the solver's input. */
function addressBytesOf({ v6, a, b, c }: FlowDraw): [number[], number[]] {
  if (!v6)
    return [
      [10, a, b, c],
      [192, 168, c, 1],
    ];
  const doc = [0x20, 0x01, 0x0d, 0xb8];
  return [
    [...doc, 0, a, 0, 0, 0, 0, 0, 0, 0, 0, 0, b],
    [...doc, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, c],
  ];
}

/** A flow as drawn, no hash solved for (what the edge flows start from). */
export const plainFlowSpecArb: fc.Arbitrary<FlowSpec> = flowDrawArb.map(flowSpecOf);

/**
 * One flow: v4 or v6, any ports; the addresses come from a few random bytes. One flow in four
 * has its hashes solved onto an edge (boundary-hash.ts: 0, 0xffffffff, a full bucket mask ...);
 * shrinking may drop the targets (cross-shrink), so an edge stays where the failure needs it.
 */
export const flowSpecArb: fc.Arbitrary<FlowSpec> = plainRecord({
  draw: flowDrawArb,
  edge: fc.oneof(
    { withCrossShrink: true },
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: hashTargetsArb },
  ),
}).map(({ draw, edge }) => {
  const spec = flowSpecOf(draw);
  if (edge === null) return spec;
  const [src, dst] = addressBytesOf(draw);
  return withHashes(spec, edge, src, dst);
});

/**
 * Swarm weights, drawn once per run (as TigerBeetle's swarm options): some runs have no pauses or
 * no snapshots at all, some are all bursts. Percentages of items that are pauses / snapshots.
 */
export const workloadMixArb = plainRecord({
  pausePercent: fc.constantFrom(0, 5, 20),
  snapshotPercent: fc.constantFrom(0, 10, 30),
  burstPackets: fc.constantFrom(1, 4, 16),
});

export type WorkloadMix = typeof workloadMixArb extends fc.Arbitrary<infer M> ? M : never;

/** One raw item: `select` picks packet / pause / snapshot by the mix; packets come in bursts of one flow. */
const rawItemArb = plainRecord({
  select: fc.nat({ max: 99 }),
  flow: fc.nat(),
  burst: fc.nat({ max: 15 }),
  pauseNs: fc.integer({ min: 1_000, max: 2_000_000 }),
});

type RawItem = typeof rawItemArb extends fc.Arbitrary<infer R> ? R : never;

export interface WorkloadConstraints {
  /** Raw items per workload (a burst is one item). @defaultValue 24 */
  readonly itemsMax?: number;
  /** Packets per workload, a hard cap that keeps one run around a millisecond. @defaultValue 96 */
  readonly packetsMax?: number;
}

/** Folds raw items into workload items; `select` shrinks toward 0, which is a single packet. */
export function toWorkloadItems(
  mix: WorkloadMix,
  flowCount: number,
  raw: readonly RawItem[],
  packetsMax: number,
): WorkloadItem[] {
  const items: WorkloadItem[] = [];
  let packets = 0;
  const packetPercent = 100 - mix.pausePercent - mix.snapshotPercent;
  for (const r of raw) {
    if (r.select >= packetPercent + mix.pausePercent) items.push({ kind: 'snapshot' });
    else if (r.select >= packetPercent) items.push({ kind: 'pause', ns: r.pauseNs });
    else {
      const burst = 1 + (r.burst % mix.burstPackets);
      for (let k = 0; k < burst && packets < packetsMax; k++, packets++) {
        items.push({ kind: 'packet', flow: r.flow % flowCount });
      }
    }
  }
  return items;
}

/**
 * The flow mixes the issue names, as the length of the flow list: one flow, a few heavy flows (the
 * packets split over 2..4), many mice (5..24 flows, a packet or two each).
 */
export const flowsArb: fc.Arbitrary<FlowSpec[]> = fc.oneof(
  { withCrossShrink: true },
  { weight: 1, arbitrary: fc.array(flowSpecArb, { minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.array(flowSpecArb, { minLength: 2, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(flowSpecArb, { minLength: 5, maxLength: 24 }) },
);

/**
 * Workloads: one flow, a few heavy flows or many mice; v4/v6; TCP, UDP and other protocols; bursts
 * of one flow back to back; idle pauses; snapshot points, in per-run swarm proportions.
 */
export function workloadArb(c: WorkloadConstraints = {}): fc.Arbitrary<Workload> {
  const itemsMax = c.itemsMax ?? 24;
  const packetsMax = c.packetsMax ?? 96;
  return plainRecord({
    mix: workloadMixArb,
    flows: flowsArb,
    raw: fc.array(rawItemArb, { minLength: 1, maxLength: itemsMax, size: 'medium' }),
  }).map(({ mix, flows, raw }) => usedFlowsOnly(flows, toWorkloadItems(mix, flows.length, raw, packetsMax)));
}

/**
 * Keeps the flows some packet names, renumbered in order of first use, so a shrunk counterexample
 * lists no idle flows (a workload without packets keeps its first flow).
 */
export function usedFlowsOnly(flows: readonly FlowSpec[], items: readonly WorkloadItem[]): Workload {
  const renumber = new Map<number, number>();
  for (const it of items)
    if (it.kind === 'packet' && !renumber.has(it.flow)) renumber.set(it.flow, renumber.size);
  if (renumber.size === 0) return { flows: flows.slice(0, 1), items };
  const used = [...renumber.keys()].map((i) => flows[i]).filter((f): f is FlowSpec => f !== undefined);
  return {
    flows: used,
    items: items.map((it) => (it.kind === 'packet' ? { ...it, flow: renumber.get(it.flow) ?? 0 } : it)),
  };
}
