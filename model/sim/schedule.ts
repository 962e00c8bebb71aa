/**
 * A schedule is plain data: small integers read as `choice % runnableCount` at each scheduling
 * point. Any array is valid, and shrinking a choice toward 0 means "the first runnable actor",
 * so fast-check shrinks interleavings toward the simplest one. Past the end of the array every
 * choice is 0.
 */
export type Schedule = readonly number[];

/** Reads a schedule one choice at a time. */
export class ScheduleCursor {
  #index = 0;
  readonly #choices: Schedule;

  constructor(choices: Schedule) {
    this.#choices = choices;
  }

  /** Picks an index in 0 .. count-1 (count >= 1). */
  pick(count: number): number {
    const choice = this.#choices[this.#index++] ?? 0;
    // Any integer is a valid choice; negative or fractional input is folded, never rejected.
    const folded = Math.abs(Math.trunc(choice));
    return Number.isFinite(folded) ? folded % count : 0;
  }

  /** How many choices have been consumed (including those past the end). */
  get consumed(): number {
    return this.#index;
  }
}
