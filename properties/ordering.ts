import type { Trace } from '../model/trace.ts';
import { PacketTable } from './packet-table.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const FLOW_ORDER = 'flow-order';

interface LastSeen {
  readonly seq: number;
  readonly index: number;
}

/** One stage (a protocol's handler, or delivery): its packets judged and each ordering domain's last. */
interface Stage {
  readonly name: string;
  readonly judged: PacketTable<true>;
  /** (flow, arrival hash) as one number, see `domainKey`. */
  readonly last: Map<number, LastSeen>;
}

const stage = (name: string): Stage => ({ name, judged: new PacketTable(), last: new Map() });

/** Flow ids below this share one number with the 32-bit hash exactly (2^21 x 2^32 = 2^53). */
const FLOW_IDS_EXACT = 2 ** 21;

/**
 * The ordering domain as a number (no string per event): flow x 2^32 + hash. Flow ids are
 * workload indexes, far below 2^21, and hashes 32-bit; anything else takes a negative key of its own.
 */
const isIndex = (n: number, below: number) => Number.isInteger(n) && n >= 0 && n < below;

function domainKey(flow: number, hash: number, odd: Map<string, number>): number {
  if (isIndex(flow, FLOW_IDS_EXACT) && isIndex(hash, 2 ** 32)) return flow * 2 ** 32 + hash;
  const text = `${flow}|${hash}`;
  let key = odd.get(text);
  if (key === undefined) {
    key = -1 - odd.size;
    odd.set(text, key);
  }
  return key;
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
  const odd = new Map<string, number>();
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
    const key = domainKey(ev.flow, hash, odd);
    const prev = st.last.get(key);
    if (prev !== undefined && ev.seq < prev.seq) {
      out.push({
        property: FLOW_ORDER,
        rule: ev.kind === 'handle' ? 'N-20' : 'INV-ORDER',
        events: [prev.index, index],
        message: `flow ${ev.flow} at ${st.name} on cpu ${ev.cpu}: got seq ${ev.seq} after seq ${prev.seq}`,
      });
    }
    if (prev === undefined || ev.seq > prev.seq) st.last.set(key, { seq: ev.seq, index });
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
