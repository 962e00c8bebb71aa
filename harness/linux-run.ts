import { type LinuxRunResult, runLinux } from '../model/linux/host.ts';
import type { PolicySource } from '../model/policy.ts';
import { unwrap } from '../model/result.ts';
import type { ModelVariant } from '../model/variants.ts';
import { LINUX_PROPERTIES } from '../properties/linux.ts';
import type { PropertySpec } from '../properties/registry.ts';
import type { Violation } from '../properties/violation.ts';
import type { LinuxCase } from './arbitraries/linux.ts';

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
  const result = unwrap(
    runLinux({
      config,
      workload: c.workload,
      schedule: c.schedule,
      ...(policy === undefined ? {} : { policy }),
    }),
  );
  return { result, violations: properties.flatMap((p) => p.check(result.trace)) };
}
