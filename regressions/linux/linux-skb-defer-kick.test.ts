import { describe, expect, it } from 'vitest';
import { runScenario } from '../../model/linux/scenarios.ts';
import { checkLinuxResourceBalance } from '../../properties/linux-resource-balance.ts';
import { deferBox, only } from './linux-scenario.ts';

/**
 * 68822bdf76 (seed 002): "In the (unlikely) cases where the cpu does not run net_action_rx()
 * handler fast enough, we use an IPI to raise NET_RX_SOFTIRQ on the remote cpu." Without that
 * kick, skbs parked by a reader on CPU 1 wait forever on an allocating CPU that has no more traffic.
 */
describe('skb defer: the kick drains a defer list on an idle CPU (68822bdf76)', () => {
  const box = deferBox(40, 1);

  it('fixed: the 33rd skb finds 32 = skb_defer_max / 2 parked, kicks CPU 0, which drains', () => {
    const r = runScenario(box);
    const kicks = only(r.trace, 'defer-free').filter((e) => e.kick);
    expect(kicks.map((e) => e.listLenBefore)).toEqual([32]);
    expect(only(r.trace, 'ipi')).toContainEqual(
      expect.objectContaining({ reason: 'defer', fromCpu: 1, toCpu: 0 }),
    );
    expect(checkLinuxResourceBalance(r.trace)).toEqual([]);
  });

  it('without the kick (linux-skb-defer-no-kick) the list is never drained: linux-resource-balance (D4)', () => {
    const r = runScenario(box, ['linux-skb-defer-no-kick']);
    const v = checkLinuxResourceBalance(r.trace);
    expect(v.map((x) => x.rule)).toContain('D4');
    expect(v.some((x) => x.message.includes("cpu 0's defer list ends the run holding 40 skbs"))).toBe(true);
  });
});
