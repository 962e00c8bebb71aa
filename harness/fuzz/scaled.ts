import { readStored, type StoredFailure, withFailure, withoutFailure, writeStored } from './failure-db.ts';
import type { HeartbeatReading } from './heartbeat.ts';
import { locate } from './locate.ts';
import type { FuzzOptions } from './options.ts';
import { WHOLE } from './run-set.ts';
import { type SearchWorkerJob, searchSplit } from './split.ts';
import { type Supervised, supervise, type WorkerLimits } from './supervise.ts';

/**
 * What one fuzz command searches, in order: a replay (--path) is that one case; otherwise the
 * failure database's entries for the policy first (the first that still fails is the answer, one
 * that passes is pruned), then the seed's runs split over the workers (split.ts), and a new
 * counterexample is stored for next time.
 */

export interface FuzzOutcome {
  readonly answer: Supervised;
  /** The stored counterexample that failed again: the report names its seed and path. */
  readonly stored?: StoredFailure;
  /** Lines for stderr (entries pruned, a database that could not be written). */
  readonly notes: readonly string[];
}

/** Shrinking a failure found within --duration T goes on for at most this long past T. */
export const SHRINK_GRACE_MS_MIN = 5_000;

/** A quarter of T, at least SHRINK_GRACE_MS_MIN: a short search still gets a readable case. */
export function shrinkGraceMs(durationMs: number): number {
  return Math.max(SHRINK_GRACE_MS_MIN, Math.floor(durationMs / 4));
}

export function workerJob(opts: FuzzOptions): SearchWorkerJob {
  return {
    mode: 'search',
    file: opts.policyFile,
    search: {
      seed: opts.seed,
      runs: opts.runs,
      path: opts.path,
      cpuCountMin: opts.cpuCountMin,
      cpuCountMax: opts.cpuCountMax,
      properties: opts.properties,
      deployment: opts.deployment,
    },
  };
}

/** One case in a worker, located if the worker could not answer for itself. */
async function replayOne(job: SearchWorkerJob, limits: WorkerLimits, onTick = (_r: HeartbeatReading) => {}) {
  const first = await supervise(job, limits, onTick);
  return locate(first, job, limits, job.file, job.search.seed);
}

function storedJob(job: SearchWorkerJob, s: StoredFailure): SearchWorkerJob {
  const { seed, path, cpuCountMin, cpuCountMax, deployment } = s;
  return { ...job, search: { ...job.search, seed, path, runs: 1, cpuCountMin, cpuCountMax, deployment } };
}

/** The stored entries replayed: the first still failing (or not answering) ends the command. */
async function replayStored(
  opts: FuzzOptions,
  db: string,
  limits: WorkerLimits,
): Promise<{ outcome?: FuzzOutcome; left: StoredFailure[]; pruned: number }> {
  const stored = readStored(db, opts.policyFile);
  let left = stored;
  for (const s of stored) {
    const answer = await replayOne(storedJob(workerJob(opts), s), limits);
    if (answer.kind !== 'held')
      return {
        outcome: { answer, ...(answer.kind === 'violated' ? { stored: s } : {}), notes: [] },
        left,
        pruned: 0,
      };
    left = withoutFailure(left, s);
  }
  return { left, pruned: stored.length - left.length };
}

export async function fuzzSearch(
  opts: FuzzOptions,
  limits: WorkerLimits,
  onTick: (r: HeartbeatReading) => void,
): Promise<FuzzOutcome> {
  const job = workerJob(opts);
  if (opts.path !== undefined) return { answer: await replayOne(job, limits, onTick), notes: [] };
  const db = opts.db;
  const before = db === undefined ? { left: [], pruned: 0 } : await replayStored(opts, db, limits);
  if (before.outcome !== undefined) return before.outcome;
  const deadlineEpochMs = opts.durationMs === undefined ? undefined : Date.now() + opts.durationMs;
  const plan = {
    shard: opts.shard ?? WHOLE,
    workers: opts.workers ?? 1,
    runsEnd: opts.runs,
    ...(deadlineEpochMs === undefined || opts.durationMs === undefined
      ? {}
      : { deadlineEpochMs, shrinkEndEpochMs: deadlineEpochMs + shrinkGraceMs(opts.durationMs) }),
  };
  const answer = await searchSplit(
    job,
    plan,
    limits,
    { policyFile: opts.policyFile, seed: opts.seed },
    onTick,
  );
  if (db === undefined) return { answer, notes: [] };
  const notes =
    before.pruned > 0 ? [`${before.pruned} stored counterexample(s) passed now: pruned from ${db}`] : [];
  let left = before.left;
  if (answer.kind === 'violated' && answer.replayRuns === undefined) {
    const { seed, cpuCountMin, cpuCountMax, deployment } = opts;
    left = withFailure(left, {
      seed,
      path: answer.path,
      property: answer.property,
      cpuCountMin,
      cpuCountMax,
      deployment,
    });
  } else if (before.pruned === 0) return { answer, notes };
  const failed = writeStored(db, opts.policyFile, left);
  return { answer, notes: failed === undefined ? notes : [...notes, failed] };
}
