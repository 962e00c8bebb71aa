import { parentPort, workerData } from 'node:worker_threads';
import type { RunCase } from '../arbitraries/run-case.ts';
import { type Explanation, explain } from './explain.ts';
import { CallKind, SharedHeartbeat } from './heartbeat.ts';
import { loadPolicy } from './load-policy.ts';
import { caseAtPath, type ExercisedRuns, type SearchJob, type StopAt, search } from './search.ts';

/**
 * The worker side of the fuzz command: loads the policy module and runs the search (or, after the
 * watchdog stopped a policy that never returned, replays that run with the stuck call answered
 * `timed-out`). The policy's code runs only here, so the main thread stays free to watch it.
 */

export type WorkerJob =
  | { readonly mode: 'search'; readonly file: string; readonly search: SearchJob }
  | {
      readonly mode: 'replay-stopped';
      readonly file: string;
      readonly search: SearchJob;
      readonly path: string;
      readonly stopAt: StopAt;
    };

export interface WorkerInput {
  readonly job: WorkerJob;
  readonly heartbeat: SharedArrayBuffer;
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
      readonly runCase: RunCase;
      readonly explanation: Explanation;
      readonly exportName: string;
    }
  | { readonly kind: 'model-error'; readonly message: string; readonly path: string };

async function work(input: WorkerInput): Promise<WorkerAnswer> {
  const beat = new SharedHeartbeat(input.heartbeat);
  const { job } = input;
  beat.enter(CallKind.loading, 0);
  const loaded = await loadPolicy(job.file);
  beat.leave();
  if (typeof loaded === 'string') return { kind: 'load-error', message: loaded };
  const { source, fallbackName, exportName } = loaded;
  if (job.mode === 'replay-stopped') {
    const runCase = caseAtPath(job.search, job.path);
    const explanation = explain(runCase, source, fallbackName, 'policy-conformance', beat, job.stopAt);
    if (typeof explanation === 'string') return { kind: 'model-error', message: explanation, path: job.path };
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
    };
  }
  const result = search(job.search, source, fallbackName, beat);
  if (result.kind !== 'violated') return result.kind === 'held' ? { ...result, exportName } : result;
  const explanation = explain(result.runCase, source, fallbackName, result.property, beat);
  if (typeof explanation === 'string')
    return { kind: 'model-error', message: explanation, path: result.path };
  return { ...result, explanation, exportName };
}

const port = parentPort;
if (port !== null) {
  work(workerData as WorkerInput).then(
    (answer) => port.postMessage(answer),
    (err: unknown) =>
      port.postMessage({
        kind: 'model-error',
        message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        path: '',
      } satisfies WorkerAnswer),
  );
}
