import type { HeartbeatReading } from './heartbeat.ts';
import { locate } from './locate.ts';
import type { ChunkDone, PartJob } from './part.ts';
import {
  CHUNK_RUNS,
  chunkOf,
  nthChunk,
  type Part,
  partsOf,
  runsOwned,
  type Shard,
  shardPart,
} from './run-set.ts';
import type { ExercisedRuns } from './search.ts';
import { type Supervised, supervise, type WorkerLimits } from './supervise.ts';
import type { WorkerJob } from './worker.ts';

/**
 * `--workers N` (and `--shard i/n`, `--duration`): the runs of one seed split over N workers
 * (run-set.ts), each under its own watchdog. The result is the one a single worker gives for the
 * same seed: every part searches its chunks in order and shrinks its first failure; the failure
 * with the smallest run index wins, because one worker would have met it first. A part is
 * cancelled once all its chunks below that index have held, so no run past it is waited for.
 */

export type SearchWorkerJob = Extract<WorkerJob, { readonly mode: 'search' }>;

export interface SplitPlan {
  readonly shard: Shard;
  readonly workers: number;
  readonly runsEnd: number;
  readonly deadlineEpochMs?: number | undefined;
  readonly shrinkEndEpochMs?: number | undefined;
}

interface PartRun {
  readonly job: SearchWorkerJob;
  readonly part: Part;
  readonly stop: AbortController;
  reading: HeartbeatReading | undefined;
  readonly chunks: ChunkDone[];
  outcome: Supervised | undefined;
}

const CANCELLED = 'superseded';

function firstIndex(path: string | undefined): number | undefined {
  if (path === undefined || path === '') return undefined;
  return Number(path.split(':')[0]);
}

/** The run index a part's outcome failed at, if it failed at a run. */
function failingRun(o: Supervised | undefined): number | undefined {
  if (o === undefined) return undefined;
  switch (o.kind) {
    case 'violated':
    case 'model-error':
    case 'unreproducible':
      return firstIndex(o.path);
    case 'stopped':
    case 'died':
    case 'late-fault':
      return firstIndex(o.reading.path);
    default:
      return undefined;
  }
}

function sumExercised(all: readonly (ExercisedRuns | undefined)[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const e of all) for (const [n, v] of Object.entries(e ?? {})) total[n] = (total[n] ?? 0) + v;
  return total;
}

/** Heartbeats of all parts as one: runs and shrinks added up (the progress line). */
function mergedReading(parts: readonly PartRun[], latest: HeartbeatReading): HeartbeatReading {
  let runsDone = 0;
  let shrinks = 0;
  for (const p of parts) {
    runsDone += p.reading?.runsDone ?? 0;
    shrinks += p.reading?.shrinks ?? 0;
  }
  return { ...latest, runsDone, shrinks };
}

/** Ctrl-C: the runs done without a gap from run 0 (the continue command starts there). */
function mergedInterrupted(parts: readonly PartRun[]): Supervised {
  const stopped = parts.flatMap((p) => (p.outcome?.kind === 'interrupted' ? [p.outcome] : []));
  const [first] = stopped;
  if (parts.length === 1 || first === undefined)
    return parts[0]?.outcome ?? { kind: 'load-error', message: '' };
  const at = (o: typeof first) => firstIndex(o.reading.path) ?? o.reading.runsDone;
  const earliest = stopped.reduce((a, b) => (at(b) < at(a) ? b : a), first);
  const shrinks = stopped.reduce((n, o) => n + o.reading.shrinks, 0);
  return { ...earliest, reading: { ...earliest.reading, runsDone: at(earliest), shrinks } };
}

function mergedHeld(parts: readonly PartRun[]): Supervised {
  const held = parts.flatMap((p) => (p.outcome?.kind === 'held' ? [p.outcome] : []));
  const [first] = held;
  if (first === undefined) return parts[0]?.outcome ?? { kind: 'load-error', message: '' };
  const runs = held.reduce((n, h) => n + h.runs, 0);
  return { ...first, runs, exercised: sumExercised(held.map((h) => h.exercised)) };
}

