import type { PolicySource } from '../model/policy.ts';
import { ok, type Result } from '../model/result.ts';
import type { ModelVariant } from '../model/variants.ts';
import { checkTrace, PROPERTIES } from '../properties/index.ts';
import type { PropertySpec } from '../properties/registry.ts';
import { formatViolation, type Violation } from '../properties/violation.ts';
import type { FuzzCase } from './arbitraries/run-case.ts';
import { type FuzzRun, runFuzzCase } from './fuzz/run-fuzz-case.ts';

/** One run of the model on a generated case, and what the properties say about its trace. */
export interface CheckedRun {
  readonly result: FuzzRun;
  readonly violations: readonly Violation[];
}

/**
 * Runs the model of `c`'s kind (runFuzzCase) with `policy` (and any broken `variants`), then the
 * properties over the trace. A case the model refuses (bad configuration) answers its sentence: generated cases are
 * valid by construction, so a caller treats that as a bug in the arbitrary.
 */
export function checkRunCase(
  c: FuzzCase,
  policy: PolicySource,
  properties: readonly PropertySpec[] = PROPERTIES,
  variants: readonly ModelVariant[] = [],
): Result<CheckedRun, string> {
  // The spread keeps the case's kind; TypeScript cannot follow the union through it.
  const run = variants.length > 0 ? ({ ...c, config: { ...c.config, variants } } as FuzzCase) : c;
  const result = runFuzzCase(run, policy);
  if (!result.ok) return result;
  return ok({ result: result.value, violations: checkTrace(result.value.trace, properties) });
}

/** `flow-order: N-20: flow 0 at ip_input on cpu 0: got seq 1 after seq 2 (trace events #9, #12)` */
export function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.property}: ${formatViolation(v)}`).join('\n');
}
