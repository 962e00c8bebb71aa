import type { HeartbeatReading } from '../harness/fuzz/heartbeat.ts';
import type { FuzzOptions } from '../harness/fuzz/options.ts';
import { runsOwned, shardPart, WHOLE } from '../harness/fuzz/run-set.ts';
import { RUNS_MAX } from './args.ts';

/** Where the bar is drawn: a terminal stream (process.stderr). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

const BAR_CELLS = 24;

/** `1:02.3` */
export function formatElapsed(ms: number): string {
  const totalTenths = Math.floor(ms / 100);
  const minutes = Math.floor(totalTenths / 600);
  const seconds = Math.floor((totalTenths % 600) / 10);
  return `${minutes}:${String(seconds).padStart(2, '0')}.${totalTenths % 10}`;
}

/**
 * `[########----------------]  312/1000 runs  1204 runs/s  0:00.3  0:00.6 left`, or the shrink
 * count once failing. Without a run total (--duration alone) the bar fills with the time.
 */
export function progressLine(
  runsDone: number,
  runsTotal: number | undefined,
  shrinks: number,
  elapsedMs: number,
  leftMs?: number,
): string {
  const share =
    runsTotal !== undefined
      ? runsDone / Math.max(1, runsTotal)
      : elapsedMs / Math.max(1, elapsedMs + (leftMs ?? 0));
  const filled = Math.min(BAR_CELLS, Math.floor(share * BAR_CELLS));
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_CELLS - filled)}]`;
  const rate = elapsedMs > 0 ? Math.round((runsDone * 1000) / elapsedMs) : 0;
  const runs = runsTotal === undefined ? `${runsDone} runs` : `${runsDone}/${runsTotal} runs`;
  const shrinking = shrinks > 0 ? `  shrinking: ${shrinks} candidates` : '';
  const left = leftMs === undefined || shrinks > 0 ? '' : `  ${formatElapsed(Math.max(0, leftMs))} left`;
  return `${bar} ${runs}  ${rate} runs/s  ${formatElapsed(elapsedMs)}${left}${shrinking}`;
}

/** Time left: at the current rate for the runs not done, or what is left of --duration, the sooner. */
export function timeLeftMs(
  runsDone: number,
  runsTotal: number | undefined,
  elapsedMs: number,
  durationMs: number | undefined,
): number | undefined {
  const byRuns =
    runsTotal !== undefined && runsDone > 0 ? ((runsTotal - runsDone) * elapsedMs) / runsDone : undefined;
  const byTime = durationMs === undefined ? undefined : durationMs - elapsedMs;
  if (byRuns === undefined) return byTime;
  return byTime === undefined ? byRuns : Math.min(byRuns, byTime);
}

/** The progress line of a fuzz command: its shard's runs (run-set.ts), --duration if given. */
export function progressOf(opts: FuzzOptions, startedMs: number): (r: HeartbeatReading) => string {
  const total =
    opts.durationMs !== undefined && opts.runs === RUNS_MAX
      ? undefined
      : runsOwned(shardPart(opts.shard ?? WHOLE), opts.runs);
  return (r) => {
    const elapsedMs = performance.now() - startedMs;
    const left = timeLeftMs(r.runsDone, total, elapsedMs, opts.durationMs);
    return progressLine(r.runsDone, total, r.shrinks, elapsedMs, left);
  };
}

/** A one-line progress bar, redrawn in place; silent unless the stream is a terminal. */
export class ProgressBar {
  readonly #stream: ProgressStream;
  readonly #enabled: boolean;
  #drawn = false;

  constructor(stream: ProgressStream, enabled: boolean) {
    this.#stream = stream;
    this.#enabled = enabled && stream.isTTY === true;
  }

  update(line: string): void {
    if (!this.#enabled) return;
    // A pseudo-terminal may report 0 columns: fall back to 80.
    const columns = this.#stream.columns ?? 0;
    const width = columns >= 20 ? columns - 1 : 79;
    this.#stream.write(`\r\x1b[2K${line.slice(0, width)}`);
    this.#drawn = true;
  }

  clear(): void {
    if (!this.#drawn) return;
    this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
