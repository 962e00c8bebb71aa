import { type CpuId, cpuId } from '../brand.ts';
import type { DispatchContext, DispatchPolicy, PacketView, PolicyFactory, SoftnetView } from '../policy.ts';
import { RPS_NO_CPU } from './knobs.ts';

/** rps_cpu_mask = roundup_pow_of_two(nr_cpu_ids) - 1 (R3); one CPU: 2 ** 0 - 1 = 0. */
export function rpsCpuMask(cpuCount: number): number {
  return 2 ** Math.ceil(Math.log2(cpuCount)) - 1;
}

/**
 * rps_sock_flow_table (net.core.rps_sock_flow_entries; R1): recvmsg records, per flow hash, the
 * CPU the reading thread ran on, tagged with the hash's high bits. Global kernel state: the host
 * owns it; RFS policies read it through `ctx.softnet`.
 */
export class RpsSockFlowTable {
  /** The table size (a power of two); 0: RFS off. */
  readonly #entries: number;
  /** The entries, zeroed, made at the first record: a run whose readers record nothing needs none. */
  #ents: Uint32Array | undefined;
  readonly #cpuMask: number;

  constructor(entries: number, cpuCount: number) {
    this.#entries = entries;
    this.#cpuMask = rpsCpuMask(cpuCount);
  }

  /** rps_record_sock_flow: only a non-zero hash is recorded. */
  record(hash: number, cpu: CpuId): void {
    if (this.#entries === 0 || hash === 0) return;
    this.#ents ??= new Uint32Array(this.#entries);
    this.#ents[hash & (this.#entries - 1)] = ((hash & ~this.#cpuMask) | cpu) >>> 0;
  }

