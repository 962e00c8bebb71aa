import fc from 'fast-check';
import type { MoveItem, Workload, WorkloadItem } from '../../model/host/workload.ts';
import { plainRecord } from './plain-record.ts';

/**
 * Which way a run moves flows between CPUs (drawn once per run, swarm style): not at all, an
 * `ethtool -X` table rotation, a migrating tun0 writer (every packet is a tun0 write), or a lagg
 * failover. Shrinks toward `none`, so a counterexample keeps a move only when it needs one.
 */
export type MoveKind = 'none' | 'retable' | 'migrate' | 'failover';

export const moveKindArb: fc.Arbitrary<MoveKind> = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.constant('none' as const) },
  { weight: 1, arbitrary: fc.constant('retable' as const) },
  { weight: 1, arbitrary: fc.constant('migrate' as const) },
  { weight: 1, arbitrary: fc.constant('failover' as const) },
);

/** Where moves go: before the packet with this index, and the move's argument (rings, CPU). */
const movePointArb = plainRecord({ beforePacket: fc.nat({ max: 95 }), arg: fc.nat({ max: 63 }) });

export interface Moves {
  readonly kind: MoveKind;
  readonly points: readonly { readonly beforePacket: number; readonly arg: number }[];
}

/** Moves of the swarm mix, or of the given kinds only (tests aiming at one situation). */
export function movesArb(kinds?: readonly MoveKind[]): fc.Arbitrary<Moves> {
  return plainRecord({
    kind: kinds === undefined ? moveKindArb : fc.constantFrom(...kinds),
    points: fc.array(movePointArb, { minLength: 1, maxLength: 3 }),
  });
}

function moveItem(kind: Exclude<MoveKind, 'none'>, arg: number, cpuCount: number, rings: number): MoveItem {
  if (kind === 'retable') return { kind, rotateRings: 1 + (arg % Math.max(1, rings - 1)) };
  if (kind === 'migrate') return { kind, cpu: arg % cpuCount };
  return { kind };
}

/**
 * Puts the moves into a workload: each before the packet it names (folded into the packet
 * count), tun0 writes for `migrate`; CPUs and ring counts folded into the configuration's range.
 */
export function withMoves(workload: Workload, moves: Moves, cpuCount: number, rings: number): Workload {
  const { kind } = moves;
  if (kind === 'none') return workload;
  const packetCount = workload.items.filter((it) => it.kind === 'packet').length;
  const at = new Map<number, MoveItem[]>();
  for (const p of moves.points) {
    const i = packetCount === 0 ? 0 : p.beforePacket % packetCount;
    at.set(i, [...(at.get(i) ?? []), moveItem(kind, p.arg, cpuCount, rings)]);
  }
  const items: WorkloadItem[] = [];
  let packet = 0;
  for (const it of workload.items) {
    if (it.kind !== 'packet') {
      items.push(it);
      continue;
    }
    items.push(...(at.get(packet++) ?? []));
    items.push(kind === 'migrate' ? { ...it, via: 'tun0' } : it);
  }
  return { flows: workload.flows, items };
}
