import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { describeThrown } from '../../model/policy-describe.ts';
import { tunesCompiler } from './compiler-flags.ts';
import { CallKind, HEARTBEAT_BYTES, type HeartbeatReading, readHeartbeat } from './heartbeat.ts';
import { enterWorker, leaveWorker, overBudget, overBudgetText } from './memory-budget.ts';
import type { ChunkDone } from './part.ts';
import { adoptPrestarted, workerOptions } from './prestart.ts';
import { stopWorker } from './stopping.ts';
import type { SealedMessage, WorkerAnswer, WorkerInput, WorkerJob } from './worker.ts';
import { workerBootstrap } from './worker-bootstrap.ts';

/** The watchdog stopped the worker: a policy call (or the module's loading) did not return in time. */
export interface Stopped {
  readonly kind: 'stopped';
  readonly reading: HeartbeatReading;
  readonly waitedMs: number;
}

/** The worker died without answering: out of heap, exited, an error outside any policy call. */
export interface Died {
  readonly kind: 'died';
  readonly cause: 'heap' | 'exit' | 'error';
  readonly message: string;
  /** Where the worker stood when it died (the supervisor re-runs that case to report it). */
  readonly reading: HeartbeatReading;
}

/** SIGINT / SIGTERM: the worker was terminated; the reading says how far the search got. */
export interface Interrupted {
  readonly kind: 'interrupted';
  readonly signal: string;
  readonly reading: HeartbeatReading;
}

export type Supervised = WorkerAnswer | Stopped | Died | Interrupted;

/** What a supervised worker may use besides the per-call budget. */
export interface WorkerLimits {
  readonly timeoutMs: number;
  /** V8 old-generation heap of the worker, MiB: a leaking policy exhausts it, not the machine. */
  readonly heapMb: number;
  /** Aborted with the signal name as reason: terminate the worker and answer `interrupted`. */
  readonly signal?: AbortSignal;
  /**
   * Times the memory budget (memory-budget.ts): a replay of a run that passed it grows as far
   * again before the call it stops at, so it gets room to get there.
   */
  readonly memoryBudgetScale?: number;
}

/** How often the watchdog looks at the heartbeat, at most. */
const POLL_MS_MAX = 100;
/**
 * Loading a module compiles it and everything it imports (cold caches, a busy machine): it gets
 * this many times the per-call budget before it counts as never finishing.
 */
export const LOADING_BUDGET_FACTOR = 5;
/** How long a worker that has answered may take to exit and flush its output. */
const EXIT_GRACE_MS = 2000;
/**
 * How long a stopped worker's output may take to end: a thread that has not ended by then is stuck
 * in a native call (stopping.ts), and waiting longer gains nothing.
 */
export const STOP_GRACE_MS = 1000;

/**
 * A worker thread for one job, started by the bootstrap of worker-bootstrap.ts, or the one the
 * command started early for it (prestart.ts), which gets the job as its first message.
 */
function startWorker(input: WorkerInput, heapMb: number): Worker {
  const { job } = input;
  const bootstrap = workerBootstrap(job.file, import.meta.url, process.env, tunesCompiler(job.search.runs));
  const worker = adoptPrestarted(bootstrap, heapMb) ?? new Worker(bootstrap, workerOptions(heapMb));
  worker.postMessage(input);
  // Whatever the policy prints goes to stderr, so `--json` keeps stdout to one document. Written
  // chunk by chunk rather than piped: a pipe adds listeners to process.stderr for as long as the
  // worker lives, and a scaled search (or a test process running several) has more than ten.
  const toStderr = (chunk: Buffer) => void process.stderr.write(chunk);
  worker.stdout.on('data', toStderr);
  worker.stderr.on('data', toStderr);
  return worker;
}

/**
 * Runs one job in a worker under a watchdog: when the same policy call (same call sequence number)
 * has been in progress for `timeoutMs`, the worker is terminated and the reading says which call,
 * on which packet, in which run. `onTick` gets the heartbeat on every poll (the progress bar);
 * `onChunk` each chunk of a split search that held.
 */
