import { Worker } from 'node:worker_threads';

/**
 * A fuzz worker started before the command has loaded its own modules: a worker thread spends
 * most of its start booting Node and compiling the worker bundle, which can run beside the main
 * thread's loading instead of after it. Like every fuzz worker it starts without a job and waits
 * for one message with it (worker.ts `serve`). supervise.ts adopts it for the first job whose bootstrap
 * and heap limit it was started with; any other job, or a worker that died while waiting, gets a
 * fresh worker as before. Until adopted it is unref'd: a command that ends early (bad options,
 * `--help`) does not wait for it.
 */
interface Prestarted {
  readonly worker: Worker;
  readonly bootstrap: string;
  readonly heapMb: number;
  dead: boolean;
}

let waiting: Prestarted | undefined;

/**
 * The worker options shared by a prestarted and a fresh worker. No `workerData`: the job comes
 * as the first message, so its seal (worker.ts) is never where the policy could read it.
 */
export function workerOptions(heapMb: number) {
  return {
    eval: true,
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  } as const;
}

/** Starts the early worker (none if one is already waiting); answers it. */
export function prestartWorker(bootstrap: string, heapMb: number): Worker | undefined {
  if (waiting !== undefined) return undefined;
  const worker = new Worker(bootstrap, workerOptions(heapMb));
  const entry: Prestarted = { worker, bootstrap, heapMb, dead: false };
  const died = () => {
    entry.dead = true;
  };
  worker.once('error', died);
  worker.once('exit', died);
  worker.unref();
  waiting = entry;
  return worker;
}

/** The waiting worker, if it was started for this bootstrap and heap and is alive; taken once. */
export function adoptPrestarted(bootstrap: string, heapMb: number): Worker | undefined {
  const entry = waiting;
  waiting = undefined;
  if (entry === undefined) return undefined;
  if (entry.dead || entry.bootstrap !== bootstrap || entry.heapMb !== heapMb) {
    void entry.worker.terminate();
    return undefined;
  }
  entry.worker.ref();
  return entry.worker;
}
