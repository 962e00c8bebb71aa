import type { ProgressStream } from './progress.ts';

/** How often a progress line is written where stderr is not a terminal. */
export const PROGRESS_LOG_INTERVAL_MS = 10_000;

/**
 * Progress where stderr is not a terminal (a CI log, `2>&1 | cat`): the bar cannot be redrawn
 * there, so the same line is written plainly, one every `intervalMs`, and a long search still
 * shows it is alive. The first line comes one interval after the start: a short run writes none.
 */
export class ProgressLog {
  readonly #stream: ProgressStream;
  readonly #enabled: boolean;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastMs: number;

  constructor(
    stream: ProgressStream,
    enabled: boolean,
    intervalMs: number = PROGRESS_LOG_INTERVAL_MS,
    now: () => number = () => performance.now(),
  ) {
    this.#stream = stream;
    this.#enabled = enabled && stream.isTTY !== true;
    this.#intervalMs = intervalMs;
    this.#now = now;
    this.#lastMs = now();
  }

  update(line: string): void {
    if (!this.#enabled) return;
    const nowMs = this.#now();
    if (nowMs - this.#lastMs < this.#intervalMs) return;
    this.#lastMs = nowMs;
    this.#stream.write(`fuzz: ${line}\n`);
  }

  /** Nothing to erase: every line written stays in the log. */
  clear(): void {}
}
