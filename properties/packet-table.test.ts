import { getHeapStatistics } from 'node:v8';
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

describe('PacketTable: chunked storage', () => {
  it('ids across chunk boundaries, written out of order and far past the end, answer as written', () => {
    const t = new PacketTable<number>();
    const ids = [5000, 0, 1023, 1024, 1025, 2047, 2048, 3, 70_000, 4096];
    for (const pkt of ids) t.set(pkt, pkt * 2);
    for (const pkt of ids) expect(t.get(pkt)).toBe(pkt * 2);
    for (const pkt of [1, 2, 4, 1022, 1026, 2049, 4095, 4097, 4999, 5001, 69_999, 70_001])
      expect(t.has(pkt)).toBe(false);
    t.set(1024, 7);
    expect([t.get(1023), t.get(1024), t.get(1025)]).toEqual([2046, 7, 2050]);
  });

  it('a far id costs its own chunk, not the chunks below it', () => {
    // Each chunk below 2^24 - 1 at full length would be 16 M slots (128 MB); the table keeps them
    // alive, so a collection cannot hide them from the heap's size.
    const before = getHeapStatistics().used_heap_size;
    const t = new PacketTable<number>();
    t.set(2 ** 24 - 1, 1);
    t.set(2 ** 23, 2);
    expect(getHeapStatistics().used_heap_size - before).toBeLessThan(16 * 2 ** 20);
    expect([t.get(2 ** 24 - 1), t.get(2 ** 23), t.get(2 ** 23 + 1), t.get(0), t.get(5000)]).toEqual([
      1,
      2,
      undefined,
      undefined,
      undefined,
    ]);
    t.set(3, 3);
    t.set(2 ** 23 + 1, 4);
    expect([t.get(3), t.get(2 ** 23 + 1), t.get(2 ** 23)]).toEqual([3, 4, 2]);
  });

  it('the size a table is made for is a hint: ids past it, or a size of none, answer alike', () => {
    for (const expected of [0, 3, 1.5, 5000, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const t = new PacketTable<number>(expected);
      for (const pkt of [0, 2, 7, 1023, 1024, 3000]) t.set(pkt, pkt + 1);
      expect([0, 1, 2, 7, 8, 1023, 1024, 3000].map((pkt) => t.get(pkt))).toEqual([
        1,
        undefined,
        3,
        8,
        undefined,
        1024,
        1025,
        3001,
      ]);
    }
  });

  it('-0 is id 0; NaN is one id of its own', () => {
    const t = new PacketTable<string>();
    t.set(-0, 'zero');
    expect(t.get(0)).toBe('zero');
    t.set(Number.NaN, 'nan');
    expect([t.get(Number.NaN), t.get(0)]).toEqual(['nan', 'zero']);
  });

  it('a table of 100,000 ids in order keeps every one', () => {
    const t = new PacketTable<number>();
    for (let pkt = 0; pkt < 100_000; pkt++) t.set(pkt, pkt);
    let sum = 0;
    for (let pkt = 0; pkt < 100_000; pkt++) sum += t.get(pkt) ?? Number.NaN;
    expect(sum).toBe((100_000 * 99_999) / 2);
    expect(t.has(100_000)).toBe(false);
  });

  it('an odd id never shares a slot with another odd id whose low bits match', () => {
    const t = new PacketTable<string>();
    t.set(1.5, 'fraction');
    t.set(1.25, 'another fraction');
    t.set(2 ** 40 + 1, 'huge');
    t.set(-1023, 'negative');
    expect([t.get(1.5), t.get(1.25), t.get(2 ** 40 + 1), t.get(-1023), t.get(1)]).toEqual([
      'fraction',
      'another fraction',
      'huge',
      'negative',
      undefined,
    ]);
  });
});
