import { describe, expect, it } from 'vitest';
import { formatElapsed, ProgressBar, progressLine, timeLeftMs } from './progress.ts';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, columns: 100, written, write: (t: string) => written.push(t) > 0 };
}

describe('progress bar', () => {
  it('shows runs done of the total, runs per second and elapsed time, then the shrink count', () => {
    expect(progressLine(250, 1000, 0, 500)).toBe(
      '[######------------------] 250/1000 runs  500 runs/s  0:00.5',
    );
    expect(progressLine(37, 1000, 12, 61_000)).toMatch(
      / 37\/1000 runs {2}1 runs\/s {2}1:01\.0 {2}shrinking: 12 candidates$/,
    );
    expect(formatElapsed(0)).toBe('0:00.0');
  });

  it('shows the time left: from the rate for --runs, from the clock for --duration, the sooner', () => {
    expect(timeLeftMs(250, 1000, 500, undefined)).toBe(1500);
    expect(timeLeftMs(250, undefined, 500, 2000)).toBe(1500);
    expect(timeLeftMs(250, 1000, 500, 1000)).toBe(500);
    expect(progressLine(250, 1000, 0, 500, 1500)).toMatch(/ 500 runs\/s {2}0:00\.5 {2}0:01\.5 left$/);
    // --duration alone: no run total, the bar fills with the time.
    expect(progressLine(250, undefined, 0, 500, 1500)).toBe(
      '[######------------------] 250 runs  500 runs/s  0:00.5  0:01.5 left',
    );
  });

  it('draws in place on a terminal, and stays silent when piped or told to (--json)', () => {
    const tty = stream(true);
    const bar = new ProgressBar(tty, true);
    bar.update('a');
    bar.update('b');
    bar.clear();
    expect(tty.written).toEqual(['\r\x1b[2Ka', '\r\x1b[2Kb', '\r\x1b[2K']);
    for (const [s, enabled] of [
      [stream(false), true],
      [stream(true), false],
    ] as const) {
      const quiet = new ProgressBar(s, enabled);
      quiet.update('a');
      quiet.clear();
      expect(s.written).toEqual([]);
    }
  });
});
