import { describe, expect, it } from 'vitest';
import { SearchClock } from './time-limit.ts';

describe('SearchClock', () => {
  it('skips runs past the runs end once runsMin are made, and shrink candidates past the shrink end', () => {
    let nowMs = 0;
    const clock = new SearchClock({ runsEndEpochMs: 10, shrinkEndEpochMs: 20, runsMin: 1 }, () => nowMs);
    nowMs = 50;
    expect(clock.skips(false)).toBe(false); // the first run is made whatever the time
    expect(clock.skips(false)).toBe(true);
    expect(clock.runsMade).toBe(1);
    nowMs = 15;
    expect(clock.skips(true)).toBe(false);
    expect(clock.shrinkCut).toBe(false);
    nowMs = 20;
    expect(clock.skips(true)).toBe(true);
    expect(clock.shrinkCut).toBe(true);
    expect(clock.runsMade).toBe(1);
  });

  it('without a limit skips nothing and counts generated runs only', () => {
    const clock = new SearchClock(undefined, () => Number.MAX_SAFE_INTEGER);
    expect([clock.skips(false), clock.skips(true), clock.skips(false)]).toEqual([false, false, false]);
    expect(clock.runsMade).toBe(2);
    expect(clock.shrinkCut).toBe(false);
  });
});
