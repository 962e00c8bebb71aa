/**
 * The fuzz process's memory budget. `--heap` caps each worker's V8 heap (`resourceLimits`), but
 * ArrayBuffers and Buffers live outside it: a policy that keeps them grows the process until the
 * machine runs out (12 GB in a minute, 64 MiB a call). The watchdog compares the resident set with
 * what the running workers may add to it: per worker, its heap, as much again outside it, and
 * `WORKER_ITSELF_MB` for the rest of a worker (Node's bootstrap, code, the young generation).
 */

const MIB = 1024 * 1024;
/** A worker beside its heap: about 60 MiB at rest; far more than the model's own buffers. */
export const WORKER_ITSELF_MB = 192;

/** What one worker with this heap limit may add to the resident set, MiB. */
export function workerBudgetMb(heapMb: number): number {
  return 2 * heapMb + WORKER_ITSELF_MB;
}

let liveWorkers = 0;

/** A worker has started (`leave` when it has been settled). */
export function enterWorker(): void {
  liveWorkers++;
}

export function leaveWorker(): void {
  liveWorkers = Math.max(0, liveWorkers - 1);
}

/**
 * Whether the process has grown past what the live workers may add to `startRssBytes` (the
 * resident set when the watching supervisor started its worker), `scale` times over.
 */
export function overBudget(
  startRssBytes: number,
  heapMb: number,
  scale = 1,
  rssBytes = process.memoryUsage.rss(),
): boolean {
  return rssBytes > startRssBytes + scale * Math.max(1, liveWorkers) * workerBudgetMb(heapMb) * MIB;
}

/** The words of the fault: what grew, against which budget. */
export function overBudgetText(heapMb: number): string {
  return `grew the fuzz process past its memory budget of ${workerBudgetMb(heapMb)} MiB a worker (twice the ${heapMb} MiB heap, and ${WORKER_ITSELF_MB}: ArrayBuffers and Buffers are outside the heap)`;
}
