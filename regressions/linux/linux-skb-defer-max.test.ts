import { describe, expect, it } from 'vitest';
import { runScenario } from '../../model/linux/scenarios.ts';
import { checkLinuxResourceBalance } from '../../properties/linux-resource-balance.ts';
import { deferBox, only } from './linux-scenario.ts';

/**
 * 39564c3fdc66 "net: add skb_defer_max sysctl" (Eric Dumazet, 2022): 68822bdf76's per-CPU list had
 * no cap and kicked only when it reached 128; a CPU that stopped taking NIC interrupts kept up to
 * 128 skbs (and their pages) parked. The fix caps the list at skb_defer_max (64) and kicks at half.
 */
describe('skb defer: skb_defer_max bounds every defer list (39564c3fdc66)', () => {
  const box = deferBox(100, 1);

  it('fixed: never more than 64 parked (63 from 6.18); past the cap skbs are freed at once', () => {
    const r = runScenario(box);
    expect(Math.max(...only(r.trace, 'defer-free').map((e) => e.listLenBefore))).toBeLessThanOrEqual(63);
    expect(checkLinuxResourceBalance(r.trace)).toEqual([]);
  });

  it('pre-fix (linux-skb-defer-unbounded) grows the list past the cap: linux-resource-balance (D3)', () => {
    const r = runScenario(box, ['linux-skb-defer-unbounded']);
    expect(Math.max(...only(r.trace, 'defer-free').map((e) => e.listLenBefore))).toBe(99);
    const v = checkLinuxResourceBalance(r.trace).filter((x) => x.rule === 'D3');
    // linux-6.18 counts first (844c9db7f7f5): the 64th skb on the list is already one too many.
    expect(v[0]?.message).toContain('grows to 64 with defer_count 64, not below skb_defer_max 64');
  });
});
