/**
 * `--duration`: wall-clock ends (epoch ms) of a search. Both are checked before each run, so a run
 * in progress finishes; this is the harness's clock, never the model's.
 */
export interface TimeLimit {
  /** No generated run starts after this (once `runsMin` runs are made). */
  readonly runsEndEpochMs: number;
  /** No shrink candidate runs after this: the smallest failing case so far is the counterexample. */
  readonly shrinkEndEpochMs: number;
  /** Runs made whatever the clock says (a worker's first, so no part reports none). */
  readonly runsMin: number;
}

/** Counts the runs a search makes, and says when the next one would start past its time limit. */
export class SearchClock {
  readonly #time: TimeLimit | undefined;
  readonly #nowMs: () => number;
  #runsMade = 0;
  #shrinkCut = false;

  constructor(time: TimeLimit | undefined, nowMs: () => number = Date.now) {
    this.#time = time;
    this.#nowMs = nowMs;
  }

  /** Generated runs made (shrink candidates are not runs). */
  get runsMade(): number {
    return this.#runsMade;
  }

  /** Whether a shrink candidate was skipped: shrinking stopped at the limit, not at a minimum. */
  get shrinkCut(): boolean {
    return this.#shrinkCut;
  }

  /** True when the run about to start (a shrink candidate if `shrinking`) is past the limit. */
  skips(shrinking: boolean): boolean {
    const t = this.#time;
    if (t !== undefined) {
      const over = shrinking
        ? this.#nowMs() >= t.shrinkEndEpochMs
        : this.#runsMade >= t.runsMin && this.#nowMs() >= t.runsEndEpochMs;
      if (over) {
        if (shrinking) this.#shrinkCut = true;
        return true;
      }
    }
    if (!shrinking) this.#runsMade++;
    return false;
  }
}
