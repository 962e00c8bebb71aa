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
 * protocol handler, and the upper layer, in arrival order, whatever the schedule. A fragment hashed
 * on its 2-tuple is a different ordering domain, so the key is (flow, arrival hash, stage).
 *
 * Only the first `handle` of a packet by a protocol and its first `deliver` count: a packet that
 * passes a protocol twice (re-injection after decapsulation) is judged once, and duplicates are
 * the conservation checker's business (no-drop-below-limit). Packets without an `arrive` event
 * (a reassembled datagram) have no arrival order and are skipped.
 */
export function checkFlowOrder(trace: Trace): readonly Violation[] {
  const arrivalHash = new Map<number, number>();
  const judged = new Set<string>();
  const last = new Map<string, LastSeen>();
  const out: Violation[] = [];
  for (let index = 0; index < trace.length && out.length < VIOLATIONS_MAX; index++) {
    const ev = trace[index];
    if (ev === undefined) continue;
    if (ev.kind === 'arrive') {
      arrivalHash.set(ev.pkt, ev.hash);
      continue;
    }
    if (ev.kind !== 'handle' && ev.kind !== 'deliver') continue;
    const hash = arrivalHash.get(ev.pkt);
    if (hash === undefined) continue;
    const stage = ev.kind === 'handle' ? `${ev.proto}_input` : 'deliver';
    const once = `${ev.pkt}|${stage}`;
    if (judged.has(once)) continue;
    judged.add(once);
    const key = `${ev.flow}|${hash}|${stage}`;
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
  return out;
}

export const flowOrder: PropertySpec = {
  name: FLOW_ORDER,
  rules: ['N-20', 'INV-ORDER', 'I-5'],
  summary: 'packets of one flow are handled and delivered in arrival order, under any schedule',
  check: checkFlowOrder,
};
