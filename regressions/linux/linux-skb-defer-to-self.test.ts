import { describe, expect, it } from 'vitest';
import { runScenario } from '../../model/linux/scenarios.ts';
import { checkLinuxResourceBalance } from '../../properties/linux-resource-balance.ts';
import { deferBox, only } from './linux-scenario.ts';

/**
 * 68822bdf76 "net: generalize skb freeing deferral to per-cpu lists" (seed 002): v1 parked every
 * skb on its allocating CPU's list, even from that CPU; v2 frees locally when alloc_cpu is the
 * current CPU (Paolo Abeni's review), since parking only delays the free until the next softirq.
 */
describe('skb defer: an skb freed on its allocating CPU is freed at once (68822bdf76 v2)', () => {
  const box = deferBox(8, 0);

  it('fixed: the reader on the ring CPU frees every skb locally', () => {
    const r = runScenario(box);
    expect(only(r.trace, 'defer-free').map((e) => e.outcome)).toEqual(Array(8).fill('local'));
    expect(checkLinuxResourceBalance(r.trace)).toEqual([]);
  });

  it('v1 (linux-skb-defer-to-self) is caught by linux-resource-balance (D2)', () => {
    const r = runScenario(box, ['linux-skb-defer-to-self']);
    expect(only(r.trace, 'defer-free').every((e) => e.outcome === 'deferred' && e.cpu === e.allocCpu)).toBe(
      true,
    );
    const v = checkLinuxResourceBalance(r.trace);
    expect(v[0]?.rule).toBe('D2');
    expect(v[0]?.message).toContain("parked on its own cpu 0's defer list");
  });
});