  entry(hash: number): number | undefined {
    if (this.#entries === 0) return undefined;
    return this.#ents === undefined ? 0 : this.#ents[hash & (this.#entries - 1)];
  }
}

/** reciprocal_scale(hash, len): the high bits pick the rps_map entry (R6), not hash % len. */
export function reciprocalScale(hash: number, len: number): number {
  return Math.floor(((hash >>> 0) * len) / 2 ** 32);
}

/** GOLDEN_RATIO_32 (include/linux/hash.h). */
const GOLDEN_RATIO_32 = 0x61c8_8647;

/** hash_32(val, bits) (include/linux/hash.h): the high `bits` bits of val * GOLDEN_RATIO_32. */
export function hash32(val: number, bits: number): number {
  if (bits <= 0) return 0;
  return (Math.imul(val >>> 0, GOLDEN_RATIO_32) >>> 0) >>> (32 - bits);
}

/** log2 of a power of two (ilog2), as the table sizes are stored from f3483c8e1da6 on; 0 for 0 and 1. */
export function log2PowerOfTwo(n: number): number {
  return Math.max(0, 31 - Math.clz32(n));
}

/**
 * rfs_slot (net/core/dev.c): the rps_dev_flow entry of a hash. From f3483c8e1da6 "net: rfs: hash
 * function change" (6.15) hash_32(hash, log); before, hash & mask, which RSS (hash % rings) has
 * already made constant in its low bits on one queue.
 */
export function rfsSlot(hash: number, flowCnt: number, hash32Slot: boolean): number {
  return hash32Slot ? hash32(hash, log2PowerOfTwo(flowCnt)) : hash & (flowCnt - 1);
}

export interface RpsConfig {
  /** rps_map->cpus (from rx-N/rps_cpus); empty: RPS off. */
  readonly rpsCpus: readonly number[];
  /** rx-N/rps_flow_cnt (a power of two); 0: RFS off on the queue. */
  readonly rpsFlowCnt: number;
  /** rfs_slot by hash_32 (6.15 on, the default) or by hash & mask (before). */
  readonly rfsSlotHash32?: boolean;
  /** Pre-fix behaviour: move a flow without waiting for its old backlog (breaks R4). */
  readonly migrateImmediately?: boolean;
  /**
   * Pre-fix behaviour of this model: last_qtail written as tail + 1 when the CPU is picked, before
   * enqueue_to_backlog answers, patched on a later packet if the enqueue was refused; a move never
   * sets it to the new CPU's head.
   */
  readonly qtailBeforeEnqueue?: boolean;
}

interface DevFlow {
  cpu: number;
  lastQtail: number;
}

/** Where get_rps_cpu sends a packet: a backlog CPU, or -1 (inline on the current CPU, R2). */
function placeOn(cpu: number, ctx: DispatchContext) {
  return cpu < 0 ? { cpu: ctx.cpu, mode: 'direct' as const } : { cpu: cpuId(cpu), mode: 'queue' as const };
}

/**
 * set_rps_cpu (net/core/dev.c): a flow moving to a CPU starts from that CPU's input_queue_head, so
 * a later move away waits only for packets queued after this one (R5).
 */
function setRpsCpu(rflow: DevFlow, nextCpu: number, sn: SoftnetView, cpuCount: number) {
  // "if (next_cpu < nr_cpu_ids)": no per-CPU data is read for a CPU that does not exist. The
  // pre-fix bookkeeping overwrites this at once (qtailBeforeEnqueue), as tcpu is next_cpu.
  if (nextCpu < cpuCount) rflow.lastQtail = sn.inputQueueHead(nextCpu);
  rflow.cpu = nextCpu;
}

/** The pre-fix bookkeeping (qtailBeforeEnqueue): tail + 1 now, patched when a refusal left it unreached. */
function qtailBeforeEnqueue(rflow: DevFlow, tcpu: number, sn: SoftnetView): void {
  rflow.lastQtail = (sn.inputQueueTail(tcpu) + 1) >>> 0;
}

function patchUnreachedQtail(rflow: DevFlow, sn: SoftnetView, cpuCount: number): void {
  if (rflow.cpu < cpuCount && ((sn.inputQueueTail(rflow.cpu) - rflow.lastQtail) | 0) < 0)
    rflow.lastQtail = sn.inputQueueTail(rflow.cpu);
}

/**
 * get_rps_cpu's RFS half (R3..R5): with a matching socket-table entry, the flow follows its
 * reader's CPU, but moves only once the old CPU's backlog has taken off every packet queued through
 * this entry ((int)(input_queue_head - last_qtail) >= 0). The tail is saved by enqueue_to_backlog
 * into last_qtail only when it admits the packet. Answers the CPU, or -1 to fall back to RPS.
 */
function rfsCpu(
  rps: RpsConfig,
  rflow: DevFlow | undefined,
  pkt: PacketView,
  ctx: DispatchContext,
  cpuCount: number,
): number {
  const sn = ctx.softnet;
  if (sn === undefined || rflow === undefined) return -1;
  const ident = sn.sockFlowEntry(pkt.hash);
  if (ident === undefined || ((ident ^ pkt.hash) & ~sn.rpsCpuMask) !== 0) return -1;
  const nextCpu = ident & sn.rpsCpuMask;
  const old = rps.qtailBeforeEnqueue === true;
  if (old) patchUnreachedQtail(rflow, sn, cpuCount);
  let tcpu = rflow.cpu;
  const drained = tcpu < cpuCount && ((sn.inputQueueHead(tcpu) - rflow.lastQtail) | 0) >= 0;
  if (tcpu !== nextCpu && (tcpu >= cpuCount || drained || rps.migrateImmediately === true)) {
    tcpu = nextCpu;
    setRpsCpu(rflow, nextCpu, sn, cpuCount);
  }
  if (tcpu >= cpuCount) return -1;
  if (old) qtailBeforeEnqueue(rflow, tcpu, sn);
  else
    sn.saveQtail?.((tail) => {
      rflow.lastQtail = tail;
    });
  return tcpu;
}

/**
 * RPS and RFS as a dispatch policy: get_rps_cpu (net/core/dev.c). The rps_dev_flow table of each
 * rx queue is the policy's own state (fresh per run). RFS first (rfsCpu); R6: otherwise the rps_map
 * by the hash's high bits. No map and no RFS: -1, inline.
 */
export function rpsPolicy(rps: RpsConfig): PolicyFactory {
  return (cfg) => {
    const tables = new Map<number, DevFlow[]>();
    // rps_flow_cnt 0: an empty table, so no rps_dev_flow and RFS is off on the queue.
    const devFlow = (pkt: PacketView): DevFlow | undefined => {
      let t = tables.get(pkt.rxRing);
      if (t === undefined) {
        t = [];
        for (let i = 0; i < rps.rpsFlowCnt; i++) t.push({ cpu: RPS_NO_CPU, lastQtail: 0 });
        tables.set(pkt.rxRing, t);
      }
      return t[rfsSlot(pkt.hash, rps.rpsFlowCnt, rps.rfsSlotHash32 ?? true)];
    };
    return {
      name: rps.rpsFlowCnt > 0 ? 'linux-rfs' : rps.rpsCpus.length > 0 ? 'linux-rps' : 'linux-no-steering',
      place(pkt, ctx) {
        if (pkt.hash === 0) return placeOn(-1, ctx);
        const steered = rfsCpu(rps, devFlow(pkt), pkt, ctx, cfg.cpuCount);
        if (steered >= 0) return placeOn(steered, ctx);
        // No rps_map (empty): no entry, -1, inline.
        return placeOn(rps.rpsCpus[reciprocalScale(pkt.hash, rps.rpsCpus.length)] ?? -1, ctx);
      },
    } satisfies DispatchPolicy;
  };
}
