import type { FuzzCase } from '../arbitraries/run-case.ts';
import { type Deployment, deploymentArgs } from './deployment.ts';
import type { Explanation } from './explain.ts';
import { type FuzzOptions, HEAP_MB_DEFAULT } from './options.ts';
import type { ExercisedRuns } from './search.ts';
import { type ExcerptLine, traceExcerpt } from './trace-text.ts';
import type { WorkerAnswer } from './worker.ts';

/**
 * The result of one fuzz command as data: what `--json` prints, and what the text report and the
 * HTML report are rendered from.
 */
export interface FuzzReport {
  readonly result: 'held' | 'violated';
  readonly policyFile: string;
  readonly policyName: string;
  /** `default` or `policy`: the export the policy was taken from. */
  readonly exportName: string;
  readonly seed: number;
  readonly runsAsked: number;
  /** Runs fast-check generated (up to and including the failing one). */
  readonly runs: number;
  readonly cpus: { readonly min: number; readonly max: number };
  /** What --kernel / --sysctl pinned (empty: generated). */
  readonly deployment: Deployment;
  readonly properties: readonly PropertyOutcome[];
  readonly elapsedMs: number;
  readonly commit: string | undefined;
  /** The --path replayed, if this was a replay. */
  readonly replayedPath: string | undefined;
  readonly violation: ViolationReport | undefined;
}

export interface PropertyOutcome {
  readonly name: string;
  /**
   * `held` over `runs` runs (all of them, or those before the violating run); `undecided` when the
   * search stopped at a violation of another property before any run finished.
   */
  readonly status: 'held' | 'violated' | 'undecided' | 'not-exercised';
  readonly runs: number;
  /** Runs in which the property had something to judge (absent for a replay of a stopped run). */
  readonly exercisedRuns?: number;
}

/** `held` becomes `not-exercised` when the property had nothing to judge in any run. */
function outcome(
  name: string,
  status: PropertyOutcome['status'],
  runs: number,
  exercised: ExercisedRuns | undefined,
): PropertyOutcome {
  const n = exercised?.[name];
  if (n === undefined) return { name, status, runs };
  return { name, status: status === 'held' && n === 0 ? 'not-exercised' : status, runs, exercisedRuns: n };
}

export interface ViolationReport {
  readonly property: string;
  readonly rule: string;
  readonly message: string;
  /** Trace indexes of the violating events. */
  readonly events: readonly number[];
  readonly violationCount: number;
  readonly path: string;
  readonly shrinks: number;
  /** False for a run the watchdog stopped: such a case is replayed, not shrunk. */
  readonly shrunk: boolean;
  /** Shrinking stopped at the --duration limit: a smaller failing case may exist. */
  readonly shrinkCut?: true;
  /**
   * The case: a netisr case, an encapsulated one (`kind: 'encap'`, its layers in `encap`,
   * harness/arbitraries/encap-case.ts) or a Linux one (`kind: 'linux'`, linux-fuzz-case.ts).
   */
  readonly counterexample: FuzzCase;
  readonly traceLength: number;
  readonly excerpt: readonly ExcerptLine[];
  readonly netstatQ: string;
  readonly netstatAtEvent: number;
  readonly replay: string;
  /**
   * Present when the case passed when run again with a fresh policy (explain.ts): the policy
   * answers differently for the same input, the run shown is the one the search saw fail, and
   * the replay may pass.
   */
  readonly notReproduced?: true;
  /** Present when `replay` runs the seed's first runs (`--runs`) instead of one case by its path. */
  readonly replayRuns?: number;
}

/** How the command is run from a checkout; the installed bin passes its own (`npx netstack-conformance fuzz`). */
const REPO_COMMAND = ['npm', 'run', 'fuzz', '--'];

