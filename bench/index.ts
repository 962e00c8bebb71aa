import { availableParallelism, cpus, loadavg } from 'node:os';
import { allCheckersMs, benchTrace, checkerCosts, checkerTable } from './checkers.ts';
import { type FuzzRate, fuzzRateBundled, fuzzRateSources, startupCommands, startupMs } from './fuzz-rate.ts';
import { throughput, throughputTable } from './throughput.ts';
import { median, spread } from './timing.ts';
import { WORKERS_POLICY, WORKERS_ROUNDS, WORKERS_RUNS, workersRate, workersTable } from './workers.ts';

/**
 * `npm run bench`: figures of the fuzz command, the model and the checkers, each the median of
 * alternating rounds with its spread (bench/timing.ts spread), and the load beside it:
 *   1. fuzz runs per CPU second (per core), on policies/flow-hash.ts, each line in a fresh process
 *      under the compiler flags a fuzz worker gets for as many runs (harness/fuzz/compiler-flags.ts):
 *      the sources through tsx, and bundled as the package's fuzz worker is
 *   2. start-up of the fuzz command on a 10-run job (wall clock, process start to exit)
 *   3. model packets/s per built-in netisr policy / the fair baseline (bench/fair-baseline.ts),
 *      which places every packet on the model's CPU (checked)
 *   4. all checkers together per trace event at 3k / 30k / 300k events, and each checker alone
 *   5. fuzz runs per wall second with --workers 1 and 2 on the same seed (bench/workers.ts)
 * Sections 1, 3 and 4 time on a process's CPU clock (bench/timing.ts); ratios travel between
 * machines, absolute rates do not. Sections 3 and 4 run in this process, under V8's default flags.
 */

const FUZZ_POLICY = 'policies/flow-hash.ts';
const FUZZ_RUNS_PER_ROUND = 500;
const FUZZ_ROUNDS = 9;
/** Runs before the rounds: by about 2,000 a fresh process's rate has settled (within a few %). */
const FUZZ_WARM_UP_RUNS = 2_000;
const STARTUP_RUNS = 10;
const STARTUP_ROUNDS = 5;
const THROUGHPUT_PACKETS = 5_000;
const THROUGHPUT_ROUNDS = 9;
/** Packets of the checker traces: x10 each step. */
const LINEARITY_PACKETS = [500, 5_000, 50_000];
const CHECKER_ROUNDS = 7;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const write = (text: string) => process.stdout.write(text);

/** Section 1: false when the policy could not be measured (it did not hold). */
async function fuzzRateSection(): Promise<boolean> {
  write(
    `1. fuzz runs per core, ${FUZZ_POLICY}, every property, ${FUZZ_ROUNDS} rounds of ${FUZZ_RUNS_PER_ROUND} runs after ${FUZZ_WARM_UP_RUNS} to warm up\n`,
  );
  const rate = await fuzzRateSources(FUZZ_POLICY, FUZZ_RUNS_PER_ROUND, FUZZ_ROUNDS, FUZZ_WARM_UP_RUNS);
  if (typeof rate === 'string') {
    write(`   not measured: ${rate}\n`);
    return false;
  }
  const line = (label: string, r: FuzzRate) => {
    const rps = r.runsPerCpuSecond;
    const share =
      r.jsThreadShare === undefined ? '' : `, JS thread ${(median(r.jsThreadShare) * 100).toFixed(0)}% of it`;
    write(
      `   ${label.padEnd(30)} ${median(rps).toFixed(0)} runs per CPU second ${spread(rps)}${share}   (load ${load()})\n`,
    );
    write(
      `   ${''.padEnd(30)} ${r.warmUpRunsPerCpuSecond.toFixed(0)} in the first ${r.warmUpRuns} runs of a fresh process\n`,
    );
  };
  line('sources through tsx:', rate);
  const bundled = await fuzzRateBundled(FUZZ_POLICY, FUZZ_RUNS_PER_ROUND, FUZZ_ROUNDS, FUZZ_WARM_UP_RUNS);
  if (typeof bundled === 'string') write(`   bundled: not measured: ${bundled}\n`);
  else line('bundled as the worker ships:', bundled);
  write("   (the rest of the CPU: V8's optimizing compiler and garbage collector threads)\n");
  write('\n');
  return true;
}

async function main(): Promise<number> {
  write(
    `node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), load ${load()}\n\n`,
  );

  if (!(await fuzzRateSection())) return 1;

  write(`2. start-up of the fuzz command on a ${STARTUP_RUNS}-run job (wall, median of ${STARTUP_ROUNDS})\n`);
  const commands = startupCommands(FUZZ_POLICY, STARTUP_RUNS);
  const startup = await startupMs(commands, STARTUP_ROUNDS);
  for (const [i, c] of commands.entries()) {
    const ms = startup[i] ?? [];
    write(`   ${c.label.padEnd(28)} ${(median(ms) / 1000).toFixed(2)} s ${spread(ms)}\n`);
  }
  write(`   (load ${load()})\n\n`);

  write(
    `3. model / fair baseline, 4 CPUs, 4 rings, ${THROUGHPUT_PACKETS} packets of 64 flows (CPU time, ${THROUGHPUT_ROUNDS} rounds of >= 50 ms a side, calls in turn)\n`,
  );
  write(`${throughputTable(throughput(THROUGHPUT_PACKETS, THROUGHPUT_ROUNDS))}\n   (load ${load()})\n\n`);

  const traces = LINEARITY_PACKETS.map(benchTrace);
  write('4. checkers: cost per event and linearity (freebsd-flow-hybrid traces)\n');
  const all = allCheckersMs(traces, CHECKER_ROUNDS);
  write(`${checkerTable(checkerCosts(traces), traces, all)}\n   (load ${load()})\n\n`);

  write(
    `5. fuzz runs per wall second, ${WORKERS_POLICY}, ${WORKERS_RUNS} runs, 1 and 2 workers in turn, ${WORKERS_ROUNDS} rounds\n`,
  );
  const counts = [1, 2];
  write(
    `${workersTable(counts, await workersRate(WORKERS_RUNS, WORKERS_ROUNDS, counts))}\n   (load ${load()})\n`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
