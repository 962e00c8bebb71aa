import { describe, expect, it } from 'vitest';
import { StatCounters } from './stats.ts';

describe('StatCounters: named kernel counters', () => {
  it('counts from 0, by one or by a given step, and reads 0 for a counter never bumped', () => {
    const s = new StatCounters();
    expect(s.get('ips_total')).toBe(0);
    s.inc('ips_total');
    s.inc('ips_total');
    s.inc('ips_fragments', 5);
    expect([s.get('ips_total'), s.get('ips_fragments'), s.get('ips_delivered')]).toEqual([2, 5, 0]);
  });

  it('snapshots a key-sorted plain copy (byte-identical traces)', () => {
    const s = new StatCounters();
    s.inc('ips_total', 3);
    s.inc('ips_delivered');
    s.inc('ips_fragments', 0);
    const snap = s.snapshot();
    expect(JSON.stringify(snap)).toBe('{"ips_delivered":1,"ips_fragments":0,"ips_total":3}');
    s.inc('ips_total');
    expect(snap.ips_total).toBe(3);
  });

  it('a counter that appears after a snapshot takes its sorted place in the next; size counts names', () => {
    const s = new StatCounters();
    s.inc('ips_total');
    s.inc('ips_delivered');
    expect(Object.keys(s.snapshot())).toEqual(['ips_delivered', 'ips_total']);
    s.inc('ips_total');
    expect(s.size).toBe(2);
    s.inc('ips_fragments');
    expect(JSON.stringify(s.snapshot())).toBe('{"ips_delivered":1,"ips_fragments":1,"ips_total":2}');
    expect(s.size).toBe(3);
  });
});
