import fc from 'fast-check';
import type { PolicySource } from '../../model/policy.ts';
import { exercisedBy, exercisedIn } from '../../properties/exercised.ts';
import { type PropertySpec, propertyByName } from '../../properties/index.ts';
import { shrinkingByItems } from '../arbitraries/item-shrink.ts';
import type { FuzzCase } from '../arbitraries/run-case.ts';
import type { Deployment } from './deployment.ts';
import { fuzzCasesFor, judgingOrder } from './fuzz-cases.ts';
import { guardPolicy, type StopAt } from './guard.ts';
import type { Heartbeat } from './heartbeat.ts';
import { type FuzzRun, runFuzzCase } from './run-fuzz-case.ts';
import { SearchClock, type TimeLimit } from './time-limit.ts';

/** What one search is asked to do: the generation-relevant options of the command line. */
export interface SearchJob {
  readonly seed: number;
  readonly runs: number;
  readonly path: string | undefined;
  readonly cpuCountMin: number;
  readonly cpuCountMax: number;
  readonly properties: readonly string[];
  /** --kernel / --sysctl: what every generated case runs on. */
  readonly deployment?: Deployment;
  /** Search (and shrink) from this run index on, e.g. one chunk of a split (run-set.ts); ignored with `path`. */
  readonly firstRun?: number;
}

/** Per property, the generated runs (not shrink candidates) in which it had something to judge. */
export type ExercisedRuns = Readonly<Record<string, number>>;

export type SearchResult =
  | {
      readonly kind: 'held';
      readonly runs: number;
      readonly policyName: string;
      readonly exercised: ExercisedRuns;
    }
  | {
      readonly kind: 'violated';
      readonly exercised: ExercisedRuns;
      readonly property: string;
      readonly runCase: FuzzCase;
      readonly path: string;
      readonly runs: number;
      readonly shrinks: number;
      /** Shrinking stopped at the time limit (`TimeLimit.shrinkEndEpochMs`), not at a local minimum. */
      readonly shrinkCut?: true;
      /**
       * The counterexample's run as the search saw it fail (the last failing run: fast-check
       * shrinks onto it), for a policy that passes when the case is run again (explain.ts).
       */
      readonly observed: FuzzRun;
    }
  /** The model itself refused or threw: a bug in the suite, reported with its replay path. */
  | { readonly kind: 'model-error'; readonly message: string; readonly path: string };

export function specsOf(names: readonly string[]): PropertySpec[] {
  return names.map((n) => {
    const spec = propertyByName(n);
    if (spec === undefined) throw new Error(`no property ${n}`);
    return spec;
  });
}

export function runCaseArbFor(
  job: Pick<SearchJob, 'cpuCountMin' | 'cpuCountMax' | 'deployment'>,
): fc.Arbitrary<FuzzCase> {
  return shrinkingByItems(fuzzCasesFor(job));
}

/**
 * fast-check path bookkeeping done alongside fast-check, so a run the watchdog has to stop can be
 * replayed: `K` for the K-th generated run, then one index per shrink level (the index of the
 * failing candidate among the shrinks tried at that level), exactly as fast-check prints paths.
 */
class PathTracker {
  /** A replay starts at the given path: its first predicate call is that value. */
  readonly #startAt: number[] | undefined;
  #failed: number[] | undefined;
  #candidate = 0;
  #runs = 0;

  constructor(start: string | undefined) {
    this.#startAt = start?.split(':').map(Number);
  }

