import { bucketAffinity } from './bucket-affinity.ts';
import { reassemblyBounded } from './reassembly-bounded.ts';
import { reassemblyContinuation } from './reassembly-continuation.ts';
import { reassemblyCpu } from './reassembly-cpu.ts';
import { fragmentFlowOrder } from './reassembly-flow-order.ts';
import { datagramIntact } from './reassembly-intact.ts';
import type { PropertySpec } from './registry.ts';

/** The six reassembly and RSS properties, in the order the reassembly design lists them. */
export const REASSEMBLY_PROPERTIES: readonly PropertySpec[] = [
  reassemblyCpu,
  datagramIntact,
  reassemblyContinuation,
  bucketAffinity,
  fragmentFlowOrder,
  reassemblyBounded,
];

/**
 * Those that every policy must keep, for the suite-wide list in properties/index.ts.
 * bucket-affinity is left out: it also judges ordinary packets, and a policy that overrides the
 * RSS kernel's CPU placement (SOURCE or FLOW on `freebsd-rss`) breaks it by design.
 */
export const REASSEMBLY_SUITE_PROPERTIES: readonly PropertySpec[] = REASSEMBLY_PROPERTIES.filter(
  (p) => p !== bucketAffinity,
);