/** POSIX shell quoting for the replay command, only where needed. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The exact command that replays a counterexample: generation options, seed, path, the property. */
export function replayCommand(
  opts: FuzzOptions,
  path: string,
  property: string,
  replayRuns?: number,
): string {
  const words = [...(opts.command ?? REPO_COMMAND), opts.policyFile, '--seed', String(opts.seed)];
  if (replayRuns === undefined) words.push('--path', path);
  else {
    // A fault built up over runs (a heap filled, module state) replays by running up to it, each
    // worker over the same chunks as before: the worker count and shard are part of the case.
    words.push('--runs', String(replayRuns), '--workers', String(opts.workers ?? 1));
    const shard = opts.shard;
    if (shard !== undefined && shard.count > 1) words.push('--shard', `${shard.index}/${shard.count}`);
  }
  if (opts.cpuCountMin !== 1 || opts.cpuCountMax !== 64) {
    words.push(
      '--cpus',
      opts.cpuCountMin === opts.cpuCountMax
        ? `${opts.cpuCountMin}`
        : `${opts.cpuCountMin}-${opts.cpuCountMax}`,
    );
  }
  words.push(...deploymentArgs(opts.deployment));
  words.push('--property', property);
  if (opts.timeoutMs !== 2000) words.push('--timeout', String(opts.timeoutMs / 1000));
  if (opts.heapMb !== undefined && opts.heapMb !== HEAP_MB_DEFAULT) words.push('--heap', String(opts.heapMb));
  return words.map(shellQuote).join(' ');
}

type Held = Extract<WorkerAnswer, { kind: 'held' }>;
type Violated = Extract<WorkerAnswer, { kind: 'violated' }>;

export interface ReportContext {
  readonly opts: FuzzOptions;
  readonly elapsedMs: number;
  readonly commit: string | undefined;
}

function base(ctx: ReportContext, policyName: string, exportName: string, runs: number) {
  const { opts } = ctx;
  return {
    policyFile: opts.policyFile,
    policyName,
    exportName,
    seed: opts.seed,
    runsAsked: opts.runs,
    runs,
    cpus: { min: opts.cpuCountMin, max: opts.cpuCountMax },
    deployment: opts.deployment,
    elapsedMs: Math.round(ctx.elapsedMs),
    commit: ctx.commit,
    replayedPath: opts.path,
  };
}

export function heldReport(ctx: ReportContext, answer: Held): FuzzReport {
  return {
    result: 'held',
    ...base(ctx, answer.policyName, answer.exportName, answer.runs),
    properties: ctx.opts.properties.map((name) => outcome(name, 'held', answer.runs, answer.exercised)),
    violation: undefined,
  };
}

export function violatedReport(ctx: ReportContext, answer: Violated, whole: boolean): FuzzReport {
  const ex: Explanation = answer.explanation;
  const v = ex.violation;
  const stopped = answer.located === true || v.rule === 'policy:timed-out';
  return {
    result: 'violated',
    ...base(ctx, ex.policyName, answer.exportName, answer.runs),
    properties: ctx.opts.properties.map((name) => {
      // The failing run counts for the violated property; the others held on the runs before it.
      if (name === answer.property) return outcome(name, 'violated', answer.runs, answer.exercised);
      const runs = Math.max(0, answer.runs - 1);
      return outcome(name, runs > 0 ? 'held' : 'undecided', runs, answer.exercised);
    }),
    violation: {
      property: answer.property,
      rule: v.rule,
      message: v.message,
      events: v.events,
      violationCount: ex.violationCount,
      path: answer.path,
      shrinks: answer.shrinks,
      shrunk: !stopped,
      ...(answer.shrinkCut === true ? { shrinkCut: true as const } : {}),
      counterexample: answer.runCase,
      traceLength: ex.trace.length,
      excerpt: traceExcerpt(ex.trace, v.events, whole),
      netstatQ: ex.netstatQ,
      netstatAtEvent: ex.netstatAtEvent,
      replay: replayCommand(ctx.opts, answer.path, answer.property, answer.replayRuns),
      ...(ex.notReproduced === true ? { notReproduced: true as const } : {}),
      ...(answer.replayRuns === undefined ? {} : { replayRuns: answer.replayRuns }),
    },
  };
}
