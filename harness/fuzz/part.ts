import type { PolicySource } from '../../model/policy.ts';
import type { Heartbeat } from './heartbeat.ts';
import { chunkRuns, nthChunk, type Part } from './run-set.ts';
import { type ExercisedRuns, type SearchJob, type SearchResult, search } from './search.ts';
import type { TimeLimit } from './time-limit.ts';

/** One worker's share of a split search (run-set.ts): its chunks below `runsEnd`, in order. */
export interface PartJob {
  readonly part: Part;
  /** Runs of the seed searched at most (`--runs`, over all shards and workers). */
  readonly runsEnd: number;
  /** `--duration`: no run starts after this wall-clock time (epoch ms); a run in progress finishes. */
  readonly deadlineEpochMs?: number | undefined;
  /** `--duration`: shrinking a failure found in time stops here (epoch ms). */
  readonly shrinkEndEpochMs?: number | undefined;
}

/** Posted to the supervisor after each chunk that held, so it can add up runs it cancels. */
export interface ChunkDone {
  readonly kind: 'chunk';
  readonly start: number;
  readonly runs: number;
  readonly exercised: ExercisedRuns;
}

function addInto(total: Record<string, number>, more: ExercisedRuns): void {
  for (const [name, n] of Object.entries(more)) total[name] = (total[name] ?? 0) + n;
}

/**
 * The part's chunks one fast-check search each, from the chunk's first run (its path), shrinking
 * as usual: the first chunk that fails ends the part with that chunk's result (absolute path, the
 * chunk's own runs and exercised counts). The chunks before it are reported through `done`.
 */
export function searchPart(
  job: SearchJob,
  part: PartJob,
  run: { source: PolicySource; fallbackName: string; beat: Heartbeat },
  done: (chunk: ChunkDone) => void,
): SearchResult {
  const exercised: Record<string, number> = Object.fromEntries(job.properties.map((n) => [n, 0]));
  let runs = 0;
  let policyName = run.fallbackName;
  for (let i = 0; ; i++) {
    const { start, runs: chunkSize } = chunkRuns(nthChunk(part.part, i), part.runsEnd);
    if (chunkSize === 0) break;
    if (part.deadlineEpochMs !== undefined && runs > 0 && Date.now() >= part.deadlineEpochMs) break;
    // The deadline is checked before every run, not only between chunks: a chunk of a slow
    // policy's runs takes many seconds. The part's first run is made whatever the clock says.
    const time: TimeLimit | undefined =
      part.deadlineEpochMs === undefined
        ? undefined
        : {
            runsEndEpochMs: part.deadlineEpochMs,
            shrinkEndEpochMs: part.shrinkEndEpochMs ?? part.deadlineEpochMs,
            runsMin: runs === 0 ? 1 : 0,
          };
    const result = search(
      { ...job, runs: chunkSize, firstRun: start },
      run.source,
      run.fallbackName,
      run.beat,
      time,
    );
    if (result.kind !== 'held') return result;
    policyName = result.policyName;
    runs += result.runs;
    addInto(exercised, result.exercised);
    done({ kind: 'chunk', start, runs: result.runs, exercised: result.exercised });
  }
  return { kind: 'held', runs, policyName, exercised };
}
