import type { CpuId } from '../brand.ts';
import type { RxRing } from '../host/nic.ts';
import { Fifo } from '../sim/fifo.ts';
import type { Skb } from './env.ts';
import { FLOW_LIMIT_HISTORY } from './knobs.ts';
import { hash32, log2PowerOfTwo } from './rps.ts';

/**
 * A NAPI instance (struct napi_struct): a device ring's, or a CPU's backlog. `sched` is
 * NAPI_STATE_SCHED, `missed` NAPI_STATE_MISSED, `irqArmed` whether the device IRQ may fire.
 */
export interface Napi {
  readonly name: string;
  readonly cpu: CpuId;
  readonly weight: number;
  readonly ring: RxRing | undefined;
  sched: boolean;
  missed: boolean;
  irqArmed: boolean;
}

/** sd->flow_limit (R8): a 128-slot history of hash buckets and a count per bucket. */
export interface FlowLimit {
  readonly history: number[];
  readonly buckets: Uint16Array;
  historyHead: number;
  count: number;
}

/** struct softnet_data of one CPU: poll list, backlog queues and counters, the defer list. */
export class Softnet {
  readonly cpu: CpuId;
  readonly pollList: Napi[] = [];
  readonly inputPktQueue = new Fifo<Skb>();
  readonly processQueue = new Fifo<Skb>();
  readonly backlog: Napi;
  /** The flow-limit table length on a CPU of flow_limit_cpu_bitmap; undefined elsewhere. */
  readonly #flowLimitBuckets: number | undefined;
  #flowLimit: FlowLimit | undefined;
  /** u32 counters, wrapping (R9): packets taken off / admitted to this CPU's backlog. */
  inputQueueHead = 0;
  inputQueueTail = 0;
  processed = 0;
  dropped = 0;
  timeSqueeze = 0;
  receivedRps = 0;
  /** NET_RX_SOFTIRQ pending on this CPU. */
  softirqRaised = false;
  /** sd->in_net_rx_action: set while net_rx_action runs; left set when it ends with work listed. */
  inNetRxAction = false;
  /** CPUs whose backlog this CPU must IPI at the end of net_rx_action (rps_ipi_list). */
  readonly rpsIpiList: CpuId[] = [];
  /** sd->defer_list, newest first as the kernel pushes at the head; defer_count (D3). */
  readonly deferList: Skb[] = [];
  deferCount = 0;

  constructor(cpu: CpuId, backlogWeight: number, flowLimitBuckets: number | undefined) {
    this.cpu = cpu;
    this.backlog = {
      name: 'backlog',
      cpu,
      weight: backlogWeight,
      ring: undefined,
      sched: false,
      missed: false,
      irqArmed: false,
    };
    this.#flowLimitBuckets = flowLimitBuckets;
  }

  /**
   * sd->flow_limit on a CPU of flow_limit_cpu_bitmap (undefined elsewhere): zeroed, made when first
   * read, as most runs never fill a backlog to half and so never consult it.
   */
  get flowLimit(): FlowLimit | undefined {
    if (this.#flowLimit === undefined && this.#flowLimitBuckets !== undefined) {
      this.#flowLimit = {
        history: new Array<number>(FLOW_LIMIT_HISTORY).fill(0),
        buckets: new Uint16Array(this.#flowLimitBuckets),
        historyHead: 0,
        count: 0,
      };
    }
    return this.#flowLimit;
  }

  /** flow_limit_count of softnet_stat, without making the table. */
  get flowLimitCount(): number {
    return this.#flowLimit?.count ?? 0;
  }

  /** backlog_len of softnet_stat: both queues as read. */
  get backlogLenPackets(): number {
    return this.inputPktQueue.length + this.processQueue.length;
  }

  /**
   * ____napi_schedule: onto the tail of the poll list; NET_RX_SOFTIRQ is raised only outside
   * net_rx_action (sd->in_net_rx_action), which polls the list again itself (8b43fd3d1d7d "net:
   * optimize ____napi_schedule() to avoid extra NET_RX_SOFTIRQ", 6.4).
   */
  schedule(napi: Napi): void {
    this.pollList.push(napi);
    if (!this.inNetRxAction) this.softirqRaised = true;
  }
}

/**
 * skb_flow_limit (net/core/dev.c, R8): active on CPUs in flow_limit_cpu_bitmap once the target
 * queue holds max_backlog / 2; the state is the enqueuing CPU's. Answers the flow's bucket count
 * when the packet is to be dropped, else undefined. The history moves even for dropped packets.
 */
export function skbFlowLimit(
  fl: FlowLimit | undefined,
  hash: number,
  qlen: number,
  maxBacklog: number,
  hash32Bucket: boolean,
): number | undefined {
  if (fl === undefined || qlen < maxBacklog >> 1) return undefined;
  // From c3025e94daa9 "net: rps: change skb_flow_limit() hash function" (6.16) hash_32(hash, log_buckets);
  // before, hash & (num_buckets - 1).
  const bucket = hash32Bucket
    ? hash32(hash, log2PowerOfTwo(fl.buckets.length))
    : hash & (fl.buckets.length - 1);
  const old = fl.history[fl.historyHead] ?? 0;
  fl.history[fl.historyHead] = bucket;
  fl.historyHead = (fl.historyHead + 1) & (FLOW_LIMIT_HISTORY - 1);
  if ((fl.buckets[old] ?? 0) > 0) fl.buckets[old] = (fl.buckets[old] ?? 1) - 1;
  const count = (fl.buckets[bucket] ?? 0) + 1;
  fl.buckets[bucket] = count;
  if (count <= FLOW_LIMIT_HISTORY >> 1) return undefined;
  fl.count++;
  return count;
}