  current(): number[] {
    if (this.#failed === undefined) {
      if (this.#startAt !== undefined && this.#runs === 0) return this.#startAt;
      const base = this.#startAt?.[0] ?? 0;
      return [this.#startAt === undefined ? this.#runs : base + this.#runs];
    }
    return [...this.#failed, this.#candidate];
  }

  get shrinking(): boolean {
    return this.#failed !== undefined;
  }

  record(path: number[], failed: boolean): void {
    if (this.#failed === undefined) {
      this.#runs++;
      if (failed) this.#failed = path;
      return;
    }
    if (failed) {
      this.#failed = path;
      this.#candidate = 0;
    } else this.#candidate++;
  }
}

/**
 * Runs the selected properties over fast-check generated cases with the policy. Every run checks
 * every selected property; the first one violated is latched, and shrinking keeps only cases that
 * still violate it, so the counterexample is about one property and its replay (which names that
 * property) takes the same path.
 */
export function search(
  job: SearchJob,
  source: PolicySource,
  fallbackName: string,
  beat: Heartbeat,
  time?: TimeLimit,
): SearchResult {
  const specs = specsOf(job.properties);
  let policyName = fallbackName;
  let latched: PropertySpec | undefined;
  const start = job.path ?? (job.firstRun === undefined ? undefined : String(job.firstRun));
  const tracker = new PathTracker(start);
  const policy = guardPolicy(source, fallbackName, beat);
  let modelError: string | undefined;
  let lastFailed: FuzzRun | undefined;
  const exercised: Record<string, number> = Object.fromEntries(job.properties.map((n) => [n, 0]));
  const clock = new SearchClock(time);
  const exercisedByAll = exercisedIn(job.properties);
  const orderFor = judgingOrder(specs);
  const predicate = (runCase: FuzzCase): boolean => {
    const path = tracker.current();
    // Past the time limit a case is answered "holds" without running it: fast-check then generates
    // the chunk's remaining cases (cheap) and tries no deeper shrink, and none of it is counted.
    if (clock.skips(tracker.shrinking)) {
      tracker.record(path, false);
      return true;
    }
    beat.runStarts(path);
    const run = runFuzzCase(runCase, policy);
    if (!run.ok) {
      modelError = `the model refused a generated case: ${run.error}`;
      throw new Error(modelError);
    }
    const result = run.value;
    policyName = result.policyName;
    const checked = latched === undefined ? orderFor(runCase) : [latched];
    const violated = checked.find((spec) => spec.check(result.trace).length > 0);
    if (violated !== undefined && latched === undefined) latched = violated;
    const failed = violated !== undefined;
    if (failed) lastFailed = result;
    // The failing run is judged only by the property it violated: the others report the runs before it.
    if (!tracker.shrinking)
      for (const name of failed ? exercisedBy(result.trace, [violated.name]) : exercisedByAll(result.trace))
        exercised[name] = (exercised[name] ?? 0) + 1;
    beat.runDone(tracker.shrinking);
    tracker.record(path, failed);
    return !failed;
  };
  const details = fc.check(fc.property(runCaseArbFor(job), predicate), {
    seed: job.seed,
    numRuns: job.runs,
    ...(job.path === undefined ? {} : { path: job.path, endOnFailure: true }),
    ...(job.path === undefined && start !== undefined ? { path: start } : {}),
  });
  const runs = time === undefined ? details.numRuns : clock.runsMade;
  return resultOf(details, { latched, lastFailed, modelError, policyName, exercised, runs, clock });
}

/** What a search saw besides fast-check's details, for its result. */
interface SearchSeen {
  readonly latched: PropertySpec | undefined;
  readonly lastFailed: FuzzRun | undefined;
  readonly modelError: string | undefined;
  readonly policyName: string;
  readonly exercised: ExercisedRuns;
  /** Runs made when all held (the runs skipped past a time limit are not). */
  readonly runs: number;
  readonly clock: SearchClock;
}

function resultOf(details: fc.RunDetails<[FuzzCase]>, seen: SearchSeen): SearchResult {
  const { latched, lastFailed, policyName, exercised } = seen;
  if (!details.failed) return { kind: 'held', runs: seen.runs, policyName, exercised };
  const path = details.counterexamplePath ?? '';
  const runCase = details.counterexample?.[0];
  if (latched === undefined || runCase === undefined || lastFailed === undefined) {
    const why =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    return { kind: 'model-error', message: seen.modelError ?? `the model threw: ${why}`, path };
  }
  return {
    kind: 'violated',
    property: latched.name,
    runCase,
    path,
    runs: details.numRuns,
    shrinks: details.numShrinks,
    ...(seen.clock.shrinkCut ? { shrinkCut: true as const } : {}),
    exercised,
    observed: lastFailed,
  };
}

/** The case fast-check generates at `path` for this seed (no policy involved). */
export function caseAtPath(
  job: Pick<SearchJob, 'seed' | 'cpuCountMin' | 'cpuCountMax' | 'deployment'>,
  path: string,
): FuzzCase {
  let found: FuzzCase | undefined;
  fc.check(
    fc.property(runCaseArbFor(job), (rc) => {
      found ??= rc;
      return false;
    }),
    { seed: job.seed, path, numRuns: 1, endOnFailure: true },
  );
  if (found === undefined) throw new Error(`no case at path ${path}`);
  return found;
}

export type { StopAt };
