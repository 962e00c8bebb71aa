import { describe, expect, it } from 'vitest';
import { PacketTable } from './packet-table.ts';

describe('PacketTable: dense ids in an array, any other id answered alike', () => {
  it('a dense id: set, get, has; the ids below it stay unset', () => {
    const t = new PacketTable<string>();
    expect(t.get(3)).toBeUndefined();
    t.set(3, 'c');
    expect(t.get(3)).toBe('c');
    expect(t.has(3)).toBe(true);
    for (const pkt of [0, 1, 2, 4]) expect(t.has(pkt)).toBe(false);
    t.set(1, 'a');
    t.set(3, 'd');
    expect([t.get(1), t.get(2), t.get(3)]).toEqual(['a', undefined, 'd']);
  });

  it('odd ids (negative, fractional, 2^24, 2^40, the largest safe integer) are kept apart and answered alike', () => {
    const t = new PacketTable<number>();
    const odd = [-1, 1.5, 2 ** 24, 2 ** 40, Number.MAX_SAFE_INTEGER];
    for (const pkt of odd) expect(t.get(pkt)).toBeUndefined();
    for (const [k, pkt] of odd.entries()) t.set(pkt, k);
    expect(odd.map((pkt) => t.get(pkt))).toEqual([0, 1, 2, 3, 4]);
    expect(odd.every((pkt) => t.has(pkt))).toBe(true);
    expect([t.has(0), t.has(1), t.has(2 ** 24 - 1)]).toEqual([false, false, false]);
    t.set(2 ** 24 - 1, 9);
    expect([t.get(2 ** 24 - 1), t.get(2 ** 24)]).toEqual([9, 2]);
  });
});
