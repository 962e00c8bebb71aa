import type { PolicySource } from '../../model/policy.ts';
import type { ModelVariant } from '../../model/variants.ts';
import { PROPERTIES } from '../../properties/index.ts';
import type { PropertySpec } from '../../properties/registry.ts';
import type { FuzzCase } from '../arbitraries/run-case.ts';
import { type CheckedRun, checkRunCase } from '../check-run.ts';

/** checkRunCase for tests: a generated case the model refuses is a bug in the arbitrary. */
export function mustCheck(
  c: FuzzCase,
  policy: PolicySource,
  properties: readonly PropertySpec[] = PROPERTIES,
  variants: readonly ModelVariant[] = [],
): CheckedRun {
  const checked = checkRunCase(c, policy, properties, variants);
  if (!checked.ok) throw new Error(`the model refused a generated case: ${checked.error}`);
  return checked.value;
}

/** Packets in a case's workload: how big a (shrunk) counterexample is. */
export const packetCount = (c: FuzzCase): number =>
  c.workload.items.filter((i) => i.kind === 'packet').length;

/**
 * What replays a search's outcome, for the messages of tests whose search seed is fast-check's own
 * (unless FC_SEED pins it): `FC_SEED=… FC_PATH=… npx vitest run <file>` runs that case again.
 */
export const replayOf = (d: { readonly seed: number; readonly counterexamplePath: string | null }): string =>
  `FC_SEED=${d.seed}${d.counterexamplePath === null ? '' : ` FC_PATH=${d.counterexamplePath}`}`;
