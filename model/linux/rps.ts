import { type CpuId, cpuId } from '../brand.ts';
import type { DispatchContext, DispatchPolicy, PacketView, PolicyFactory } from '../policy.ts';
import { RPS_NO_CPU } from './knobs.ts';

/** rps_cpu_mask = roundup_pow_of_two(nr_cpu_ids) - 1 (R3). */
export function rpsCpuMask(cpuCount: number): number {
  return cpuCount <= 1 ? 0 : 2 ** Math.ceil(Math.log2(cpuCount)) - 1;
}

/**
 * rps_sock_flow_table (net.core.rps_sock_flow_entries; R1): recvmsg records, per flow hash, the
 * CPU the reading thread ran on, tagged with the hash's high bits. Global kernel state: the host
 * owns it; RFS policies read it through `ctx.softnet`.
 */
export class RpsSockFlowTable {
  readonly #ents: Uint32Array | undefined;
  readonly #cpuMask: number;

  constructor(entries: number, cpuCount: number) {
    this.#ents = entries > 0 ? new Uint32Array(entries) : undefined;
    this.#cpuMask = rpsCpuMask(cpuCount);
  }

  /** rps_record_sock_flow: only a non-zero hash is recorded. */
  record(hash: number, cpu: CpuId): void {
    if (this.#ents === undefined || hash === 0) return;
    this.#ents[hash & (this.#ents.length - 1)] = ((hash & ~this.#cpuMask) | cpu) >>> 0;
  }

  entry(hash: number): number | undefined {
    return this.#ents === undefined ? undefined : this.#ents[hash & (this.#ents.length - 1)];
  }
}

/** reciprocal_scale(hash, len): the high bits pick the rps_map entry (R6), not hash % len. */
export function reciprocalScale(hash: number, len: number): number {
  return Math.floor(((hash >>> 0) * len) / 2 ** 32);
}

export interface RpsConfig {
  /** rps_map->cpus (from rx-N/rps_cpus); empty: RPS off. */
  readonly rpsCpus: readonly number[];
  /** rx-N/rps_flow_cnt (a power of two); 0: RFS off on the queue. */
  readonly rpsFlowCnt: number;
  /** Pre-fix behaviour: move a flow without waiting for its old backlog (breaks R4). */
  readonly migrateImmediately?: boolean;
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
 * RPS and RFS as a dispatch policy: get_rps_cpu (net/core/dev.c). The rps_dev_flow table of each
 * rx queue is the policy's own state (fresh per run). R3..R5: with a matching socket-table entry,
 * the flow follows its reader's CPU, but moves only once the old CPU's backlog has taken off every
 * packet this entry queued there (input_queue_head - last_qtail >= 0, as signed 32-bit). R6:
 * otherwise the rps_map by the hash's high bits. No map and no RFS: -1, inline.
 */
export function rpsPolicy(rps: RpsConfig): PolicyFactory {
  return (cfg) => {
    const tables = new Map<number, DevFlow[]>();
    const devTable = (ring: number): DevFlow[] => {
      let t = tables.get(ring);
      if (t === undefined) {
        t = Array.from({ length: rps.rpsFlowCnt }, () => ({ cpu: RPS_NO_CPU, lastQtail: 0 }));
        tables.set(ring, t);
      }
      return t;
    };
    const rfs = (pkt: PacketView, ctx: DispatchContext): number => {
      const sn = ctx.softnet;
      if (sn === undefined || rps.rpsFlowCnt === 0) return -1;
      const ident = sn.sockFlowEntry(pkt.hash);
      if (ident === undefined || ((ident ^ pkt.hash) & ~sn.rpsCpuMask) !== 0) return -1;
      const nextCpu = ident & sn.rpsCpuMask;
      const rflow = devTable(pkt.rxRing)[pkt.hash & (rps.rpsFlowCnt - 1)];
      if (rflow === undefined) return -1;
      let tcpu = rflow.cpu;
      if (tcpu < cfg.cpuCount && ((sn.inputQueueTail(tcpu) - rflow.lastQtail) | 0) < 0) {
        // The last enqueue through this entry was refused: its saved tail was never reached.
        rflow.lastQtail = sn.inputQueueTail(tcpu);
      }
      const drained = tcpu < cfg.cpuCount && ((sn.inputQueueHead(tcpu) - rflow.lastQtail) | 0) >= 0;
      if (tcpu !== nextCpu && (tcpu >= cfg.cpuCount || drained || rps.migrateImmediately === true)) {
        tcpu = nextCpu < cfg.cpuCount ? nextCpu : RPS_NO_CPU; // set_rps_cpu
        rflow.cpu = tcpu;
      }
      if (tcpu >= cfg.cpuCount) return -1;
      // rps_input_queue_tail_save: the tail after this packet's increment (R5).
      rflow.lastQtail = (sn.inputQueueTail(tcpu) + 1) >>> 0;
      return tcpu;
    };
    return {
      name: rps.rpsFlowCnt > 0 ? 'linux-rfs' : rps.rpsCpus.length > 0 ? 'linux-rps' : 'linux-no-steering',
      place(pkt, ctx) {
        if (pkt.hash === 0) return placeOn(-1, ctx);
        const steered = rfs(pkt, ctx);
        if (steered >= 0) return placeOn(steered, ctx);
        if (rps.rpsCpus.length === 0) return placeOn(-1, ctx);
        return placeOn(rps.rpsCpus[reciprocalScale(pkt.hash, rps.rpsCpus.length)] ?? -1, ctx);
      },
    } satisfies DispatchPolicy;
  };
}
