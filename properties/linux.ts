import { type LinuxRunResult, runLinux } from '../model/linux/host.ts';
import type { PolicySource } from '../model/policy.ts';
import type { ModelVariant } from '../model/variants.ts';
import type { LinuxCase } from './linux-arbitrary.ts';
import { linuxFlowOrder } from './linux-flow-order.ts';
import { linuxKernelVersion } from './linux-kernel-version.ts';
import { linuxNapiBudget } from './linux-napi-budget.ts';
import { linuxNoDropBelowLimit } from './linux-no-drop-below-limit.ts';
import { linuxResourceBalance } from './linux-resource-balance.ts';
import { linuxRpsIpi } from './linux-rps-ipi.ts';
import type { PropertySpec } from './registry.ts';
import type { Violation } from './violation.ts';

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

export interface CheckedLinuxRun {
  readonly result: LinuxRunResult;
  readonly violations: readonly Violation[];
}

/** Runs the Linux model on a case (with `variants` and a policy, if given), then `properties`. */
export function checkLinuxCase(
  c: LinuxCase,
  properties: readonly PropertySpec[] = LINUX_PROPERTIES,
  variants: readonly ModelVariant[] = [],
  policy?: PolicySource,
): CheckedLinuxRun {
  const config = variants.length > 0 ? { ...c.config, variants } : c.config;
  const result = runLinux({
    config,
    workload: c.workload,
    schedule: c.schedule,
    ...(policy === undefined ? {} : { policy }),
  });
  if (typeof result === 'string') throw new Error(`generated Linux case refused: ${result}`);
  return { result, violations: properties.flatMap((p) => p.check(result.trace)) };
}
