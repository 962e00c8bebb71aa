import type { Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { isLinuxTrace } from './linux-trace.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const LINUX_FLOW_ORDER = 'linux-flow-order';

const v = (rule: ViolationRule, events: number[], message: string): Violation => ({
  property: LINUX_FLOW_ORDER,
  rule,
  events,
  message,
});

interface Last {
  readonly seq: number;
  readonly index: number;
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
  const flowOf = new Map<number, number>();
  const queuedOn = new Map<number, number>(); // pkt -> cpu of the backlog holding it
  const waiting = new Map<number, Map<number, number>>(); // flow -> cpu -> packets queued
  const lastIndex = new Map<string, number>(); // flow|cpu -> index of the last enqueue there
  const last = new Map<string, Last>();
  const out: Violation[] = [];
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'arrive') flowOf.set(ev.pkt, ev.flow);
    else if (kind === 'enqueue' && ev.proto === 'ip') {
      const flow = flowOf.get(ev.pkt);
      if (flow === undefined) continue;
      const w = waiting.get(flow) ?? new Map<number, number>();
      waiting.set(flow, w);
      for (const [cpu, n] of w) {
        if (cpu !== ev.cpu && n > 0) {
          out.push(
            v(
              'R4',
              [lastIndex.get(`${flow}|${cpu}`) ?? i, i],
              `flow ${flow} queued on cpu ${ev.cpu} while ${n} of its packets wait in cpu ${cpu}'s backlog`,
            ),
          );
        }
      }
      w.set(ev.cpu, (w.get(ev.cpu) ?? 0) + 1);
      queuedOn.set(ev.pkt, ev.cpu);
      lastIndex.set(`${flow}|${ev.cpu}`, i);
    } else if (kind === 'handle' && ev.proto === 'ip') {
      const from = queuedOn.get(ev.pkt);
      const w = waiting.get(ev.flow);
      if (from !== undefined) {
        queuedOn.delete(ev.pkt);
        w?.set(from, (w.get(from) ?? 1) - 1);
      } else if (w !== undefined) {
        for (const [cpu, n] of w) {
          if (n > 0)
            out.push(
              v(
                'R4',
                [lastIndex.get(`${ev.flow}|${cpu}`) ?? i, i],
                `flow ${ev.flow} handled inline on cpu ${ev.cpu} while ${n} of its packets wait in cpu ${cpu}'s backlog`,
              ),
            );
        }
      }
      out.push(...order(last, `${ev.flow}|ip_rcv`, ev.seq, i, `flow ${ev.flow} at ip_rcv on cpu ${ev.cpu}`));
    } else if (kind === 'deliver') {
      out.push(
        ...order(
          last,
          `${ev.flow}|${ev.layer}`,
          ev.seq,
          i,
          `flow ${ev.flow} read from ${ev.layer} on cpu ${ev.cpu}`,
        ),
      );
    }
  }
  return out.slice(0, VIOLATIONS_MAX);
}

function order(last: Map<string, Last>, key: string, seq: number, index: number, where: string): Violation[] {
  const prev = last.get(key);
  if (prev === undefined || seq > prev.seq) last.set(key, { seq, index });
  if (prev === undefined || seq >= prev.seq) return [];
  return [v('INV-ORDER', [prev.index, index], `${where}: got seq ${seq} after seq ${prev.seq}`)];
}

export const linuxFlowOrder: PropertySpec = {
  name: LINUX_FLOW_ORDER,
  rules: ['R4', 'INV-ORDER'],
  summary: summaryOf(LINUX_FLOW_ORDER),
  check: checkLinuxFlowOrder,
};
