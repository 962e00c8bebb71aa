import type { Flow } from '../packet.ts';
import type { FlowSpec } from '../rss/flowhash.ts';
import { makeFlow } from '../rss/flowhash.ts';
import { RSS_TABLE_ENTRIES } from '../rss/knobs.ts';
import type { WorkloadItem } from './workload.ts';

/**
 * Small builders for hand-written scenarios (tests, regressions, examples): flows by index,
 * packets by flow, and a flow that a non-RSS NIC puts on a given ring.
 */
export function tcpFlow(i: number, dport = 80): FlowSpec {
  return {
    family: 'inet',
    ipProto: 6,
    src: `10.0.${(i >> 8) & 0xff}.${i & 0xff}`,
    dst: '10.1.0.1',
    sport: 10_000 + i,
    dport,
  };
}

export function udpFlow(i: number, dport = 53): FlowSpec {
  return {
    family: 'inet',
    ipProto: 17,
    src: `10.2.${(i >> 8) & 0xff}.${i & 0xff}`,
    dst: '10.1.0.1',
    sport: 20_000 + i,
    dport,
  };
}

export function packets(flows: readonly number[]): WorkloadItem[] {
  return flows.map((flow) => ({ kind: 'packet', flow }));
}

/** A TCP flow whose NIC hash lands on `ring` of `ringCount` (non-RSS redirection, round robin). */
export function tcpFlowOnRing(ring: number, ringCount: number, start = 0): FlowSpec {
  for (let i = start; i < start + 10_000; i++) {
    const spec = tcpFlow(i);
    const flow = makeFlow(i, spec);
    if (flow.ok && (flow.value.hash4Tuple & (RSS_TABLE_ENTRIES - 1)) % ringCount === ring) return spec;
  }
  throw new Error(`no flow found for ring ${ring}`);
}

/**
 * The fragments a sender cuts a datagram of `datagramBytes` into, `fragmentBytes` each (a multiple
 * of 8), in offset order; `order` permutes them (indexes into that list) for out-of-order arrival.
 */
export function fragmentItems(
  flow: number,
  ipId: number,
  datagramBytes: number,
  fragmentBytes: number,
  order?: readonly number[],
): WorkloadItem[] {
  const items: WorkloadItem[] = [];
  for (let offsetBytes = 0; offsetBytes < datagramBytes; offsetBytes += fragmentBytes) {
    const lengthBytes = Math.min(fragmentBytes, datagramBytes - offsetBytes);
    const moreFragments = offsetBytes + lengthBytes < datagramBytes;
    items.push({
      kind: 'packet',
      flow,
      payloadBytes: lengthBytes,
      fragment: { ipId, offsetBytes, lengthBytes, moreFragments, datagramBytes },
    });
  }
  if (order === undefined) return items;
  return order.map((i) => items[i]).filter((it): it is WorkloadItem => it !== undefined);
}

/** The first flow spec `make(i)` for i = start, start+1, ... that `accept` takes (bounded search). */
export function findFlowSpec(
  make: (i: number) => FlowSpec,
  accept: (flow: Flow) => boolean,
  start = 0,
): FlowSpec {
  for (let i = start; i < start + 10_000; i++) {
    const spec = make(i);
    const flow = makeFlow(i, spec);
    if (flow.ok && accept(flow.value)) return spec;
  }
  throw new Error('no flow found in 10000 candidates');
}
