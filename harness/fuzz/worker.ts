import { type MessagePort, parentPort } from 'node:worker_threads';
import type { FuzzCase } from '../arbitraries/run-case.ts';
import { containProcess } from './contain.ts';
import { type LateFault, watchDeferred } from './deferred.ts';
import { type Explanation, explain, type Unreproducible } from './explain.ts';
import { failsWithFreshModule } from './fresh-module.ts';
import { CallKind, readHeartbeat, SharedHeartbeat } from './heartbeat.ts';
import { loadPolicy } from './load-policy.ts';
import { lockdown } from './lockdown.ts';
import { type ChunkDone, type PartJob, searchPart } from './part.ts';
import { ensurePolicyHooks } from './policy-hooks.ts';
import { caseAtPath, type ExercisedRuns, type SearchJob, type StopAt, search } from './search.ts';

/**
 * The worker side of the fuzz command: loads the policy module and runs the search (or, after the
 * watchdog stopped a policy that never returned, replays that run with the stuck call answered
 * `timed-out`). The policy's code runs only here, so the main thread stays free to watch it.
 */

export type WorkerJob =
  | {
      readonly mode: 'search';
      readonly file: string;
      readonly search: SearchJob;
      /** One worker's chunks of a split search (--workers, --shard, --duration). */
      readonly part?: PartJob;
    }
  | {
      readonly mode: 'replay-stopped';
      readonly file: string;
      readonly search: SearchJob;
      readonly path: string;
      readonly stopAt: StopAt;
      /** Explain from this one run, without the run cut at the violation (locate.ts). */
      readonly oneRun?: true;
    };

export interface WorkerInput {
  readonly job: WorkerJob;
  readonly heartbeat: SharedArrayBuffer;
  /**
   * A secret the supervisor made for this worker: every message back carries it. The policy can
   * post on the same port (`parentPort`), but cannot read the job message that held the seal.
   */
  readonly seal: string;
}

/** What the worker posts: an answer, a late fault or a finished chunk, under the job's seal. */
export interface SealedMessage {
  readonly seal: string;
  readonly message: WorkerAnswer | ChunkDone;
}

export type WorkerAnswer =
  | { readonly kind: 'load-error'; readonly message: string }
  | {
      readonly kind: 'held';
      readonly runs: number;
      readonly policyName: string;
      readonly exportName: string;
      readonly exercised?: ExercisedRuns;
    }
  | {
      readonly kind: 'violated';
      readonly exercised?: ExercisedRuns;
      readonly property: string;
      readonly path: string;
      readonly runs: number;
      readonly shrinks: number;
      /** Shrinking stopped at the --duration limit (time-limit.ts). */
      readonly shrinkCut?: true;
      readonly runCase: FuzzCase;
      readonly explanation: Explanation;
      readonly exportName: string;
      /** The run was replayed to a fault that stopped the worker (not shrunk). */
      readonly located?: boolean;
      /**
       * Replayed by `--runs N` from the start, not by its path: a fault built up over runs (a full
       * heap, state kept at module level), which a fresh worker replaying one case does not meet.
       */
      readonly replayRuns?: number;
    }
  | { readonly kind: 'model-error'; readonly message: string; readonly path: string }
  /** The policy behaved differently when its case ran again (not the model's fault). */
  | { readonly kind: 'unreproducible'; readonly message: string; readonly path: string }
  | LateFault;

/** A counterexample that could not be explained: the model refused it, or it passed when run again. */
function explainFailed(error: string | Unreproducible, path: string): WorkerAnswer {
  return typeof error === 'string'
    ? { kind: 'model-error', message: error, path }
    : { kind: 'unreproducible', message: error.unreproducible, path };
}

async function work(input: WorkerInput, note: (chunk: ChunkDone) => void): Promise<WorkerAnswer> {
  const beat = new SharedHeartbeat(input.heartbeat);
  const { job } = input;
  beat.enter(CallKind.loading, 0);
  const loaded = await loadPolicy(job.file, ensurePolicyHooks);
  beat.leave();
  if (!loaded.ok) return { kind: 'load-error', message: loaded.error };
  const { source, fallbackName, exportName } = loaded.value;
  if (job.mode === 'replay-stopped') {
    const runCase = caseAtPath(job.search, job.path);
    const explained = explain(runCase, source, fallbackName, 'policy-conformance', beat, {
      stopAt: job.stopAt,
      oneRun: job.oneRun === true,
    });
    if (!explained.ok) return explainFailed(explained.error, job.path);
    const explanation = explained.value;
    const runs = Number(job.path.split(':')[0]) + 1;
    return {
      kind: 'violated',
      property: 'policy-conformance',
      path: job.path,
      runs,
      shrinks: 0,
      runCase,
      explanation,
      exportName,
      located: true,
    };
  }
  const result =
    job.part === undefined
      ? search(job.search, source, fallbackName, beat)
      : searchPart(job.search, job.part, { source, fallbackName, beat }, note);
  if (result.kind !== 'violated') return result.kind === 'held' ? { ...result, exportName } : result;
  const { observed, ...found } = result;
  const explained = explain(result.runCase, source, fallbackName, result.property, beat, { observed });
  if (!explained.ok) return explainFailed(explained.error, result.path);
  const explanation = explained.value;
  const again =
    explanation.notReproduced !== true &&
    (await failsWithFreshModule(job.file, result.runCase, result.property, beat, ensurePolicyHooks));
  if (again) return { ...found, explanation, exportName };
  // A replay by path loads the module afresh and passes: a search is replayed by running the
  // seed's runs up to the failing one again, which rebuilds state the module kept across them.
  const replayRuns = job.search.path === undefined ? Number(result.path.split(':')[0]) + 1 : undefined;
  return {
    ...found,
    explanation: { ...explanation, notReproduced: true },
    exportName,
    ...(replayRuns === undefined ? {} : { replayRuns }),
  };
}

/**
 * Runs the job of this worker thread, which comes as its first message. Called by the bootstrap
 * (worker-bootstrap.ts) once the module hooks the policy file needs are in place (after this
 * module's graph when it is prebuilt JS). `beforeAnswer` runs once the job is done, just before its
 * answer is posted (after which the worker may be stopped at any moment): the bootstrap keeps the
 * code compiled for the job there (worker-script.ts).
 */
export function serve(beforeAnswer: () => void = () => {}): void {
  const port = parentPort;
  if (port === null) return;
  port.once('message', (input: WorkerInput) => run(port, input, beforeAnswer));
}

function run(port: MessagePort, input: WorkerInput, beforeAnswer: () => void): void {
  const { seal } = input;
  const post = (message: WorkerAnswer | ChunkDone) =>
    port.postMessage({ seal, message } satisfies SealedMessage);
  // The first late fault wins; it is posted at once, the answer only after deferred work had a turn.
  let late: LateFault | undefined;
  const report = (fault: LateFault) => {
    if (late !== undefined) return;
    late = fault;
    post(fault);
  };
  containProcess(port);
  watchDeferred(() => readHeartbeat(input.heartbeat), report);
  lockdown();
  const settle = () => new Promise<void>((resolveTurn) => setImmediate(() => setImmediate(resolveTurn)));
  void work(input, post)
    .then(
      (answer): WorkerAnswer => answer,
      (err: unknown): WorkerAnswer => ({
        kind: 'model-error',
        message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        path: '',
      }),
    )
    .then(async (answer) => {
      await settle();
      try {
        beforeAnswer();
      } catch {
        // The answer matters more than what the bootstrap keeps for the next worker.
      }
      if (late === undefined) post(answer);
    });
}
