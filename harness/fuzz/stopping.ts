import type { Worker } from 'node:worker_threads';

/**
 * Fuzz workers asked to stop that have not exited yet. `terminate()` stops JavaScript, but not a
 * policy inside a long native call that never checks for termination (`Array.prototype.fill` over
 * a sparse array of 3e9 slots, `execSync` of a slow command): that thread runs on until the call
 * ends or its heap is exhausted, which aborts the whole process, and the process cannot exit
 * meanwhile (Node joins every worker thread on the way out). The command asks here when it is done
 * whether it must end the process past such a thread (cli/exit-now.ts).
 */
const stopping = new Map<Worker, { readonly sinceMs: number; readonly exited: Promise<void> }>();

/** Asks the worker to stop (once: supervise.ts settles each worker once); it counts as stopping until its thread has ended. */
export function stopWorker(worker: Worker): void {
  const done = () => void stopping.delete(worker);
  // terminate() settles once the thread has ended, at once for a worker already gone.
  stopping.set(worker, { sinceMs: performance.now(), exited: worker.terminate().then(done, done) });
}

/**
 * How many stopped workers still run `graceMs` after they were asked to stop (waiting for the
 * youngest request's grace at most): a thread still running then is stuck in native code.
 */
export async function stuckWorkers(graceMs: number): Promise<number> {
  if (stopping.size === 0) return 0;
  const entries = [...stopping.values()];
  // Even past the grace, a thread that has just ended gets its exit noticed (a timer's turn).
  const waitMs = Math.max(0, Math.max(...entries.map((e) => e.sinceMs + graceMs)) - performance.now());
  let bound: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolveLate) => {
    bound = setTimeout(resolveLate, waitMs);
  });
  await Promise.race([Promise.all(entries.map((e) => e.exited)), late]);
  clearTimeout(bound);
  return stopping.size;
}
