import type { Trace } from '../model/trace.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const FLOW_ORDER = 'flow-order';

interface LastSeen {
  readonly seq: number;
  readonly index: number;
}

/**
 * Flow order (N-20, INV-ORDER): packets of one flow that carry the same NIC hash reach each
 * protocol handler, and the upper layer, in the order they arrived on their ring, whatever the
 * schedule. A fragment hashed on its 2-tuple is a different ordering domain, so the key is
 * (flow, arrival hash, ring, stage): when the NIC moves a flow to another ring (ethtool -X, lagg
 * failover), the packets still on the old ring may be overtaken before the stack sees them, which
 * no dispatch policy can prevent. What a policy can prevent is judged by `checkDispatchOrder`.
 *
 * Only the first `handle` of a packet by a protocol and its first `deliver` count: a packet that
 * passes a protocol twice (re-injection after decapsulation) is judged once, and duplicates are
 * the conservation checker's business (no-drop-below-limit). Packets without an `arrive` event
 * (a reassembled datagram) have no arrival order and are skipped.
 */
export function checkFlowOrder(trace: Trace): readonly Violation[] {
  const arrival = new Map<number, string>();
  const judged = new Set<string>();
  const last = new Map<string, LastSeen>();
  const out: Violation[] = [];
  for (let index = 0; index < trace.length && out.length < VIOLATIONS_MAX; index++) {
    const ev = trace[index];
    if (ev === undefined) continue;
    if (ev.kind === 'arrive') {
      arrival.set(ev.pkt, `${ev.hash}|${ev.ring}`);
      continue;
    }
    if (ev.kind !== 'handle' && ev.kind !== 'deliver') continue;
    const domain = arrival.get(ev.pkt);
    if (domain === undefined) continue;
    const stage = ev.kind === 'handle' ? `${ev.proto}_input` : 'deliver';
    const once = `${ev.pkt}|${stage}`;
    if (judged.has(once)) continue;
    judged.add(once);
    const key = `${ev.flow}|${domain}|${stage}`;
    const prev = last.get(key);
    if (prev !== undefined && ev.seq < prev.seq) {
      out.push({
        property: FLOW_ORDER,
        rule: ev.kind === 'handle' ? 'N-20' : 'INV-ORDER',
        events: [prev.index, index],
        message: `flow ${ev.flow} at ${stage} on cpu ${ev.cpu}: got seq ${ev.seq} after seq ${prev.seq}`,
      });
    }
    if (prev === undefined || ev.seq > prev.seq) last.set(key, { seq: ev.seq, index });
  }
  // One reorder is reported once: the dispatch-order check speaks when arrival order held.
  return out.length > 0 ? out : checkDispatchOrder(trace);
}

/**
 * Dispatch order (N-20): once a packet of a flow has been handed to netisr_dispatch for a protocol,
 * no later-dispatched packet of that flow (same arrival hash) is handled by it first. This is what
 * a flow entering on several CPUs (RSS table rewrite, migrating tun writer, lagg failover) tests:
 * a packet run inline on a CPU whose queue still holds earlier packets of its flow breaks it.
 */
export function checkDispatchOrder(trace: Trace): readonly Violation[] {
  const flowOf = new Map<number, string>();
  const dispatched = new Map<string, number>();
  const rankOf = new Map<string, number>();
  const judged = new Set<string>();
  const lastHandled = new Map<string, { rank: number; seq: number; index: number }>();
  const out: Violation[] = [];
  for (let index = 0; index < trace.length && out.length < VIOLATIONS_MAX; index++) {
    const ev = trace[index];
    if (ev === undefined) continue;
    if (ev.kind === 'arrive') flowOf.set(ev.pkt, `${ev.flow}|${ev.hash}`);
    if (ev.kind !== 'dispatch' && ev.kind !== 'handle') continue;
    const flow = flowOf.get(ev.pkt);
    if (flow === undefined) continue;
    const domain = `${flow}|${ev.proto}`;
    if (ev.kind === 'dispatch') {
      const once = `${ev.pkt}|${ev.proto}`;
      if (rankOf.has(once)) continue;
      const n = (dispatched.get(domain) ?? 0) + 1;
      dispatched.set(domain, n);
      rankOf.set(once, n);
      continue;
    }
    // First handle only, as above: a re-injected packet passes a protocol twice.
    const once = `${ev.pkt}|${ev.proto}`;
    const r = rankOf.get(once);
    if (r === undefined || judged.has(once)) continue;
    judged.add(once);
    const prev = lastHandled.get(domain);
    if (prev !== undefined && r < prev.rank) {
      out.push({
        property: FLOW_ORDER,
        rule: 'N-20',
        events: [prev.index, index],
        message: `flow ${ev.flow} at ${ev.proto}_input on cpu ${ev.cpu}: seq ${ev.seq} handled after seq ${prev.seq}, which was dispatched later`,
      });
    }
    if (prev === undefined || r > prev.rank) lastHandled.set(domain, { rank: r, seq: ev.seq, index });
  }
  return out;
}

export const flowOrder: PropertySpec = {
  name: FLOW_ORDER,
  rules: ['N-20', 'INV-ORDER', 'I-5'],
  summary: 'packets of one flow are handled and delivered in arrival order, under any schedule',
  check: checkFlowOrder,
};
