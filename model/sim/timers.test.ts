import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VirtualNs } from '../brand.ts';
import { type TimerHandle, TimerQueue } from './timers.ts';

const ns = (n: number) => n as VirtualNs;

type Op =
  | { readonly op: 'arm'; readonly atNs: number }
  | { readonly op: 'cancel'; readonly which: number }
  | { readonly op: 'pop'; readonly nowNs: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('arm' as const), atNs: fc.nat(50) }),
  fc.record({ op: fc.constant('cancel' as const), which: fc.nat(40) }),
  fc.record({ op: fc.constant('pop' as const), nowNs: fc.nat(60) }),
);

describe('TimerQueue: deadlines on the virtual clock', () => {
  it('fires what a sorted list would, earliest first and ties in arming order, skipping cancelled timers', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const queue = new TimerQueue<number>();
        const handles: TimerHandle[] = [];
        // The reference: live timers as (deadline, arming order).
        let live: { atNs: number; id: number }[] = [];
        for (const o of ops) {
          if (o.op === 'arm') {
            const id = handles.length;
            handles.push(queue.arm(ns(o.atNs), id));
            live.push({ atNs: o.atNs, id });
          } else if (o.op === 'cancel') {
            const handle = handles[o.which];
            if (handle === undefined) continue;
            queue.cancel(handle);
            live = live.filter((t) => t.id !== o.which);
          } else {
            const expected = live
              .filter((t) => t.atNs <= o.nowNs)
              .sort((a, b) => a.atNs - b.atNs || a.id - b.id)
              .map((t) => t.id);
            live = live.filter((t) => t.atNs > o.nowNs);
            expect(queue.hasDue(ns(o.nowNs))).toBe(expected.length > 0);
            expect(queue.popDue(ns(o.nowNs))).toEqual(expected);
            expect(queue.hasDue(ns(o.nowNs))).toBe(false);
          }
          expect(queue.pendingCount).toBe(live.length);
          const next = live.length === 0 ? undefined : Math.min(...live.map((t) => t.atNs));
          expect(queue.nextDeadlineNs()).toBe(next);
        }
      }),
    );
  });

  it('equal deadlines fire in arming order, however many share one (callout order)', () => {
    const queue = new TimerQueue<string>();
    for (const name of ['a', 'b', 'c', 'd', 'e']) queue.arm(ns(7), name);
    queue.arm(ns(3), 'early');
    queue.arm(ns(7), 'f');
    expect(queue.popDue(ns(7))).toEqual(['early', 'a', 'b', 'c', 'd', 'e', 'f']);
    expect(queue.popDue(ns(100))).toEqual([]);
  });

  it('cancelling a timer that already fired changes nothing', () => {
    const queue = new TimerQueue<string>();
    const early = queue.arm(ns(1), 'early');
    queue.arm(ns(5), 'late');
    expect(queue.popDue(ns(1))).toEqual(['early']);
    queue.cancel(early);
    expect(queue.pendingCount).toBe(1);
    expect(queue.popDue(ns(10))).toEqual(['late']);
  });

  it('refuses a deadline that is negative or not an integer', () => {
    const queue = new TimerQueue<string>();
    expect(() => queue.arm(ns(-1), 'x')).toThrow(/sim: /);
    expect(() => queue.arm(ns(1.5), 'x')).toThrow(/sim: /);
  });
});
