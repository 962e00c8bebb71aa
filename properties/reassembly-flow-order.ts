import type { Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import type { PropertySpec } from './registry.ts';
import { eventsOfKind } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const FRAGMENT_FLOW_ORDER = 'fragment-flow-order';

const TCP = 6;

/**
 * Flow order with fragments (R-11, N-20): FreeBSD hashes UDP (and every protocol but TCP) on the
 * 2-tuple so that the fragments and the whole datagrams of one flow share a bucket, a ring and a
 * CPU; then they reach ip_input in arrival order, fragmented or not. TCP is hashed on the 4-tuple
 * and its fragments on the 2-tuple, so it is not held to this. A flow's protocol is learnt from its
 * fragments; flows without fragments are the plain flow-order property's business.
 *
 * Delivery order is not claimed: a datagram re-injected through ip_direct on the same CPU waits
 * behind later packets queued for ip (N-22, then N-16 runs ip before ip_direct).
 */
export function checkFragmentFlowOrder(trace: Trace): readonly Violation[] {
  const proto = new Map<number, number>();
  for (const i of eventsOfKind(trace, 'arrive')) {
    const ev = trace[i];
    if (ev?.kind === 'arrive' && ev.frag !== undefined) proto.set(ev.flow, ev.frag.ipProto);
  }
  // No fragmented flow: no packet to judge, and the rest of the trace need not be read.
  if (proto.size === 0) return [];
  const arrived = new Set<number>();
  const judged = new Set<number>();
  const last = new Map<number, { seq: number; index: number }>();
  const out: Violation[] = [];
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'arrive') {
      const p = proto.get(ev.flow);
      if (p !== undefined && p !== TCP) arrived.add(ev.pkt);
      continue;
    }
    if (kind !== 'handle' || (ev.proto !== 'ip' && ev.proto !== 'ip6')) continue;
    if (!arrived.has(ev.pkt) || judged.has(ev.pkt)) continue;
    judged.add(ev.pkt);
    const prev = last.get(ev.flow);
    if (prev !== undefined && ev.seq < prev.seq) {
      out.push({
        property: FRAGMENT_FLOW_ORDER,
        rule: 'R-11',
        events: [prev.index, i],
        message: `flow ${ev.flow} (ip proto ${proto.get(ev.flow)}) reached ${ev.proto}_input on cpu ${ev.cpu} with seq ${ev.seq} after seq ${prev.seq}`,
      });
    }
    if (prev === undefined || ev.seq > prev.seq) last.set(ev.flow, { seq: ev.seq, index: i });
  }
  return out;
}

export const fragmentFlowOrder: PropertySpec = {
  name: FRAGMENT_FLOW_ORDER,
  rules: ['R-11', 'N-20'],
  summary: summaryOf(FRAGMENT_FLOW_ORDER),
  check: checkFragmentFlowOrder,
};
