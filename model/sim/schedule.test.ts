import { describe, expect, it } from 'vitest';
import { ScheduleCursor } from './schedule.ts';

describe('ScheduleCursor: a schedule is any array of choices, read modulo the runnable count', () => {
  it('reads choice % count in order, then 0 past the end; counts every read', () => {
    const c = new ScheduleCursor([5, 2, 7]);
    expect(c.pick(3)).toBe(2);
    expect(c.pick(3)).toBe(2);
    expect(c.pick(4)).toBe(3);
    expect(c.consumed).toBe(3);
    expect(c.pick(4)).toBe(0);
    expect(c.pick(1)).toBe(0);
    expect(c.consumed).toBe(5);
  });

  it('folds negative and fractional choices; non-finite ones pick the first actor', () => {
    const c = new ScheduleCursor([-5, 3.9, -2.5, Number.POSITIVE_INFINITY, Number.NaN]);
    expect(c.pick(3)).toBe(2);
    expect(c.pick(2)).toBe(1);
    expect(c.pick(3)).toBe(2);
    expect(c.pick(3)).toBe(0);
    expect(c.pick(3)).toBe(0);
  });
});
