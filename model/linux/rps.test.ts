import { describe, expect, it } from 'vitest';
import { cpuId } from '../brand.ts';
import { hash32, log2PowerOfTwo, RpsSockFlowTable, reciprocalScale, rfsSlot, rpsCpuMask } from './rps.ts';

// Exact values of the pure RPS/RFS helpers (net/core/dev.c, include/linux/hash.h; R1, R3, R6).
describe('rps helpers', () => {
  it('rps_cpu_mask is roundup_pow_of_two(nr_cpu_ids) - 1 (R3)', () => {
    expect([1, 2, 3, 4, 5, 8, 9].map(rpsCpuMask)).toEqual([0, 1, 3, 3, 7, 7, 15]);
  });

  it('reciprocal_scale takes the high bits, not hash % len (R6)', () => {
    expect(reciprocalScale(0, 4)).toBe(0);
    expect(reciprocalScale(0x8000_0000, 4)).toBe(2);
    expect(reciprocalScale(0xffff_ffff, 4)).toBe(3);
    expect(reciprocalScale(-1, 3)).toBe(2);
    expect(reciprocalScale(5, 4)).toBe(0);
  });

  it('hash_32 is the high bits of val * GOLDEN_RATIO_32', () => {
    expect(hash32(1, 4)).toBe(6);
    expect(hash32(1, 32)).toBe(0x61c8_8647);
    expect(hash32(0x1234_5678, 0)).toBe(0);
  });

  it('ilog2 of the table size', () => {
    expect([0, 1, 2, 256, 4096].map(log2PowerOfTwo)).toEqual([0, 0, 1, 8, 12]);
  });

  it('rfs slot: hash & mask before 6.15, hash_32(hash, log) from f3483c8e1da6', () => {
    expect(rfsSlot(0x1234_5678, 16, false)).toBe(8);
    expect(rfsSlot(0x1234_5678, 16, true)).toBe(hash32(0x1234_5678, 4));
    expect(rfsSlot(1, 16, true)).toBe(6);
  });

  it('rps_sock_flow_table records cpu in the low bits, hash high bits above (R1)', () => {
    const t = new RpsSockFlowTable(8, 4);
    t.record(0x13, cpuId(2));
    expect(t.entry(0x13)).toBe(0x12);
    expect(t.entry(0x0b)).toBe(0x12);
    t.record(0, cpuId(1));
    expect(t.entry(0)).toBe(0);
    expect(new RpsSockFlowTable(0, 4).entry(0x13)).toBeUndefined();
  });
});
