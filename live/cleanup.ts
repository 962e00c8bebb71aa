/**
 * Undo steps of a live run, run last-in first-out on every way out: normal end, a thrown error,
 * SIGINT and SIGTERM. Each step is synchronous so it also runs from a signal handler; a failing
 * step is reported and the others still run.
 */
export class Cleanup {
  readonly #steps: { readonly what: string; readonly undo: () => void }[] = [];
  readonly #onSignal = (sig: NodeJS.Signals) => {
    this.runAll();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  #armed = false;
  readonly errors: string[] = [];

  /** Installs the signal handlers (once); the steps added later are covered too. */
  arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  add(what: string, undo: () => void): void {
    this.#steps.push({ what, undo });
  }

  runAll(): void {
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        step.undo();
      } catch (e) {
        this.errors.push(`could not ${step.what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (this.#armed) {
      process.off('SIGINT', this.#onSignal);
      process.off('SIGTERM', this.#onSignal);
      this.#armed = false;
    }
  }
}
