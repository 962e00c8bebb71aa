import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { tunesCompiler } from '../harness/fuzz/compiler-flags.ts';
import { HEAP_MB_DEFAULT, RUNS_DEFAULT } from '../harness/fuzz/options.ts';
import { prestartWorker } from '../harness/fuzz/prestart.ts';
import { workerBootstrap } from '../harness/fuzz/worker-bootstrap.ts';

/** What a policy file's name ends with (the bootstrap depends only on that). */
const POLICY_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** `--heap N` or `--heap=N` as given; undefined when absent, NaN when it is no number. */
function heapMbOf(argv: readonly string[]): number | undefined {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--heap') return Number(argv[i + 1]);
    if (arg.startsWith('--heap=')) return Number(arg.slice('--heap='.length));
  }
  return undefined;
}

/**
 * The search's runs as the options will say them: `--runs N` or `--runs=N`; without it, unbounded
 * under `--duration` (cli/args.ts takes RUNS_MAX) and RUNS_DEFAULT otherwise. Only to pick the worker's compiler
 * flags (compiler-flags.ts): a wrong guess costs the early worker, not a wrong answer.
 */
function runsOf(argv: readonly string[]): number {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--runs') return Number(argv[i + 1]);
    if (arg.startsWith('--runs=')) return Number(arg.slice('--runs='.length));
  }
  return argv.some((arg) => arg === '--duration' || arg.startsWith('--duration=')) ? Infinity : RUNS_DEFAULT;
}

/**
 * Starts the first fuzz worker from the command line as typed, before the command loads its
 * modules (harness/fuzz/prestart.ts). Only a guess at what the options will say: the policy file
 * and `--heap` decide the worker's bootstrap and heap; when the parsed options say otherwise, or
 * the command ends before a search, the early worker is dropped. Nothing is started for `--help`
 * or a heap that is no number (the options parser answers those).
 */
export function prestartFuzzWorker(argv: readonly string[]): Worker | undefined {
  if (argv.includes('--help') || argv.includes('-h')) return undefined;
  const file = argv.find((arg) => !arg.startsWith('-') && POLICY_FILE.test(arg));
  const heapMb = heapMbOf(argv) ?? HEAP_MB_DEFAULT;
  if (file === undefined || !Number.isInteger(heapMb)) return undefined;
  const supervisor = new URL(
    `../harness/fuzz/supervise${extname(fileURLToPath(import.meta.url))}`,
    import.meta.url,
  );
  const tuned = tunesCompiler(runsOf(argv));
  return prestartWorker(workerBootstrap(file, supervisor.href, process.env, tuned), heapMb);
}
