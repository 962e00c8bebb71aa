import { availableParallelism, cpus, loadavg } from 'node:os';
import { benchTrace, checkerCosts, checkerTable } from './checkers.ts';
import { fuzzRate } from './fuzz-rate.ts';
import { throughput, throughputTable } from './throughput.ts';

/**
 * `npm run bench`: figures of the model, the checkers and the fuzz command, each beside
 * a reference measured in the same run (ratios travel between machines, absolute rates do not).
 *   1. model packets/s per built-in netisr policy vs plain per-CPU array FIFOs moving the same packets
 *   2. each checker's cost per trace event, and trace length x10 -> time about x10 (linearity)
 *   3. fuzz runs/s, in process and through the command
 * Sections 1 and 2 time on this process's CPU clock (bench/timing.ts), section 3 also on the wall.
 */

const THROUGHPUT_PACKETS = 20_000;
/** Packets of the checker traces: x10 each step. */
const LINEARITY_PACKETS = [500, 5_000, 50_000];
const FUZZ_RUNS = 1000;
const FUZZ_POLICY = 'policies/flow-hash.ts';

async function main(): Promise<number> {
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  process.stdout.write(
    `node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), load ${load}\n\n`,
  );

  process.stdout.write(
    `1. model throughput, 4 CPUs, 4 rings, ${THROUGHPUT_PACKETS} packets of 64 flows (per CPU second, median of 5 alternating rounds)\n`,
  );
  process.stdout.write(`${throughputTable(throughput(THROUGHPUT_PACKETS))}\n\n`);

  const traces = LINEARITY_PACKETS.map(benchTrace);
  process.stdout.write('2. checkers: cost per event and linearity (freebsd-flow-hybrid traces)\n');
  process.stdout.write(`${checkerTable(checkerCosts(traces), traces)}\n\n`);

  process.stdout.write(`3. fuzz runs per second, ${FUZZ_POLICY}, ${FUZZ_RUNS} runs, every property\n`);
  const rate = await fuzzRate(FUZZ_POLICY, FUZZ_RUNS);
  if (typeof rate === 'string') {
    process.stdout.write(`   not measured: ${rate}\n`);
    return 1;
  }
  process.stdout.write(
    `   search loop in process: ${rate.inProcessRunsPerSecond.toFixed(0)} runs/s wall, ${rate.inProcessRunsPerCpuSecond.toFixed(0)} runs per CPU second\n`,
  );
  process.stdout.write(
    `   npm run fuzz (process, worker, report): ${rate.commandRunsPerSecond.toFixed(0)} runs/s (${rate.commandSeconds.toFixed(1)} s)\n`,
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
