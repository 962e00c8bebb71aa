import type { Trace } from '../model/trace.ts';
import { bufferBalance } from './buffer-balance.ts';
import { counterConsistency } from './counters.ts';
import { LINUX_PROPERTIES } from './linux.ts';
import { liveness } from './liveness.ts';
import { noDropBelowLimit } from './no-drop-below-limit.ts';
import { flowOrder } from './ordering.ts';
import { policyConformance } from './policy-conformance.ts';
import { REASSEMBLY_SUITE_PROPERTIES } from './reassembly-properties.ts';
import type { PropertySpec } from './registry.ts';
import { stackDepth } from './stack-depth.ts';
import type { Violation } from './violation.ts';

/**
 * Every property the suite checks, in report order. The fuzz CLI runs all of them (or those named
 * with --property); a new property appends its spec here.
 */
export const PROPERTIES: readonly PropertySpec[] = [
  flowOrder,
  noDropBelowLimit,
  counterConsistency,
  liveness,
  policyConformance,
  stackDepth,
  bufferBalance,
  ...REASSEMBLY_SUITE_PROPERTIES,
  ...LINUX_PROPERTIES,
];

export function propertyByName(name: string): PropertySpec | undefined {
  return PROPERTIES.find((p) => p.name === name);
}

/** Runs the given properties (default: all) over one trace; violations in property order. */
export function checkTrace(trace: Trace, properties: readonly PropertySpec[] = PROPERTIES): Violation[] {
  return properties.flatMap((p) => p.check(trace));
}

export type { PropertySpec, Violation };
