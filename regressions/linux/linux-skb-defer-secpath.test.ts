import { describe, expect, it } from 'vitest';
import { runScenario } from '../../model/linux/scenarios.ts';
import { checkLinuxResourceBalance } from '../../properties/linux-resource-balance.ts';
import { deferBox, only } from './linux-scenario.ts';

/**
 * "net: drop secpath extension before skb deferral free" (Jianbo Liu, May 2024, Fixes 68822bdf76,
 * lore 20240513100246.85173-1-jianbol@nvidia.com): an skb parked on an idle CPU's list kept its
 * secpath, so the xfrm state and its netdev stayed referenced: "unregister_netdevice: waiting for eth2".
 */
describe('skb defer: a parked skb holds no xfrm reference (secpath dropped first)', () => {
  // Five datagrams stay below the kick threshold: they stay parked on CPU 0 for good.
  const box = deferBox(5, 1, { secpathFlows: [0] });

  it('fixed: each secpath tag is freed on the reading CPU before its skb is parked', () => {
    const r = runScenario(box);
    expect(only(r.trace, 'free').filter((f) => f.what === 'tag' && f.cpu === 1)).toHaveLength(5);
    expect(checkLinuxResourceBalance(r.trace)).toEqual([]);
  });

  it('pre-fix (linux-skb-defer-keeps-secpath) parks the references: linux-resource-balance (D5)', () => {
    const r = runScenario(box, ['linux-skb-defer-keeps-secpath']);
    const v = checkLinuxResourceBalance(r.trace);
    expect(v[0]?.rule).toBe('D5');
    expect(v.filter((x) => x.message.includes('never freed'))).toHaveLength(5);
  });
});
