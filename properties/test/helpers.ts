import type { RunCase } from '../../harness/arbitraries/run-case.ts';
import { type CheckedRun, checkRunCase } from '../../harness/check-run.ts';
import type { PolicySource } from '../../model/policy.ts';
import type { ModelVariant } from '../../model/variants.ts';
import { PROPERTIES } from '../index.ts';
import type { PropertySpec } from '../registry.ts';

/** checkRunCase for tests: a generated case the model refuses is a bug in the arbitrary. */
export function mustCheck(
  c: RunCase,
  policy: PolicySource,
  properties: readonly PropertySpec[] = PROPERTIES,
  variants: readonly ModelVariant[] = [],
): CheckedRun {
  const checked = checkRunCase(c, policy, properties, variants);
  if (!checked.ok) throw new Error(`the model refused a generated case: ${checked.error}`);
  return checked.value;
}

/** Packets in a case's workload: how big a (shrunk) counterexample is. */
export const packetCount = (c: RunCase): number => c.workload.items.filter((i) => i.kind === 'packet').length;