/** The winning failure, located if need be, with the runs and exercised counts of all runs up to it. */
async function mergedFailure(
  winner: PartRun,
  parts: readonly PartRun[],
  plan: SplitPlan,
  limits: WorkerLimits,
  where: { policyFile: string; seed: number },
): Promise<Supervised> {
  const k = failingRun(winner.outcome) ?? 0;
  const outcome = winner.outcome ?? { kind: 'load-error', message: '' };
  const answer = await locate(outcome, winner.job, limits, where.policyFile, where.seed);
  if (answer.kind !== 'violated') return answer;
  const before = parts.flatMap((p) => p.chunks.filter((c) => c.start < chunkOf(k) * CHUNK_RUNS));
  const exercised =
    answer.exercised === undefined
      ? undefined
      : sumExercised([...before.map((c) => c.exercised), answer.exercised]);
  const runs = runsOwned(shardPart(plan.shard), k + 1);
  return { ...answer, runs, ...(exercised === undefined ? {} : { exercised }) };
}

/** Runs the split search; `where` names the policy and seed for a located fault's messages. */
export async function searchSplit(
  job: SearchWorkerJob,
  plan: SplitPlan,
  limits: WorkerLimits,
  where: { policyFile: string; seed: number },
  onTick: (reading: HeartbeatReading) => void,
): Promise<Supervised> {
  const all = partsOf(plan.shard, plan.workers);
  const owning = all.filter((p) => runsOwned(p, plan.runsEnd) > 0);
  const parts: PartRun[] = (owning.length > 0 ? owning : all.slice(0, 1)).map((part) => {
    const partJob: PartJob = {
      part,
      runsEnd: plan.runsEnd,
      deadlineEpochMs: plan.deadlineEpochMs,
      shrinkEndEpochMs: plan.shrinkEndEpochMs,
    };
    const run: PartRun = {
      job: { ...job, part: partJob },
      part,
      stop: new AbortController(),
      reading: undefined,
      chunks: [],
      outcome: undefined,
    };
    return run;
  });
  let limit = Number.POSITIVE_INFINITY;
  // A part whose next chunk lies past the earliest failure has searched all it owns below it.
  const cull = () => {
    for (const p of parts)
      if (p.outcome === undefined && nthChunk(p.part, p.chunks.length) > chunkOf(limit))
        p.stop.abort(CANCELLED);
  };
  const lower = (run: number | undefined) => {
    if (run !== undefined && run < limit) limit = run;
    cull();
  };
  const outer = limits.signal;
  const onAbort = () => {
    for (const p of parts) p.stop.abort(outer?.reason);
  };
  outer?.addEventListener('abort', onAbort, { once: true });
  if (outer?.aborted) onAbort();
  await Promise.all(parts.map((p) => startPart(p, parts, limits, onTick, lower)));
  outer?.removeEventListener('abort', onAbort);
  if (outer?.aborted) return mergedInterrupted(parts);
  const failed = parts.filter((p) => failingRun(p.outcome) !== undefined);
  const winner = failed.reduce<PartRun | undefined>(
    (best, p) =>
      best === undefined || (failingRun(p.outcome) ?? 0) < (failingRun(best.outcome) ?? 0) ? p : best,
    undefined,
  );
  if (winner !== undefined) return mergedFailure(winner, parts, plan, limits, where);
  const odd = parts.find((p) => p.outcome?.kind !== 'held' && p.outcome?.kind !== 'interrupted');
  if (odd?.outcome !== undefined) return locate(odd.outcome, odd.job, limits, where.policyFile, where.seed);
  return mergedHeld(parts);
}

function startPart(
  p: PartRun,
  parts: readonly PartRun[],
  limits: WorkerLimits,
  onTick: (reading: HeartbeatReading) => void,
  lower: (run: number | undefined) => void,
): Promise<void> {
  const tick = (r: HeartbeatReading) => {
    p.reading = r;
    // Shrinking (a path with shrink indexes): the run at its first index failed.
    if (r.path?.includes(':')) lower(firstIndex(r.path));
    onTick(mergedReading(parts, r));
  };
  const chunk = (c: ChunkDone) => {
    p.chunks.push(c);
    lower(undefined);
  };
  return supervise(p.job, { ...limits, signal: p.stop.signal }, tick, chunk).then((o) => {
    p.outcome = o;
    lower(failingRun(o));
  });
}
