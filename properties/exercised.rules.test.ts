import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../model/trace.ts';
import { EXERCISE_RULES_FOR, exercisedBy } from './exercised.ts';
import {
  alloc,
  arrive,
  dispatch,
  drop,
  enqueue,
  frag,
  fragHold,
  napiPoll,
  policyError,
  reassembled,
  sockQueue,
  softirq,
  stack,
} from './test/trace-builder.ts';

/** Every property exercised.ts knows, plus one it does not (judged on any packet). */
const NAMES = [...EXERCISE_RULES_FOR, 'liveness'];
const judged = (...trace: TraceEvent[]) => exercisedBy(trace, NAMES);
const FRAGMENTS = ['reassembly-bounded', 'reassembly-cpu', 'fragment-flow-order', 'datagram-intact'];
const LINUX = [
  'linux-no-drop-below-limit',
  'linux-resource-balance',
  'linux-napi-budget',
  'linux-rps-ipi',
  'linux-kernel-version',
];

describe('exercised: what a hand-written trace gives each property to judge', () => {
  it('an empty trace exercises nothing; the names asked for are kept in order', () => {
    expect(judged()).toEqual([]);
    expect(exercisedBy([enqueue(), alloc()], ['buffer-balance', 'no-drop-below-limit'])).toEqual([
      'buffer-balance',
      'no-drop-below-limit',
    ]);
  });

  it('one packet: only the properties judging any packet', () => {
    expect(judged(arrive({ pkt: 0, flow: 1 }))).toEqual(['liveness']);
    expect(judged(arrive({ pkt: 0, flow: 1 }), arrive({ pkt: 1, flow: 2 }))).toEqual(['liveness']);
  });

  it('two packets of one flow can be reordered', () => {
    expect(judged(arrive({ pkt: 0, flow: 1 }), arrive({ pkt: 1, flow: 1 }))).toEqual([
      'flow-order',
      'liveness',
    ]);
  });

  it('queues, dispatches, buffers and reassembled datagrams', () => {
    expect(judged(enqueue())).toEqual(['no-drop-below-limit']);
    expect(judged(drop())).toEqual(['no-drop-below-limit']);
    expect(judged(dispatch())).toEqual(['policy-conformance']);
    expect(judged(policyError())).toEqual(['policy-conformance']);
    expect(judged(alloc())).toEqual(['buffer-balance']);
    expect(judged(reassembled())).toEqual(['reassembly-continuation']);
  });

  it('fragments: an arriving fragment or one held', () => {
    expect(judged(arrive({ fragment: true, frag: frag() }))).toEqual([...FRAGMENTS, 'liveness']);
    expect(judged(fragHold())).toEqual(FRAGMENTS);
  });

  it('nesting: a chain through a tunnel, IPsec or netgraph; the plain receive path is not', () => {
    for (const frames of ['ipsec4_common_input', 'in_gif_input', 'in_gre_input', 'esp_input', 'ah_input'])
      expect(judged(stack({ frames }))).toEqual(['stack-depth']);
    for (const frames of ['ipcomp_input', 'ng_ether_input'])
      expect(judged(stack({ frames }), stack({ frames: 'ip_input' }))).toEqual(['stack-depth']);
    expect(judged(stack({ frames: 'ether_input<ip_input<udp_input' }))).toEqual([]);
  });

  it('Linux: a softirq, NAPI poll or socket queue event; with a reorderable flow, Linux flow order', () => {
    expect(judged(softirq())).toEqual(LINUX);
    expect(judged(napiPoll())).toEqual(LINUX);
    expect(judged(sockQueue())).toEqual(LINUX);
    expect(judged(softirq(), arrive({ pkt: 0 }), arrive({ pkt: 1 }))).toEqual([
      'flow-order',
      'linux-flow-order',
      ...LINUX,
      'liveness',
    ]);
  });
});
