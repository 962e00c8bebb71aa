import type { PolicySource } from '../../model/policy.ts';
import { err, ok, type Result } from '../../model/result.ts';
import type { Trace } from '../../model/trace.ts';
import { propertyByName, type Violation } from '../../properties/index.ts';
import type { FuzzCase } from '../arbitraries/run-case.ts';
import { guardPolicy, type StopAt } from './guard.ts';
import type { Heartbeat } from './heartbeat.ts';
import { type FuzzRun, runFuzzCase, withTraceCap } from './run-fuzz-case.ts';

/** The case passed when run again: the policy, not the model, behaves differently each time. */
export interface Unreproducible {
  readonly unreproducible: string;
}

/** Everything a report shows about one counterexample, computed once in the worker. */
export interface Explanation {
  readonly policyName: string;
  readonly violation: Violation;
  /** How many violations of the property the case shows (the report details the first). */
  readonly violationCount: number;
  readonly trace: Trace;
  /** `netstat -Q` as the model stood when the last violating event was recorded. */
  readonly netstatQ: string;
  /** The trace index `netstatQ` was taken at. */
  readonly netstatAtEvent: number;
  /**
   * The case passed when run again with a fresh policy: the policy answers differently for the
   * same input (randomness, the clock, state outside its factory). What is shown is the run the
   * search saw fail, and a replay may pass.
   */
  readonly notReproduced?: true;
}

/** What explain may fall back on, and where a stopped policy call is answered. */
export interface ExplainFrom {
  readonly stopAt?: StopAt;
  /**
   * Explain from the one run, its netstat -Q at its end: no second run cut at the violation, for
   * a policy that keeps state outside its factory and would fault elsewhere in a second run.
   */
  readonly oneRun?: boolean;
  /** The case's run as the search saw it fail (search.ts `observed`). */
  readonly observed?: FuzzRun;
}

/**
 * Runs the counterexample again (same case, fresh policy state: the result is identical) and
 * collects the property's first violation, the trace and the netstat -Q table at the violation.
 * The table comes from a second run cut off right after the violating event (the trace cap,
 * `traceEventsMax`), so it shows the queues and counters at that point, not at the end. A case
 * that passes when run again is explained by the run the search observed, marked `notReproduced`
 * (the policy's fault, so still a violation); without one it is `Unreproducible`.
 */
export function explain(
  runCase: FuzzCase,
  source: PolicySource,
  fallbackName: string,
  propertyName: string,
  beat: Heartbeat,
  { stopAt, observed, oneRun = false }: ExplainFrom = {},
): Result<Explanation, string | Unreproducible> {
  const spec = propertyByName(propertyName);
  if (spec === undefined) return err(`no property ${propertyName}`);
  // The watchdog keeps watching: a policy that hangs only here is still stopped and named.
  const policy = guardPolicy(source, fallbackName, beat, stopAt);
  const run = runFuzzCase(runCase, policy);
  if (!run.ok) return err(`the model refused the case: ${run.error}`);
  const full = run.value;
  const violations = spec.check(full.trace);
  const violation = violations[0];
  if (violation === undefined) {
    const seen = observed === undefined ? [] : spec.check(observed.trace);
    const first = seen[0];
    if (observed !== undefined && first !== undefined)
      return ok({
        policyName: observed.policyName,
        violation: first,
        violationCount: seen.length,
        trace: observed.trace,
        netstatQ: observed.netstatQ,
        netstatAtEvent: observed.trace.length - 1,
        notReproduced: true,
      });
    return err({
      unreproducible: `the policy no longer violates ${propertyName} when its case is run again: is it deterministic (state outside its factory)?`,
    });
  }
  const last = Math.max(...violation.events, 0);
  // The last two events are the final counters snapshot and `end`: the full run's table is that point.
  let netstatQ = full.netstatQ;
  let netstatAtEvent = full.trace.length - 1;
  if (!oneRun && last < full.trace.length - 2) {
    const cut = runFuzzCase(withTraceCap(runCase, last + 1), policy);
    if (cut.ok) {
      netstatQ = cut.value.netstatQ;
      netstatAtEvent = last;
    }
  }
  return ok({
    policyName: full.policyName,
    violation,
    violationCount: violations.length,
    trace: full.trace,
    netstatQ,
    netstatAtEvent,
  });
}
