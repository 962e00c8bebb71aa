import { describe, expect, it } from 'vitest';
import type { Packet } from '../packet.ts';
import { datagramKey } from './reass-key.ts';
import {
  completeLength,
  firstAfter,
  type HeldFragment,
  insertTrimming,
  ReassBuckets,
} from './reass-queue.ts';
import { harness, UDP4 } from './test/reass-harness.ts';

const h = harness('inet');
/** A held fragment of datagram `ipId` over [off, off + len). */
function held(ipId: number, off: number, len: number, mf = true): HeldFragment {
  const pkt: Packet = h.frag(UDP4, ipId, off, len, mf);
  return { pkt, offsetBytes: off, lengthBytes: len, moreFragments: mf };
}
const keyOf = (f: HeldFragment) => {
  if (f.pkt.fragment === undefined) throw new Error('not a fragment');
  return datagramKey(f.pkt.flow, f.pkt.fragment);
};
const ranges = (frags: readonly HeldFragment[]) => frags.map((f) => [f.offsetBytes, f.lengthBytes]);

describe('ReassBuckets (F-1, F-8)', () => {
  it('finds a queue walking from the newest, and counts the walk', () => {
    const t = new ReassBuckets(4);
    const [a, b, c] = [held(1, 0, 8), held(2, 0, 8), held(3, 0, 8)];
    for (const f of [a, b, c]) t.create(2, keyOf(f), 0, f);
    expect(t.find(2, keyOf(c))).toMatchObject({ steps: 1 });
    expect(t.find(2, keyOf(a))).toMatchObject({ steps: 3 });
    expect(t.find(2, keyOf(a)).queue?.frags).toEqual([a]);
    expect(t.find(2, keyOf(held(4, 0, 8)))).toEqual({ queue: undefined, steps: 3 });
    expect(t.find(1, keyOf(a))).toEqual({ queue: undefined, steps: 0 });
    expect(t.oldest(2)?.frags).toEqual([a]);
    expect(t.oldest(1)).toBeUndefined();
    expect(t.bucket(0)).toEqual([]);
    expect(t.hashsize).toBe(4);
  });

  it('F-8: a new queue knows its end only when made by a last fragment; counts follow create and remove', () => {
    const t = new ReassBuckets(1);
    const first = t.create(0, keyOf(held(1, 0, 8)), 30, held(1, 0, 8));
    const last = t.create(0, keyOf(held(2, 16, 8, false)), 31, held(2, 16, 8, false));
    expect([first.maxoffBytes, last.maxoffBytes]).toEqual([-1, 24]);
    expect([first.expire, first.bucket, first.keyText]).toEqual([30, 0, 'inet 10.0.0.1>10.1.0.1 p17 id 1']);
    first.frags.push(held(1, 8, 8));
    t.fragmentCount++;
    expect([t.queueCount, t.fragmentCount]).toEqual([2, 3]);
    t.remove(first);
    expect([t.queueCount, t.fragmentCount]).toEqual([1, 1]);
    expect([t.holds(first), t.holds(last)]).toEqual([false, true]);
    expect(t.bucket(0)).toEqual([last]);
  });
});

describe('insertTrimming and completeLength (F-11 .. F-16)', () => {
  it('F-11: a fragment at an equal offset goes after the queued one', () => {
    const frags = [held(1, 0, 8), held(1, 8, 8), held(1, 24, 8)];
    expect([firstAfter(frags, 0), firstAfter(frags, 8), firstAfter(frags, 9), firstAfter(frags, 24)]).toEqual(
      [1, 2, 2, 3],
    );
    expect(firstAfter([], 8)).toBe(0);
  });

  it('fragments that only touch stay whole', () => {
    const frags = [held(1, 0, 8), held(1, 16, 8)];
    const r = insertTrimming(frags, held(1, 8, 8), 'ips_fragdropped');
    expect(r).toEqual({ dropped: [], held: true, steps: 2 });
    expect(ranges(frags)).toEqual([
      [0, 8],
      [8, 8],
      [16, 8],
    ]);
  });

  it('F-12: queued data wins at the front: the new fragment is cut, or dropped when covered', () => {
    const frags = [held(1, 0, 16)];
    const cut = held(1, 8, 16);
    expect(insertTrimming(frags, cut, 'ips_fragdropped')).toMatchObject({ held: true, steps: 2 });
    expect(ranges(frags)).toEqual([
      [0, 16],
      [16, 8],
    ]);
    const inside = held(1, 4, 8);
    const r = insertTrimming(frags, inside, 'ips_fragdropped');
    expect(r).toEqual({
      dropped: [{ pkt: inside.pkt, counter: 'ips_fragdropped', reason: 'covered by queued data' }],
      held: false,
      steps: 2,
    });
    expect(frags).toHaveLength(2);
  });

  it('F-13: new data wins behind it: covered fragments go, the first partly covered one is cut, the rest stay', () => {
    const frags = [held(1, 8, 8), held(1, 16, 8), held(1, 24, 16), held(1, 40, 8)];
    const covered = [frags[0]?.pkt.id, frags[1]?.pkt.id];
    const r = insertTrimming(frags, held(1, 0, 32), 'ip6s_fragdropped');
    expect(r.held).toBe(true);
    expect(r.dropped.map((d) => [d.pkt.id, d.reason, d.counter])).toEqual(
      covered.map((id) => [id, 'covered by a later fragment', 'ip6s_fragdropped']),
    );
    expect(ranges(frags)).toEqual([
      [0, 32],
      [32, 8],
      [40, 8],
    ]);
    // Placed first (1), two covered (2), one cut (1).
    expect(r.steps).toBe(4);
  });

  it('F-16: complete only from offset 0 without a gap, with the last fragment MF clear', () => {
    expect(completeLength([])).toBeUndefined();
    expect(completeLength([held(1, 0, 8), held(1, 8, 4, false)])).toBe(12);
    expect(completeLength([held(1, 0, 8), held(1, 16, 4, false)])).toBeUndefined();
    expect(completeLength([held(1, 8, 4, false)])).toBeUndefined();
    expect(completeLength([held(1, 0, 8), held(1, 8, 8)])).toBeUndefined();
  });
});
