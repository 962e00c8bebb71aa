import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HEAP_MB_DEFAULT } from '../harness/fuzz/options.ts';
import { WHOLE } from '../harness/fuzz/run-set.ts';
import { type SearchWorkerJob, searchSplit } from '../harness/fuzz/split.ts';
import type { Workload } from '../model/host/workload.ts';
import { PROPERTIES } from '../properties/index.ts';
import { median } from './timing.ts';

/**
 * `npm run bench:shrink`: how small the counterexamples of the unsafe example policies shrink.
 * Each policy in policies/unsafe/ is fuzzed as `npm run fuzz` does (every property, 1-64 CPUs,
 * --runs 300) with seeds 1..6 (or as asked); per policy the median and largest shrunk case: packets in the
 * workload, of which fragments, and datagrams (a fragment stream's distinct datagrams, whole ones
 * counted once each).
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const SEEDS_DEFAULT = 6;
const RUNS = 300;

export interface CaseSize {
  readonly packets: number;
  readonly fragments: number;
  readonly datagrams: number;
}

export function caseSize(w: Workload): CaseSize {
  let packets = 0;
  let fragments = 0;
  const datagrams = new Set<string>();
  for (const [i, it] of w.items.entries()) {
    if (it.kind !== 'packet') continue;
    packets++;
    if (it.fragment === undefined) datagrams.add(`whole ${i}`);
    else {
      fragments++;
      datagrams.add(`${it.flow} ${it.fragment.ipId}`);
    }
  }
  return { packets, fragments, datagrams: datagrams.size };
}

async function shrunk(file: string, seed: number): Promise<{ property: string; size: CaseSize } | string> {
  const job: SearchWorkerJob = {
    mode: 'search',
    file: `${root}${file}`,
    search: {
      seed,
      runs: RUNS,
      path: undefined,
      cpuCountMin: 1,
      cpuCountMax: 64,
      properties: PROPERTIES.map((p) => p.name),
    },
  };
  const limits = { timeoutMs: 2000, heapMb: HEAP_MB_DEFAULT };
  const plan = { shard: WHOLE, workers: 2, runsEnd: RUNS };
  const answer = await searchSplit(job, plan, limits, { policyFile: file, seed }, () => {});
  if (answer.kind !== 'violated') return answer.kind;
  return { property: answer.property, size: caseSize(answer.runCase.workload) };
}

const fmt = (xs: readonly number[]) => `${median(xs)} / ${Math.max(...xs)}`;

/** `npm run bench:shrink -- [name-part] [seeds]`: only policies whose file name contains it. */
async function main(): Promise<void> {
  const only = process.argv[2] ?? '';
  const SEEDS = Number(process.argv[3] ?? SEEDS_DEFAULT) || SEEDS_DEFAULT;
  const files = readdirSync(`${root}policies/unsafe`)
    .filter((f) => f.endsWith('.ts') && f.includes(only))
    .map((f) => `policies/unsafe/${f}`);
  process.stdout.write(`shrunk counterexamples, --runs ${RUNS}, seeds 1..${SEEDS}: median / max\n`);
  process.stdout.write(
    `${'policy'.padEnd(40)} ${'packets'.padEnd(9)} ${'fragments'.padEnd(9)} ${'datagrams'.padEnd(9)} properties\n`,
  );
  for (const file of files) {
    const sizes: CaseSize[] = [];
    const props = new Set<string>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = await shrunk(file, seed);
      if (typeof r === 'string') props.add(`(${r})`);
      else {
        sizes.push(r.size);
        props.add(r.property);
      }
    }
    if (sizes.length === 0) continue;
    const col = (k: keyof CaseSize) => fmt(sizes.map((s) => s[k])).padEnd(9);
    process.stdout.write(
      `${file.padEnd(40)} ${col('packets')} ${col('fragments')} ${col('datagrams')} ${[...props].join(', ')}\n`,
    );
  }
}

const entry = process.argv[1];
if (entry !== undefined && fileURLToPath(import.meta.url) === entry) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
