import { linuxFlowOrder } from './linux-flow-order.ts';
import { linuxKernelVersion } from './linux-kernel-version.ts';
import { linuxNapiBudget } from './linux-napi-budget.ts';
import { linuxNoDropBelowLimit } from './linux-no-drop-below-limit.ts';
import { linuxResourceBalance } from './linux-resource-balance.ts';
import { linuxRpsIpi } from './linux-rps-ipi.ts';
import type { PropertySpec } from './registry.ts';

/**
 * The Linux receive-path properties. They read the same trace union as every other checker and
 * pass vacuously on traces with no Linux-only event, so they sit in PROPERTIES beside the rest.
 */
export const LINUX_PROPERTIES: readonly PropertySpec[] = [
  linuxFlowOrder,
  linuxNoDropBelowLimit,
  linuxResourceBalance,
  linuxNapiBudget,
  linuxRpsIpi,
  linuxKernelVersion,
];
