import type { Trace } from '../model/trace.ts';
import { PacketTable } from './packet-table.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const FLOW_ORDER = 'flow-order';

/** The highest sequence number seen in one ordering domain, and where (updated in place). */
interface LastSeen {
  seq: number;
  index: number;
}

/** One stage (a protocol's handler, or delivery): its packets judged and each ordering domain's last. */
interface Stage {
  readonly name: string;
  readonly judged: PacketTable<true>;
  /** flow -> arrival hash -> last seen (see `hashKey`). */
  readonly last: PacketTable<Map<number | string, LastSeen>>;
}

const stage = (name: string): Stage => ({ name, judged: new PacketTable(), last: new PacketTable() });

/**
 * The hash as a map key: a 32-bit hash as a signed 32-bit integer (a small integer to V8, no
 * boxed number per event); anything else (a hand-written trace) as its text, which no integer equals.
 */
function hashKey(hash: number): number | string {
  return Number.isInteger(hash) && hash >= 0 && hash < 2 ** 32 ? hash | 0 : `${hash}`;
}

function domainOf(st: Stage, flow: number): Map<number | string, LastSeen> {
  let byHash = st.last.get(flow);
  if (byHash === undefined) {
    byHash = new Map();
    st.last.set(flow, byHash);
  }
  return byHash;
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
  const arrivalHash = new PacketTable<number>();
  const deliver = stage('deliver');
  const handlers = new Map<string, Stage>();
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
    const st = ev.kind === 'handle' ? handlerStage(handlers, ev.proto) : deliver;
    if (st.judged.has(ev.pkt)) continue;
    st.judged.set(ev.pkt, true);
    const domain = domainOf(st, ev.flow);
    const key = hashKey(hash);
    const prev = domain.get(key);
    if (prev !== undefined && ev.seq < prev.seq) {
      out.push({
        property: FLOW_ORDER,
        rule: ev.kind === 'handle' ? 'N-20' : 'INV-ORDER',
        events: [prev.index, index],
        message: `flow ${ev.flow} at ${st.name} on cpu ${ev.cpu}: got seq ${ev.seq} after seq ${prev.seq}`,
      });
    }
    if (prev === undefined) domain.set(key, { seq: ev.seq, index });
    else if (ev.seq > prev.seq) {
      prev.seq = ev.seq;
      prev.index = index;
    }
  }
  return out;
}

function handlerStage(handlers: Map<string, Stage>, proto: string): Stage {
  let st = handlers.get(proto);
  if (st === undefined) {
    st = stage(`${proto}_input`);
    handlers.set(proto, st);
  }
  return st;
}

export const flowOrder: PropertySpec = {
  name: FLOW_ORDER,
  rules: ['N-20', 'INV-ORDER', 'I-5'],
  summary: 'packets of one flow are handled and delivered in arrival order, under any schedule',
  check: checkFlowOrder,
};
