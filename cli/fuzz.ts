import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HeartbeatReading } from '../harness/fuzz/heartbeat.ts';
import { checkPolicyFile } from '../harness/fuzz/load-policy.ts';
import { type FuzzOptions, HEAP_MB_DEFAULT } from '../harness/fuzz/options.ts';
import { heldReport, type ReportContext, violatedReport } from '../harness/fuzz/report.ts';
import { type FuzzOutcome, fuzzSearch } from '../harness/fuzz/scaled.ts';
import { stuckWorkers } from '../harness/fuzz/stopping.ts';
import { STOP_GRACE_MS, type Supervised } from '../harness/fuzz/supervise.ts';
import { parseFuzzArgs } from './args.ts';
import { exitNow } from './exit-now.ts';
import { fuzzHelpText } from './fuzz-help.ts';
import { headCommit } from './git-head.ts';
import { type FuzzIo, interrupted } from './interrupted.ts';
import { writeJunit } from './junit.ts';

export type { FuzzIo };

import { ProgressBar, type ProgressStream, progressOf } from './progress.ts';
import { ProgressLog } from './progress-log.ts';
import { reportText } from './report-text.ts';

/**
 * `npm run fuzz -- <policy-file> [options]`: runs every property (or those named) over generated
 * cases with the policy, in a worker under a watchdog. Exit 0: every property held; 1: a property
 * was violated (the report shows the shrunk counterexample and its replay command); 2: the policy
 * could not be checked (bad arguments, a file that does not load or exports no policy, or the
 * model itself failed), with one line on stderr.
 */

const EXIT_HELD = 0;
const EXIT_VIOLATED = 1;
const EXIT_UNCHECKED = 2;

/** The report is written after the search: refuse a directory that does not exist before it. */
function checkReportDir(file: string | undefined, flag = '--report'): string | undefined {
  if (file === undefined) return undefined;
  const dir = dirname(resolve(file));
  return existsSync(dir) ? undefined : `${flag} ${file}: no such directory ${dir}`;
}

const PROCESS_IO: FuzzIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** One line on stderr (and, with --json, one document on stdout); exit 2. */
function unchecked(io: FuzzIo, message: string, json: boolean): number {
  io.err(`fuzz: ${message}\n`);
  if (json) io.out(`${JSON.stringify({ result: 'error', error: message }, null, 2)}\n`);
  return EXIT_UNCHECKED;
}

/**
 * The search (stored counterexamples first, then the seed's runs over the workers: scaled.ts).
 * SIGINT / SIGTERM meanwhile terminate the workers and answer `interrupted`.
 */