export function supervise(
  job: WorkerJob,
  limits: WorkerLimits,
  onTick: (reading: HeartbeatReading) => void = () => {},
  onChunk: (chunk: ChunkDone) => void = () => {},
): Promise<Supervised> {
  const { timeoutMs, heapMb, signal } = limits;
  const heartbeat = new SharedArrayBuffer(HEARTBEAT_BYTES);
  const seal = randomUUID();
  const startRssBytes = process.memoryUsage.rss();
  const worker = startWorker({ job, heartbeat, seal }, heapMb);
  enterWorker();
  return new Promise((resolvePromise) => {
    let settled = false;
    let answer: WorkerAnswer | undefined;
    let watchedSeq = -1;
    let watchedSinceMs = performance.now();
    let grace: NodeJS.Timeout | undefined;
    const finish = (outcome: Supervised) => {
      if (settled) return;
      settled = true;
      leaveWorker();
      clearInterval(timer);
      clearTimeout(grace);
      signal?.removeEventListener('abort', interrupt);
      // What the policy printed reaches stderr before the report.
      void Promise.all([ended(worker.stdout), ended(worker.stderr)]).then(() => resolvePromise(outcome));
      stopWorker(worker);
    };
    const timer = setInterval(
      () => {
        const reading = readHeartbeat(heartbeat);
        onTick(reading);
        if (answer === undefined && overBudget(startRssBytes, heapMb, limits.memoryBudgetScale)) {
          finish({ kind: 'died', cause: 'heap', message: overBudgetText(heapMb), reading });
          return;
        }
        const now = performance.now();
        if (answer !== undefined || reading.kind === CallKind.idle || reading.callSeq !== watchedSeq) {
          watchedSeq = reading.callSeq;
          watchedSinceMs = now;
          return;
        }
        const budgetMs = reading.kind === CallKind.loading ? timeoutMs * LOADING_BUDGET_FACTOR : timeoutMs;
        if (now - watchedSinceMs >= budgetMs)
          finish({ kind: 'stopped', reading, waitedMs: now - watchedSinceMs });
      },
      Math.max(10, Math.min(POLL_MS_MAX, timeoutMs / 4)),
    );
    const interrupt = () =>
      finish({ kind: 'interrupted', signal: String(signal?.reason), reading: readHeartbeat(heartbeat) });
    if (signal?.aborted) interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    // The worker ends by itself once it has answered; its output streams drain on the way out.
    worker.on('message', (m: unknown) => {
      // Anything else on the port was posted by the policy (it shares the worker): not an answer.
      const a = unsealed(m, seal);
      if (a === undefined) return;
      if (a.kind === 'chunk') return onChunk(a);
      // Deferred policy work that threw outranks an answer already given.
      if (a.kind === 'late-fault') return finish(a);
      answer = a;
      grace = setTimeout(() => finish(a), EXIT_GRACE_MS);
    });
    worker.on('error', (err) => finish(diedOf(err, heapMb, readHeartbeat(heartbeat))));
    worker.on('exit', (code) => finish(answer ?? diedOf(code, heapMb, readHeartbeat(heartbeat))));
  });
}

/** A worker that ended without answering: an error (out of heap, or another), or an exit code. */
function diedOf(how: unknown, heapMb: number, reading: HeartbeatReading): Died {
  if (typeof how === 'number')
    return { kind: 'died', cause: 'exit', message: `exited with code ${how}`, reading };
  const heap = (how as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
  const message = heap ? `ran out of its ${heapMb} MiB heap` : `failed: ${describeThrown(how)}`;
  return { kind: 'died', cause: heap ? 'heap' : 'error', message, reading };
}

function unsealed(m: unknown, seal: string): WorkerAnswer | ChunkDone | undefined {
  const sealed = m as Partial<SealedMessage> | null;
  return typeof sealed === 'object' && sealed !== null && sealed.seal === seal ? sealed.message : undefined;
}

/** Resolves when a stream has ended, or at once if it has (or after a bound, if it never does). */
function ended(stream: Readable): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolveEnd) => {
    const bound = setTimeout(resolveEnd, STOP_GRACE_MS);
    stream.once('close', () => {
      clearTimeout(bound);
      resolveEnd();
    });
    stream.once('end', () => {
      clearTimeout(bound);
      resolveEnd();
    });
  });
}
