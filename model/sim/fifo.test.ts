import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.ts';

type Op = 'push' | 'shift' | 'takeAll';

describe('Fifo: the queue under rx rings and netisr queues', () => {
  it('behaves as an array with push/shift, across compactions', () => {
    // Bursts of pushes and shifts long enough to cross the 1024-entry compaction point.
    const opArb = fc.oneof(
      { weight: 4, arbitrary: fc.constant<Op>('push') },
      { weight: 3, arbitrary: fc.constant<Op>('shift') },
      { weight: 1, arbitrary: fc.constant<Op>('takeAll') },
    );
    const burstArb = fc.tuple(opArb, fc.integer({ min: 1, max: 2000 }));
    fc.assert(
      fc.property(fc.array(burstArb, { maxLength: 12 }), (bursts) => {
        // Plain comparisons, one verdict per case: an expect() per operation cost more than the queue.
        const fifo = new Fifo<number>();
        let reference: number[] = [];
        let next = 0;
        for (const [op, times] of bursts) {
          for (let i = 0; i < (op === 'takeAll' ? 1 : times); i++) {
            if (op === 'push') {
              fifo.push(next);
              reference.push(next++);
            } else if (op === 'shift') {
              if (fifo.shift() !== reference.shift()) return false;
            } else {
              const all = fifo.takeAll();
              if (all.length !== reference.length || all.some((x, k) => x !== reference[k])) return false;
              reference = [];
            }
            if (fifo.length !== reference.length) return false;
          }
        }
        return true;
      }),
    );
  });

  it('keeps order across the compaction of a long queue', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 3000; i++) fifo.push(i);
    for (let i = 0; i < 2000; i++) expect(fifo.shift()).toBe(i);
    expect(fifo.length).toBe(1000);
    expect(fifo.takeAll()[0]).toBe(2000);
    expect(fifo.shift()).toBeUndefined();
    expect(fifo.length).toBe(0);
  });
});
