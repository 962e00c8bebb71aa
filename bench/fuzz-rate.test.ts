import { describe, expect, it } from 'vitest';
import { fuzzRateBundled } from './fuzz-rate.ts';

/** Section 1 of npm run bench measures the bundled worker code too: that path must keep working. */
describe('fuzz runs per CPU second, bundled as the fuzz worker ships', () => {
  it('measures a safe policy: one positive rate per round', async () => {
    const rate = await fuzzRateBundled('policies/flow-hash.ts', 5, 2, 7);
    expect(typeof rate).toBe('object');
    if (typeof rate === 'string') return;
    expect(rate.runsPerCpuSecond).toHaveLength(2);
    // The warm-up is timed on its own: a fresh process's first runs.
    expect(rate.warmUpRuns).toBe(7);
    expect(rate.warmUpRunsPerCpuSecond).toBeGreaterThan(0);
    for (const r of rate.runsPerCpuSecond) expect(r).toBeGreaterThan(0);
    // On Linux the JavaScript thread's share of the CPU is read too: a fraction per round.
    if (process.platform === 'linux') {
      expect(rate.jsThreadShare).toHaveLength(2);
      for (const s of rate.jsThreadShare ?? []) expect(s).toBeGreaterThanOrEqual(0);
      for (const s of rate.jsThreadShare ?? []) expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a policy that does not hold, with the reason', async () => {
    const rate = await fuzzRateBundled('policies/unsafe/round-robin.ts', 5, 1, 5);
    expect(rate).toMatch(/policies\/unsafe\/round-robin\.ts did not hold \(violated\): pick a safe policy/);
  });
});
