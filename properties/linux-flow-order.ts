import type { CpuId, PacketId } from '../model/brand.ts';
import type { Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { isLinuxTrace } from './linux-trace.ts';
import { PacketTable } from './packet-table.ts';
import type { PropertySpec } from './registry.ts';
import { packetsNumbered } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const LINUX_FLOW_ORDER = 'linux-flow-order';

const v = (rule: ViolationRule, events: number[], message: string): Violation => ({
  property: LINUX_FLOW_ORDER,
  rule,
  events,
  message,
});

/** The packet a flow last advanced to at one stage: its sequence number and event index. */
interface Last {
  seq: number;
  index: number;
}

/**
 * One flow's packets waiting in backlogs: per CPU, in the order the flow was first queued there,
 * how many wait and the index of its last enqueue there. Columns, walked without an entry pair.
 */
class Waiting {
  readonly #slotOf = new Map<number, number>();
  readonly cpus: number[] = [];
  readonly counts: number[] = [];
  readonly lastEnqueue: (number | undefined)[] = [];

  slot(cpu: number): number {
    let k = this.#slotOf.get(cpu);
    if (k === undefined) {
      k = this.cpus.length;
      this.#slotOf.set(cpu, k);
      this.cpus.push(cpu);
      this.counts.push(0);
      this.lastEnqueue.push(undefined);
    }
    return k;
  }

  has(cpu: number): boolean {
    return this.#slotOf.has(cpu);
  }
}

/**
 * Flow order under RPS/RFS migration (R4, INV-ORDER), for traces of the Linux model:
 * - R4: a flow is never queued on a second CPU's backlog (`enqueue` of proto ip) while packets of it
 *   still wait in another CPU's backlog, nor handled inline meanwhile: RFS moves a flow only once
 *   the old CPU's input_queue_head has passed the flow's last_qtail;
 * - INV-ORDER: packets of a flow reach ip_rcv (`handle`) in arrival order, and each socket reads
 *   them (`deliver`, per layer) in arrival order, whatever CPU the reader or the backlog ran on.
 * Backlog occupancy is rebuilt from `enqueue` (+1 on a CPU) and `handle` on that CPU (-1).
 */
export function checkLinuxFlowOrder(trace: Trace): readonly Violation[] {
  if (!isLinuxTrace(trace)) return [];
  const packets = packetsNumbered(trace);
  const flowOf = new PacketTable<number>(packets);
  const out: Violation[] = [];
  const backlogs = new FlowBacklogs(packets, out);
  /** Flow -> stage (`ip_rcv`, or the layer that read it) -> the last packet there. */
  const last = new Map<number, Map<string, Last>>();
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'arrive') flowOf.set(ev.pkt, ev.flow);
    else if (kind === 'enqueue' && ev.proto === 'ip') {
      const flow = flowOf.get(ev.pkt);
      if (flow !== undefined) backlogs.enqueued(ev.pkt, ev.cpu, flow, i);
    } else if (kind === 'handle' && ev.proto === 'ip') {
      backlogs.handled(ev.pkt, ev.cpu, ev.flow, i);
      const prev = order(last, ev.flow, 'ip_rcv', ev.seq, i);
      if (prev !== undefined)
        out.push(outOfOrder(prev, ev.seq, i, `flow ${ev.flow} at ip_rcv on cpu ${ev.cpu}`));
    } else if (kind === 'deliver') {
      const prev = order(last, ev.flow, ev.layer, ev.seq, i);
      if (prev !== undefined)
        out.push(outOfOrder(prev, ev.seq, i, `flow ${ev.flow} read from ${ev.layer} on cpu ${ev.cpu}`));
    }
  }
  return out.slice(0, VIOLATIONS_MAX);
}

/** Each flow's packets waiting per backlog CPU, and the R4 breaks found as packets come and go. */
class FlowBacklogs {
  /** pkt -> cpu of the backlog holding it. */
  readonly #queuedOn: PacketTable<number | undefined>;
  /** flow -> its packets queued per cpu. */
  readonly #waiting = new Map<number, Waiting>();
  readonly #out: Violation[];

  constructor(packets: number, out: Violation[]) {
    this.#queuedOn = new PacketTable<number | undefined>(packets);
    this.#out = out;
  }

  /** R4 at an enqueue: the flow's packets still wait in another CPU's backlog; then count it here. */
  enqueued(pkt: PacketId, cpu: CpuId, flow: number, i: number): void {
    let w = this.#waiting.get(flow);
    if (w === undefined) {
      w = new Waiting();
      this.#waiting.set(flow, w);
    }
    for (let k = 0; k < w.cpus.length; k++) {
      const other = w.cpus[k] as number;
      const n = w.counts[k] as number;
      if (other !== cpu && n > 0)
        this.#out.push(
          v(
            'R4',
            [w.lastEnqueue[k] ?? i, i],
            `flow ${flow} queued on cpu ${cpu} while ${n} of its packets wait in cpu ${other}'s backlog`,
          ),
        );
    }
    const here = w.slot(cpu);
    w.counts[here] = (w.counts[here] as number) + 1;
    this.#queuedOn.set(pkt, cpu);
    w.lastEnqueue[here] = i;
  }

  /** At ip_rcv: a packet from a backlog leaves it; one handled inline breaks R4 if its flow still waits. */
  handled(pkt: PacketId, cpu: CpuId, flow: number, i: number): void {
    const from = this.#queuedOn.get(pkt);
    const w = this.#waiting.get(flow);
    if (from !== undefined) {
      this.#queuedOn.set(pkt, undefined);
      if (w !== undefined) {
        // A CPU this flow never queued on starts at 1 here, as a count read as absent did.
        const had = w.has(from);
        const k = w.slot(from);
        w.counts[k] = (had ? (w.counts[k] as number) : 1) - 1;
      }
      return;
    }
    if (w === undefined) return;
    for (let k = 0; k < w.cpus.length; k++) {
      const n = w.counts[k] as number;
      if (n > 0)
        this.#out.push(
          v(
            'R4',
            [w.lastEnqueue[k] ?? i, i],
            `flow ${flow} handled inline on cpu ${cpu} while ${n} of its packets wait in cpu ${w.cpus[k]}'s backlog`,
          ),
        );
    }
  }
}

/**
 * Moves the flow's last packet at `stage` on to `seq` when it is later; returns the last packet
 * as it was when `seq` comes before it (the order broke), else undefined.
 */
function order(
  last: Map<number, Map<string, Last>>,
  flow: number,
  stage: string,
  seq: number,
  index: number,
): Last | undefined {
  let byStage = last.get(flow);
  if (byStage === undefined) {
    byStage = new Map();
    last.set(flow, byStage);
  }
  const prev = byStage.get(stage);
  if (prev === undefined) {
    byStage.set(stage, { seq, index });
    return undefined;
  }
  if (seq > prev.seq) {
    prev.seq = seq;
    prev.index = index;
  }
  return seq >= prev.seq ? undefined : prev;
}

const outOfOrder = (prev: Last, seq: number, index: number, where: string): Violation =>
  v('INV-ORDER', [prev.index, index], `${where}: got seq ${seq} after seq ${prev.seq}`);

export const linuxFlowOrder: PropertySpec = {
  name: LINUX_FLOW_ORDER,
  rules: ['R4', 'INV-ORDER'],
  summary: summaryOf(LINUX_FLOW_ORDER),
  check: checkLinuxFlowOrder,
};