async function searchUntilSignal(
  opts: FuzzOptions,
  onTick: (r: HeartbeatReading) => void,
): Promise<FuzzOutcome> {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => stop.abort(signal);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const limits = { timeoutMs: opts.timeoutMs, heapMb: opts.heapMb ?? HEAP_MB_DEFAULT, signal: stop.signal };
  try {
    return await fuzzSearch(opts, limits, onTick);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

/** A stored counterexample that failed again is reported with the options it was found with. */
function reportedOptions(io: FuzzIo, opts: FuzzOptions, found: FuzzOutcome): FuzzOptions {
  for (const note of found.notes) io.err(`fuzz: ${note}\n`);
  const s = found.stored;
  if (s === undefined) return opts;
  io.err(`fuzz: a counterexample stored in ${opts.db} still fails (--no-db searches afresh)\n`);
  const { seed, path, cpuCountMin, cpuCountMax, deployment } = s;
  return { ...opts, seed, path, cpuCountMin, cpuCountMax, deployment };
}

function junit(io: FuzzIo, opts: FuzzOptions, report: ReturnType<typeof heldReport>): void {
  if (opts.junitFile === undefined) return;
  const failed = writeJunit(opts.junitFile, report);
  if (failed !== undefined) io.err(`fuzz: ${failed}\n`);
}

/** A property named with --property that had nothing to judge in any run: say so on stderr. */
function warnNotExercised(io: FuzzIo, report: ReturnType<typeof heldReport>, opts: FuzzOptions): void {
  if (!opts.propertiesNamed) return;
  for (const p of report.properties)
    if (p.status === 'not-exercised')
      io.err(`fuzz: warning: --property ${p.name} had nothing to judge in ${p.runs} runs
`);
}

/** How the command was started: the replay lines repeat it. */
export interface FuzzCommand {
  readonly command?: readonly string[];
  /** Where the report and the one-line errors go (tests run the command in-process). */
  readonly io?: FuzzIo;
  /**
   * Where progress goes: process.stderr, unless given here (tests, with a short interval). A
   * terminal gets the bar redrawn in place, anything else a plain line every `logIntervalMs`.
   */
  readonly progress?: { readonly stream: ProgressStream; readonly logIntervalMs?: number };
}

/** The bar on a terminal, plain lines elsewhere; nothing with --json or an in-process io. */
function progressSink(opts: FuzzOptions, how: FuzzCommand): ProgressBar | ProgressLog {
  const stream = how.progress?.stream ?? process.stderr;
  const enabled = !opts.json && (how.io === undefined || how.progress !== undefined);
  if (stream.isTTY === true) return new ProgressBar(stream, enabled);
  return new ProgressLog(stream, enabled, how.progress?.logIntervalMs);
}

export async function main(argv: readonly string[], how: FuzzCommand = {}): Promise<number> {
  const io = how.io ?? PROCESS_IO;
  const json = argv.includes('--json');
  const parsed = parseFuzzArgs(argv, () => randomInt(2 ** 31));
  if (!parsed.ok) return unchecked(io, parsed.error, json);
  if (parsed.value === 'help') {
    io.out(`${fuzzHelpText()}\n`);
    return EXIT_HELD;
  }
  const opts = how.command === undefined ? parsed.value : { ...parsed.value, command: how.command };
  const badFile =
    checkPolicyFile(opts.policyFile) ??
    checkReportDir(opts.reportFile) ??
    checkReportDir(opts.junitFile, '--junit');
  if (badFile !== undefined) return unchecked(io, badFile, opts.json);

  const startedMs = performance.now();
  const bar = progressSink(opts, how);
  const progress = progressOf(opts, startedMs);
  const found = await searchUntilSignal(opts, (r) => bar.update(progress(r))).finally(() => bar.clear());
  const reported = reportedOptions(io, opts, found);
  const ctx: ReportContext = {
    opts: reported,
    elapsedMs: performance.now() - startedMs,
    commit: headCommit(),
  };
  return answerOutcome(io, found.answer, ctx);
}

/** What the user reads for each outcome, and the exit code. */
async function answerOutcome(io: FuzzIo, answer: Supervised, ctx: ReportContext): Promise<number> {
  const { opts } = ctx;
  switch (answer.kind) {
    case 'interrupted':
      return interrupted(io, opts, answer, ctx.elapsedMs);
    case 'load-error':
      return unchecked(io, answer.message, opts.json);
    case 'unreproducible':
      return unchecked(io, `${answer.message} (seed ${opts.seed} path ${answer.path})`, opts.json);
    case 'died':
    case 'late-fault':
      return unchecked(io, answer.message, opts.json);
    case 'stopped':
      return unchecked(io, 'the watchdog stopped the replay', opts.json);
    case 'model-error':
      return unchecked(
        io,
        `internal error: ${answer.message}${answer.path === '' ? '' : ` (replay: --seed ${opts.seed} --path ${answer.path})`}`,
        opts.json,
      );
    case 'held': {
      const report = heldReport(ctx, answer);
      warnNotExercised(io, report, opts);
      junit(io, opts, report);
      io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${reportText(report)}\n`);
      return EXIT_HELD;
    }
    case 'violated': {
      const report = violatedReport(ctx, answer, opts.verbose);
      junit(io, opts, report);
      io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${reportText(report)}\n`);
      if (opts.reportFile !== undefined) {
        // The HTML report (and its page script) is loaded only when one is written.
        const { writeHtmlReport } = await import('./html-report.ts');
        const failed = writeHtmlReport(opts.reportFile, report, answer.explanation.trace);
        if (failed !== undefined) io.err(`fuzz: ${failed}\n`);
        else if (!opts.json) io.out(`report: ${opts.reportFile}\n`);
      }
      return EXIT_VIOLATED;
    }
  }
}

/**
 * Runs the command with this process's arguments and sets its exit code. A worker the command
 * stopped that is still running is stuck in a native call: the process ends past it.
 */
export async function runFuzzCli(argv: readonly string[], how: FuzzCommand = {}): Promise<void> {
  const code = await main(argv, how).catch((err: unknown) => {
    process.stderr.write(`fuzz: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_UNCHECKED;
  });
  process.exitCode = code;
  if ((await stuckWorkers(STOP_GRACE_MS)) > 0) {
    // Exit 2 keeps to its one line (the file did not finish loading); a report gets the reason.
    if (code !== EXIT_UNCHECKED)
      process.stderr.write(
        'fuzz: the policy is still running in a native call the watchdog cannot interrupt (execSync, fill over a huge sparse array ...): ending the process\n',
      );
    await exitNow(code);
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  void runFuzzCli(process.argv.slice(2));
}
