import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { HEAP_MB_DEFAULT } from '../harness/fuzz/options.ts';
import { WHOLE } from '../harness/fuzz/run-set.ts';
import { type SearchWorkerJob, searchSplit } from '../harness/fuzz/split.ts';
import { PROPERTIES } from '../properties/index.ts';
import { median, nowMs, spread } from './timing.ts';

/**
 * `npm run bench:workers` (and section 5 of `npm run bench`): fuzz runs per wall second of the
 * whole search (workers started, policy loaded, every property judged, results merged) with 1 and
 * with 2 workers on the same seed, in alternating rounds, on policies/flow-hash.ts (it holds, so
 * every run goes the whole way). The ratio is what --workers 2 buys on this machine at its load.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
export const WORKERS_POLICY = 'policies/flow-hash.ts';

function job(runs: number): SearchWorkerJob {
  return {
    mode: 'search',
    file: `${root}${WORKERS_POLICY}`,
    search: {
      seed: 1,
      runs,
      path: undefined,
      cpuCountMin: 1,
      cpuCountMax: 64,
      properties: PROPERTIES.map((p) => p.name),
    },
  };
}

/** Wall-clock runs per second of one search over `workers` workers. */
async function runsPerSecond(runs: number, workers: number): Promise<number> {
  const limits = { timeoutMs: 10_000, heapMb: HEAP_MB_DEFAULT };
  const start = nowMs('wall');
  const answer = await searchSplit(
    job(runs),
    { shard: WHOLE, workers, runsEnd: runs },
    limits,
    {
      policyFile: WORKERS_POLICY,
      seed: 1,
    },
    () => {},
  );
  const ms = nowMs('wall') - start;
  if (answer.kind !== 'held' || answer.runs !== runs) throw new Error(`${WORKERS_POLICY}: ${answer.kind}`);
  return (runs * 1000) / ms;
}

/** Per worker count, the runs/s of each round (rounds alternate 1, 2, 1, 2, ...). */
export async function workersRate(
  runs: number,
  rounds: number,
  counts: readonly number[],
): Promise<number[][]> {
  const out = counts.map((): number[] => []);
  for (let r = 0; r < rounds; r++)
    for (const [i, w] of counts.entries()) out[i]?.push(await runsPerSecond(runs, w));
  return out;
}

export function workersTable(counts: readonly number[], samples: readonly (readonly number[])[]): string {
  const base = median(samples[0] ?? []);
  return counts
    .map((w, i) => {
      const s = samples[i] ?? [];
      return `   ${String(w).padStart(2)} worker${w === 1 ? ' ' : 's'}  ${median(s).toFixed(0).padStart(5)} runs/s ${spread(s)}  x${(median(s) / base).toFixed(2)}`;
    })
    .join('\n');
}

/**
 * Long enough that the workers' start (about 0.5 s each, in parallel) does not decide the ratio:
 * at 3,000 runs two workers on 2 CPUs measured x0.95, at 12,000 x1.2.
 */
export const WORKERS_RUNS = 12_000;
export const WORKERS_ROUNDS = 2;

async function main(): Promise<void> {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  process.stdout.write(
    `fuzz runs per wall second, ${WORKERS_POLICY}, ${WORKERS_RUNS} runs, seed 1, ${WORKERS_ROUNDS} rounds each, ${availableParallelism()} CPUs, load ${load()}\n`,
  );
  const counts = [1, 2];
  process.stdout.write(
    `${workersTable(counts, await workersRate(WORKERS_RUNS, WORKERS_ROUNDS, counts))}\n   (load ${load()})\n`,
  );
}

const entry = process.argv[1];
if (entry !== undefined && fileURLToPath(import.meta.url) === entry) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
