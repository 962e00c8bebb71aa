import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CallKind, callKindName } from '../harness/fuzz/heartbeat.ts';
import { checkPolicyFile } from '../harness/fuzz/load-policy.ts';
import { heldReport, violatedReport } from '../harness/fuzz/report.ts';
import {
  LOADING_BUDGET_FACTOR,
  type Stopped,
  type Supervised,
  supervise,
} from '../harness/fuzz/supervise.ts';
import type { WorkerJob } from '../harness/fuzz/worker.ts';
import { type FuzzOptions, parseFuzzArgs, USAGE } from './args.ts';
import { writeHtmlReport } from './html-report.ts';
import { writeJunit } from './junit.ts';
import { ProgressBar, progressLine } from './progress.ts';
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

function currentCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/** The report is written after the search: refuse a directory that does not exist before it. */
function checkReportDir(file: string | undefined, flag = '--report'): string | undefined {
  if (file === undefined) return undefined;
  const dir = dirname(resolve(file));
  return existsSync(dir) ? undefined : `${flag} ${file}: no such directory ${dir}`;
}

/** One line on stderr (and, with --json, one document on stdout); exit 2. */
function unchecked(message: string, json: boolean): number {
  process.stderr.write(`fuzz: ${message}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ result: 'error', error: message }, null, 2)}\n`);
  return EXIT_UNCHECKED;
}

/**
 * The watchdog stopped a policy call. Stuck while loading: the file is unusable (exit 2). Stuck on
 * a packet: replay that run with the stuck call (and every later one) answered `timed-out`, which
 * gives the trace, the packet and the netstat -Q table of a reported violation.
 */
async function afterStop(stopped: Stopped, opts: FuzzOptions, job: WorkerJob): Promise<Supervised> {
  const { reading } = stopped;
  const seconds = opts.timeoutMs / 1000;
  if (reading.kind === CallKind.loading) {
    return {
      kind: 'load-error',
      message: `policy file ${opts.policyFile} did not finish loading within ${seconds * LOADING_BUDGET_FACTOR} s`,
    };
  }
  if (reading.path === undefined) {
    return {
      kind: 'died',
      message: `the policy stopped answering in ${callKindName(reading.kind)}, too deep in shrinking to replay`,
    };
  }
  const replay = await supervise(
    {
      mode: 'replay-stopped',
      file: job.file,
      search: job.search,
      path: reading.path,
      stopAt: { callInRun: reading.callInRun, timeoutMs: opts.timeoutMs },
    },
    opts.timeoutMs,
  );
  if (replay.kind === 'stopped') {
    return {
      kind: 'died',
      message: `the policy hung in ${callKindName(reading.kind)} and again on a different call when replayed (seed ${opts.seed} path ${reading.path}): is it deterministic?`,
    };
  }
  return replay;
}

function junit(opts: FuzzOptions, report: ReturnType<typeof heldReport>): void {
  if (opts.junitFile === undefined) return;
  const failed = writeJunit(opts.junitFile, report);
  if (failed !== undefined) process.stderr.write(`fuzz: ${failed}\n`);
}

/** A property named with --property that had nothing to judge in any run: say so on stderr. */
function warnNotExercised(report: ReturnType<typeof heldReport>, opts: FuzzOptions): void {
  if (!opts.propertiesNamed) return;
  for (const p of report.properties)
    if (p.status === 'not-exercised')
      process.stderr.write(`fuzz: warning: --property ${p.name} had nothing to judge in ${p.runs} runs\n`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const opts = parseFuzzArgs(argv, () => randomInt(2 ** 31));
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_HELD;
  }
  if (typeof opts === 'string') return unchecked(opts, json);
  const badFile =
    checkPolicyFile(opts.policyFile) ??
    checkReportDir(opts.reportFile) ??
    checkReportDir(opts.junitFile, '--junit');
  if (badFile !== undefined) return unchecked(badFile, opts.json);

  const startedMs = performance.now();
  const bar = new ProgressBar(process.stderr, !opts.json);
  const job: WorkerJob = {
    mode: 'search',
    file: opts.policyFile,
    search: {
      seed: opts.seed,
      runs: opts.runs,
      path: opts.path,
      cpuCountMin: opts.cpuCountMin,
      cpuCountMax: opts.cpuCountMax,
      properties: opts.properties,
      deployment: opts.deployment,
    },
  };
  let answer = await supervise(job, opts.timeoutMs, (r) =>
    bar.update(progressLine(r.runsDone, opts.runs, r.shrinks, performance.now() - startedMs)),
  );
  if (answer.kind === 'stopped') answer = await afterStop(answer, opts, job);
  bar.clear();
  const ctx = { opts, elapsedMs: performance.now() - startedMs, commit: currentCommit() };

  switch (answer.kind) {
    case 'load-error':
      return unchecked(answer.message, opts.json);
    case 'died':
      return unchecked(answer.message, opts.json);
    case 'stopped':
      return unchecked('the watchdog stopped the replay', opts.json);
    case 'model-error':
      return unchecked(
        `internal error: ${answer.message}${answer.path === '' ? '' : ` (replay: --seed ${opts.seed} --path ${answer.path})`}`,
        opts.json,
      );
    case 'held': {
      const report = heldReport(ctx, answer);
      warnNotExercised(report, opts);
      junit(opts, report);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${reportText(report)}\n`);
      return EXIT_HELD;
    }
    case 'violated': {
      const report = violatedReport(ctx, answer, opts.verbose);
      junit(opts, report);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${reportText(report)}\n`);
      if (opts.reportFile !== undefined) {
        const failed = writeHtmlReport(opts.reportFile, report, answer.explanation.trace);
        if (failed !== undefined) process.stderr.write(`fuzz: ${failed}\n`);
        else if (!opts.json) process.stdout.write(`report: ${opts.reportFile}\n`);
      }
      return EXIT_VIOLATED;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fuzz: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT_UNCHECKED;
  },
);
