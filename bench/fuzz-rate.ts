import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { NULL_HEARTBEAT } from '../harness/fuzz/heartbeat.ts';
import { loadPolicy } from '../harness/fuzz/load-policy.ts';
import { ensurePolicyHooks } from '../harness/fuzz/policy-hooks.ts';
import { type SearchJob, search } from '../harness/fuzz/search.ts';
import { PROPERTIES } from '../properties/index.ts';
import { WORKER_BUNDLE_OPTIONS } from '../scripts/worker-bundle-options.mjs';
import { mainThreadCpuMs, nowMs } from './timing.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface FuzzRate {
  readonly policyFile: string;
  readonly runsPerRound: number;
  /** Runs per CPU second of the search loop (generate, run the model, check every property), per round. */
  readonly runsPerCpuSecond: readonly number[];
  /** Runs in the warm-up, before the rounds. */
  readonly warmUpRuns: number;
  /**
   * Runs per CPU second of the warm-up: a fresh process's first runs, while V8 still compiles the
   * hot code (a default 1,000-run job on two workers is 500 runs each, all of them in this phase).
   */
  readonly warmUpRunsPerCpuSecond: number;
  /**
   * The JavaScript thread's share of that CPU time, per round (the rest is V8's compiler and GC
   * threads); absent where the thread's own time cannot be read (mainThreadCpuMs).
   */
  readonly jsThreadShare?: readonly number[];
}

/**
 * Fuzz runs per CPU second in process with a safe policy (every run goes the whole way): rounds
 * of `runsPerRound` runs, every round the same seed (the same cases, so rounds differ only by
 * noise), after a warm-up of `warmUpRuns` (timed on its own: V8 is still compiling then, and
 * rounds taken before it settles differ by half). CPU time, so the figure is per core and a busy
 * machine does not inflate it.
 */
export async function fuzzRate(
  policyFile: string,
  runsPerRound: number,
  rounds: number,
  warmUpRuns: number,
): Promise<FuzzRate | string> {
  // Loaded as a fuzz worker loads it (a TypeScript policy compiled in memory).
  const load = await loadPolicy(resolve(root, policyFile), ensurePolicyHooks);
  if (!load.ok) return load.error;
  const loaded = load.value;
  const job = (seed: number, runs = runsPerRound): SearchJob => ({
    seed,
    runs,
    path: undefined,
    cpuCountMin: 1,
    cpuCountMax: 64,
    properties: PROPERTIES.map((p) => p.name),
  });
  const warmStart = nowMs('cpu');
  const warm = search(job(1, warmUpRuns), loaded.source, loaded.fallbackName, NULL_HEARTBEAT);
  const warmUpRunsPerCpuSecond = (warmUpRuns * 1000) / (nowMs('cpu') - warmStart);
  if (warm.kind !== 'held')
    return `${policyFile} did not hold (${warm.kind}): pick a safe policy for the bench`;
  const out: number[] = [];
  const shares: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = nowMs('cpu');
    const threadStart = mainThreadCpuMs();
    search(job(1), loaded.source, loaded.fallbackName, NULL_HEARTBEAT);
    const ms = nowMs('cpu') - start;
    const threadEnd = mainThreadCpuMs();
    out.push((runsPerRound * 1000) / ms);
    if (threadStart !== undefined && threadEnd !== undefined)
      shares.push(Math.min(1, (threadEnd - threadStart) / ms));
  }
  return {
    policyFile,
    runsPerRound,
    runsPerCpuSecond: out,
    warmUpRuns,
    warmUpRunsPerCpuSecond,
    ...(shares.length === rounds ? { jsThreadShare: shares } : {}),
  };
}

/**
 * `fuzzRate` in a fresh process, as a fuzz worker is one, under the worker's compiler flags
 * (fuzz-rate-main.ts): `node <entry...> <policy> <runs> <rounds> <warm-up>`.
 */
async function fuzzRateInProcess(
  entry: readonly string[],
  policyFile: string,
  runsPerRound: number,
  rounds: number,
  warmUpRuns: number,
): Promise<FuzzRate | string> {
  const args = [
    ...entry,
    resolve(root, policyFile),
    String(runsPerRound),
    String(rounds),
    String(warmUpRuns),
  ];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as FuzzRate | string;
}

/** The search loop from the TypeScript sources, through tsx's loader, in a process of its own. */
export function fuzzRateSources(
  policyFile: string,
  runsPerRound: number,
  rounds: number,
  warmUpRuns: number,
): Promise<FuzzRate | string> {
  const entry = ['--import', 'tsx', `${root}bench/fuzz-rate-main.ts`];
  return fuzzRateInProcess(entry, policyFile, runsPerRound, rounds, warmUpRuns);
}

/**
 * The same measurement on the code as the package ships it to a fuzz worker: bundled by esbuild
 * (scripts/worker-bundle-options.mjs), run by plain node. An ES module here (this entry awaits at
 * its top level), where the package's worker is a CommonJS script compiled with V8's code cache:
 * the same code once running, the cache speeding only its start. `fuzzRateSources` runs the
 * TypeScript sources through tsx, which wraps every function it makes in a naming call.
 */
export async function fuzzRateBundled(
  policyFile: string,
  runsPerRound: number,
  rounds: number,
  warmUpRuns: number,
): Promise<FuzzRate | string> {
  const dir = `${root}node_modules/.cache/netstack-conformance`;
  mkdirSync(dir, { recursive: true });
  const outfile = `${dir}/bench-fuzz-rate-${process.pid}.mjs`;
  buildSync({ ...WORKER_BUNDLE_OPTIONS, entryPoints: [`${root}bench/fuzz-rate-main.ts`], outfile });
  try {
    return await fuzzRateInProcess([outfile], policyFile, runsPerRound, rounds, warmUpRuns);
  } finally {
    rmSync(outfile, { force: true });
  }
}

export interface StartupCommand {
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
}

/**
 * The fuzz command as a user starts it: `npm run fuzz` (whatever the script runs), and the
 * package's `bin` entry through node when package.json has one.
 */
export function startupCommands(policyFile: string, runs: number): StartupCommand[] {
  const job = [policyFile, '--runs', String(runs), '--seed', '1', '--json'];
  const out: StartupCommand[] = [
    { label: 'npm run fuzz', file: 'npm', args: ['run', '--silent', 'fuzz', '--', ...job] },
  ];
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
    bin?: Record<string, string> | string;
  };
  // The package's one executable takes the command first (cli/bin.ts); it runs the build (dist/).
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin ?? {})[0];
  if (bin !== undefined && existsSync(`${root}${bin}`))
    out.push({ label: `node ${bin} fuzz`, file: process.execPath, args: [bin, 'fuzz', ...job] });
  return out;
}

/** Wall milliseconds of each command per round, the commands in alternation (start-up plus `runs` runs). */
export function startupMs(commands: readonly StartupCommand[], rounds: number): Promise<number[][]> {
  const exec = promisify(execFile);
  const samples: number[][] = commands.map(() => []);
  const once = async (): Promise<void> => {
    for (const [i, c] of commands.entries()) {
      const start = nowMs('wall');
      await exec(c.file, c.args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
      samples[i]?.push(nowMs('wall') - start);
    }
  };
  let chain = Promise.resolve();
  for (let r = 0; r < rounds; r++) chain = chain.then(once);
  return chain.then(() => samples);
}
