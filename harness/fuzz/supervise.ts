import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CallKind, HEARTBEAT_BYTES, type HeartbeatReading, readHeartbeat } from './heartbeat.ts';
import type { WorkerAnswer, WorkerInput, WorkerJob } from './worker.ts';

/** The watchdog stopped the worker: a policy call (or the module's loading) did not return in time. */
export interface Stopped {
  readonly kind: 'stopped';
  readonly reading: HeartbeatReading;
  readonly waitedMs: number;
}

/** The worker died without answering (out of memory, a crash in native code). */
export interface Died {
  readonly kind: 'died';
  readonly message: string;
}

export type Supervised = WorkerAnswer | Stopped | Died;

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
 * The worker is started through a tiny bootstrap that registers tsx's loader inside it: Node 20
 * does not carry the parent's module hooks into workers, and policy modules may be TypeScript.
 */
function startWorker(input: WorkerInput): Worker {
  const esmApi = import.meta.resolve('tsx/esm/api');
  const cjsApi = fileURLToPath(import.meta.resolve('tsx/cjs/api'));
  const entry = new URL('./worker.ts', import.meta.url).href;
  // Both hooks, as `tsx` itself installs: a .ts file outside an ESM package is loaded as CommonJS.
  const bootstrap = `require(${JSON.stringify(cjsApi)}).register();
import(${JSON.stringify(esmApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  const worker = new Worker(bootstrap, { eval: true, workerData: input, stdout: true, stderr: true });
  // Whatever the policy prints goes to stderr, so `--json` keeps stdout to one document.
  worker.stdout.pipe(process.stderr);
  worker.stderr.pipe(process.stderr);
  return worker;
}

/**
 * Runs one job in a worker under a watchdog: when the same policy call (same call sequence number)
 * has been in progress for `timeoutMs`, the worker is terminated and the reading says which call,
 * on which packet, in which run. `onTick` gets the heartbeat on every poll (the progress bar).
 */
export function supervise(
  job: WorkerJob,
  timeoutMs: number,
  onTick: (reading: HeartbeatReading) => void = () => {},
): Promise<Supervised> {
  const heartbeat = new SharedArrayBuffer(HEARTBEAT_BYTES);
  const worker = startWorker({ job, heartbeat });
  return new Promise((resolvePromise) => {
    let settled = false;
    let answer: WorkerAnswer | undefined;
    let watchedSeq = -1;
    let watchedSinceMs = performance.now();
    let grace: NodeJS.Timeout | undefined;
    const finish = (outcome: Supervised) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      clearTimeout(grace);
      // What the policy printed reaches stderr before the report.
      void Promise.all([ended(worker.stdout), ended(worker.stderr)]).then(() => resolvePromise(outcome));
      void worker.terminate();
    };
    const timer = setInterval(
      () => {
        const reading = readHeartbeat(heartbeat);
        onTick(reading);
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
    // The worker ends by itself once it has answered; its output streams drain on the way out.
    worker.on('message', (a: WorkerAnswer) => {
      answer = a;
      grace = setTimeout(() => finish(a), EXIT_GRACE_MS);
    });
    worker.on('error', (err) =>
      finish({ kind: 'died', message: err instanceof Error ? err.message : String(err) }),
    );
    worker.on('exit', (code) =>
      finish(answer ?? { kind: 'died', message: `the worker exited with code ${code}` }),
    );
  });
}

/** Resolves when a stream has ended, or at once if it has (or after a bound, if it never does). */
function ended(stream: Readable): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolveEnd) => {
    const bound = setTimeout(resolveEnd, EXIT_GRACE_MS);
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
