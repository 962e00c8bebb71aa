import { describe, expect, it } from 'vitest';
import { StatCounters } from './stats.ts';

describe('StatCounters.copyInto', () => {
  it('copies every counter over what the target holds, leaving its other names', () => {
    const stats = new StatCounters();
    stats.inc('ips_total', 3);
    stats.inc('ips_delivered');
    const out = new Map([
      ['ips_total', 9],
      ['other', 1],
    ]);
    stats.copyInto(out);
    expect([...out]).toEqual([
      ['ips_total', 3],
      ['other', 1],
      ['ips_delivered', 1],
    ]);
  });

  it('copies nothing from empty counters', () => {
    const out = new Map<string, number>();
    new StatCounters().copyInto(out);
    expect(out.size).toBe(0);
  });
});
