/**
 * Which runs of one seed a worker (or a CI shard) searches. The run indexes 0, 1, 2, ... of a seed
 * are cut into chunks of CHUNK_RUNS consecutive runs; chunk c belongs to a part when
 * c % stride === offset. fast-check's path "k" starts generation at the k-th value of the seed's
 * sequence (same value, same bias as in one long search), so the parts of a split together search
 * exactly the runs of one search, each run once, and a counterexample path stays absolute.
 *
 *   --shard 2/4 --workers 2: worker 0 takes chunks 1, 9, 17, ...; worker 1 takes 5, 13, 21, ...
 */

/** Runs per chunk: the unit of the split, fixed so every job of a CI matrix cuts alike. */
export const CHUNK_RUNS = 50;

/** `--shard i/n`: index 1..count. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const WHOLE: Shard = { index: 1, count: 1 };

/** The chunks c with c % stride === offset. */
export interface Part {
  readonly offset: number;
  readonly stride: number;
}

/** Shard i/n's chunks, dealt round-robin to `workers` parts (interleaved: later runs grow larger). */
export function partsOf(shard: Shard, workers: number): Part[] {
  const stride = shard.count * workers;
  return Array.from({ length: workers }, (_, w) => ({ offset: shard.index - 1 + shard.count * w, stride }));
}

export function shardPart(shard: Shard): Part {
  return { offset: shard.index - 1, stride: shard.count };
}

export function chunkOf(run: number): number {
  return Math.floor(run / CHUNK_RUNS);
}

/** First run index and run count of chunk c, below runsEnd. */
export function chunkRuns(c: number, runsEnd: number): { start: number; runs: number } {
  const start = c * CHUNK_RUNS;
  return { start, runs: Math.max(0, Math.min(CHUNK_RUNS, runsEnd - start)) };
}

/** Runs the part owns below `runsEnd`. */
export function runsOwned(part: Part, runsEnd: number): number {
  const chunks = Math.ceil(runsEnd / CHUNK_RUNS);
  let runs = 0;
  for (let c = part.offset; c < chunks; c += part.stride) runs += chunkRuns(c, runsEnd).runs;
  return runs;
}

/** The part's chunk index after `done` of its chunks. */
export function nthChunk(part: Part, done: number): number {
  return part.offset + part.stride * done;
}

export function owns(part: Part, c: number): boolean {
  return c % part.stride === part.offset;
}
