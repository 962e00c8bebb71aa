import { describe, expect, it } from 'vitest';
import { runScenario } from '../../model/linux/scenarios.ts';
import { checkLinuxResourceBalance } from '../../properties/linux-resource-balance.ts';
import { deferBox, only } from './linux-scenario.ts';

/**
 * "net: avoid strange behavior with skb_defer_max == 1" (Jakub Kicinski, net-next May 2022,
 * lore 20220518185522.2038683-1-kuba@kernel.org): the kick compared the count after the increment
 * with defer_max >> 1 = 0, so with skb_defer_max = 1 it never fired and the one skb was stranded.
 */
describe('skb defer: skb_defer_max = 1 still kicks (kick tested before the increment)', () => {
  // 5.19 .. 6.17: from 6.18 (844c9db7f7f5) the count is taken first and skb_defer_max = 1 defers
  // nothing. So the story is told on linux-6.6, where TCP recvmsg deferred (5.17); the model reads
  // UDP, which takes that path here through linux-udp-defer-every-version.
  const box = deferBox(3, 1, {
    kernel: 'linux-6.6',
    sysctl: { 'net.core.skb_defer_max': 1 },
    variants: ['linux-udp-defer-every-version'],
  });

  it('on linux-6.18 skb_defer_max = 1 defers nothing: "if (defer_count >= defer_max) goto nodefer"', () => {
    const r = runScenario(deferBox(3, 1, { sysctl: { 'net.core.skb_defer_max': 1 } }));
    expect(only(r.trace, 'defer-free').map((e) => e.outcome)).toEqual([
      'list-full',
      'list-full',
      'list-full',
    ]);
    expect(checkLinuxResourceBalance(r.trace)).toEqual([]);
  });

  it('fixed: the first parked skb kicks and CPU 0 drains it', () => {
    const r = runScenario(box);
    expect(only(r.trace, 'defer-free').some((e) => e.outcome === 'deferred')).toBe(true);
    expect(
      only(r.trace, 'defer-free')
        .filter((e) => e.outcome === 'deferred')
        .every((e) => e.kick),
    ).toBe(true);
    expect(checkLinuxResourceBalance(r.trace)).toEqual([]);
  });

  it('pre-fix (linux-skb-defer-kick-after-increment) strands the skb: linux-resource-balance (D4)', () => {
    const r = runScenario(box, ['linux-skb-defer-kick-after-increment']);
    expect(only(r.trace, 'ipi')).toHaveLength(0);
    const v = checkLinuxResourceBalance(r.trace);
    expect(v[0]?.rule).toBe('D4');
    expect(v.some((x) => x.message.includes('ends the run holding 1 skbs'))).toBe(true);
  });
});
