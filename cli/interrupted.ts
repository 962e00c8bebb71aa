import type { FuzzOptions } from '../harness/fuzz/options.ts';
import { shellQuote } from '../harness/fuzz/report.ts';
import type { Interrupted } from '../harness/fuzz/supervise.ts';
import { RUNS_MAX } from './args.ts';
import { formatElapsed } from './progress.ts';

/** Where the fuzz command writes: the process's streams, or a test's buffers. */
export interface FuzzIo {
  out(text: string): void;
  err(text: string): void;
}

/** 128 + the signal number, as shells report a command a signal ended. */
const EXIT_BY_SIGNAL: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

function command(opts: FuzzOptions, extra: readonly string[]): string {
  const words = [
    ...(opts.command ?? ['npm', 'run', 'fuzz', '--']),
    opts.policyFile,
    '--seed',
    String(opts.seed),
  ];
  const cpus =
    opts.cpuCountMin === opts.cpuCountMax ? `${opts.cpuCountMin}` : `${opts.cpuCountMin}-${opts.cpuCountMax}`;
  if (opts.cpuCountMin !== 1 || opts.cpuCountMax !== 64) words.push('--cpus', cpus);
  if (opts.propertiesNamed) for (const p of opts.properties) words.push('--property', p);
  return [...words, ...extra].map(shellQuote).join(' ');
}

/**
 * The command that goes on from where the search stopped. A shard's runs are not one range of the
 * seed (run-set.ts), so it goes on by running the shard again; a --duration search goes on from
 * the next run for the time it had left.
 */
function resumeCommand(opts: FuzzOptions, done: number, elapsedMs: number): string | undefined {
  const shard = opts.shard;
  if (shard !== undefined && shard.count > 1) {
    const runs = opts.durationMs !== undefined && opts.runs === RUNS_MAX ? [] : ['--runs', String(opts.runs)];
    const time = opts.durationMs === undefined ? [] : ['--duration', seconds(opts.durationMs)];
    return command(opts, ['--shard', `${shard.index}/${shard.count}`, ...runs, ...time]);
  }
  if (opts.durationMs !== undefined) {
    const left = opts.durationMs - elapsedMs;
    return left > 0 ? command(opts, ['--path', String(done), '--duration', seconds(left)]) : undefined;
  }
  const rest = opts.runs - done;
  return rest > 0 ? command(opts, ['--path', String(done), '--runs', String(rest)]) : undefined;
}

/** A --duration value in whole seconds, at least one. */
const seconds = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))}s`;

/**
 * Ctrl-C or SIGTERM during a search: the worker is already terminated (no thread, no child left).
 * One line on stderr, then on stdout what was done (runs per property, the seed) and the commands
 * that replay the run in progress and continue the search from it. Exit 130 (SIGINT) / 143.
 */
export function interrupted(io: FuzzIo, opts: FuzzOptions, stop: Interrupted, elapsedMs: number): number {
  const { reading } = stop;
  const done = Math.min(reading.runsDone, opts.runs);
  const line = `interrupted by ${stop.signal} after ${done} of ${opts.runs} runs (seed ${opts.seed}, ${formatElapsed(elapsedMs)})`;
  io.err(`fuzz: ${line}\n`);
  const current = reading.path ?? String(done);
  const replay = command(opts, ['--path', current === '' ? '0' : current, '--runs', '1']);
  const resume = resumeCommand(opts, done, elapsedMs);
  if (opts.json) {
    const doc = {
      result: 'interrupted',
      signal: stop.signal,
      seed: opts.seed,
      runsAsked: opts.runs,
      runs: done,
      shrinks: reading.shrinks,
      properties: opts.properties.map((name) => ({
        name,
        status: done > 0 ? 'held' : 'undecided',
        runs: done,
      })),
      replay,
      continue: resume,
    };
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const width = Math.max(...opts.properties.map((p) => p.length));
    const rows = opts.properties.map(
      (p) => `  ${p.padEnd(width)}  ${done > 0 ? `held so far  ${done} runs` : 'undecided'}`,
    );
    const shrinking =
      reading.shrinks > 0 ? [`  (a run had failed: ${reading.shrinks} shrink candidates tried)`] : [];
    const tail = [`replay the run in progress: ${replay}`];
    if (resume !== undefined) tail.push(`continue the search:        ${resume}`);
    io.out(`${[line, ...rows, ...shrinking, ...tail].join('\n')}\n`);
  }
  return EXIT_BY_SIGNAL[stop.signal] ?? 130;
}
