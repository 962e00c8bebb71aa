import { describe, expect, it } from 'vitest';
import { checkReassemblyBounded, workStepsMax } from './reassembly-bounded.ts';
import { drop, end, fragHold, reassembled, withHole } from './test/trace-builder.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'reassembly-bounded',
  rule,
  events,
  message,
});
const at = 'dg (fragment 3)';
const hold = (f: Parameters<typeof fragHold>[0]) =>
  checkReassemblyBounded([fragHold({ pkt: 3, datagram: 'dg', ...f }), drop({ pkt: 3 })]);

describe('reassembly-bounded rules (F-3, F-7, F-17, F-21, INV-COST)', () => {
  it('an empty trace passes', () => {
    expect(checkReassemblyBounded([])).toEqual([]);
  });

  it('F-17: an incomplete queue one past maxfragsperpacket; at the limit passes', () => {
    expect(hold({ queueFragments: 17, queueFragmentsMax: 16 })).toEqual([
      viol('F-17', [0], `${at}: queue holds 17 fragments, maxfragsperpacket 16`),
    ]);
    expect(hold({ queueFragments: 16, queueFragmentsMax: 16 })).toEqual([]);
  });

  it('F-3: held fragments one past maxfrags; at the limit, or no limit (-1), passes', () => {
    expect(hold({ heldFragments: 5, heldFragmentsMax: 4 })).toEqual([
      viol('F-3', [0], `${at}: 5 fragments held, maxfrags 4`),
    ]);
    expect(hold({ heldFragments: 4, heldFragmentsMax: 4 })).toEqual([]);
    expect(hold({ heldFragments: 99, heldFragmentsMax: -1 })).toEqual([]);
  });

  it('a limit of 0 is a limit: one held fragment is over it', () => {
    expect(hold({ heldFragments: 1, heldFragmentsMax: 0 })).toEqual([
      viol('F-3', [0], `${at}: 1 fragments held, maxfrags 0`),
    ]);
  });

  it('F-7: queues one past maxfragpackets; at the limit passes', () => {
    expect(hold({ heldQueues: 3, heldQueuesMax: 2 })).toEqual([
      viol('F-7', [0], `${at}: 3 queues, maxfragpackets 2`),
    ]);
    expect(hold({ heldQueues: 2, heldQueuesMax: 2 })).toEqual([]);
  });

  it('F-7: a reassembly bucket one past maxfragbucketsize; at the limit passes', () => {
    // workSteps 0 keeps INV-COST out of it whatever the bucket bound.
    expect(hold({ reassBucket: 5, reassBucketQueues: 3, reassBucketQueuesMax: 2 })).toEqual([
      viol('F-7', [0], `${at}: bucket 5 holds 3 queues, maxfragbucketsize 2`),
    ]);
    expect(hold({ reassBucketQueues: 2, reassBucketQueuesMax: 2 })).toEqual([]);
  });

  it('workStepsMax: bucket bound (or the bucket count without one) + 3 x (maxfragsperpacket + 1) + 2', () => {
    expect(
      workStepsMax(fragHold({ reassBucketQueuesMax: 10, reassBucketQueues: 1, queueFragmentsMax: 16 })),
    ).toBe(10 + 51 + 2);
    expect(
      workStepsMax(fragHold({ reassBucketQueuesMax: 0, reassBucketQueues: 1, queueFragmentsMax: 16 })),
    ).toBe(53);
    expect(
      workStepsMax(fragHold({ reassBucketQueuesMax: -1, reassBucketQueues: 7, queueFragmentsMax: 4 })),
    ).toBe(7 + 15 + 2);
  });

  it('INV-COST: one step past the bound; at the bound passes', () => {
    const f = { reassBucketQueuesMax: 10, reassBucketQueues: 1, queueFragmentsMax: 16 };
    expect(hold({ ...f, workSteps: 64 })).toEqual([
      viol('INV-COST', [0], `${at}: placing it walked 64 entries, bound 63`),
    ]);
    expect(hold({ ...f, workSteps: 63 })).toEqual([]);
  });

  it('every exceeded limit is reported, in order', () => {
    const all = hold({
      queueFragments: 2,
      queueFragmentsMax: 1,
      heldFragments: 2,
      heldFragmentsMax: 1,
      heldQueues: 2,
      heldQueuesMax: 1,
      reassBucketQueues: 2,
      reassBucketQueuesMax: 1,
      workSteps: 100,
    });
    expect(all.map((v) => v.rule)).toEqual(['F-17', 'F-3', 'F-7', 'F-7', 'INV-COST']);
  });

  it('F-21: a fragment still held at a quiescent end names its hold and the end', () => {
    const t = [fragHold({ pkt: 3 }), fragHold({ pkt: 4 }), drop({ pkt: 4 }), end()];
    expect(checkReassemblyBounded(t)).toEqual([
      viol('F-21', [0, 3], 'fragment 3 is still held at the end of the run'),
    ]);
  });

  it('near miss: fragments that left by reassembly or drop; a run cut short', () => {
    const t = [fragHold({ pkt: 3 }), fragHold({ pkt: 4 }), reassembled({ fragments: [3, 4] }), end()];
    expect(checkReassemblyBounded(t)).toEqual([]);
    expect(checkReassemblyBounded([fragHold({ pkt: 3 }), end({ outcome: 'steps-exhausted' })])).toEqual([]);
  });

  it('stops at VIOLATIONS_MAX, in the loop and among held fragments, and skips holes', () => {
    const over = Array.from({ length: 70 }, (_, pkt) =>
      fragHold({ pkt, heldFragments: 2, heldFragmentsMax: 1 }),
    );
    expect(checkReassemblyBounded(over)).toHaveLength(64);
    const heldAtEnd = [...Array.from({ length: 70 }, (_, pkt) => fragHold({ pkt })), end()];
    expect(checkReassemblyBounded(heldAtEnd)).toHaveLength(64);
    expect(checkReassemblyBounded([...over.slice(0, 10), ...heldAtEnd.slice(10)])).toHaveLength(64);
    expect(
      checkReassemblyBounded(withHole(fragHold({ heldFragments: 2, heldFragmentsMax: 1 })))[0]?.events,
    ).toEqual([1]);
  });
});
