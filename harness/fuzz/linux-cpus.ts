import type { LinuxSysctls } from '../../model/linux/config.ts';

/*
 * The CPU counts a Linux case may have, apart from the arbitraries that draw them: the command
 * line checks `--cpus` against them before any model or generator is loaded.
 */

/** The most CPUs a generated Linux case has (rps_cpus masks are 32 bits here). */
export const LINUX_CPUS_MAX = 32;

/** What `--cpus` and a pinned `--kernel linux --sysctl ...` ask of the Linux cases. */
export interface LinuxFuzzConstraints {
  readonly cpuCountMin: number;
  readonly cpuCountMax: number;
  readonly sysctl?: Partial<LinuxSysctls>;
}

/** How many CPUs a pinned rps_cpus mask names (its highest CPU + 1); 0 for none. */
export function cpusNamedBy(sysctl: Partial<LinuxSysctls> | undefined): number {
  const mask = sysctl?.['rx-N/rps_cpus'] ?? 0;
  return mask === 0 ? 0 : 32 - Math.clz32(mask);
}

/** The CPU counts Linux cases can have under these constraints; undefined when there are none. */
export function linuxCpuRange(c: LinuxFuzzConstraints): { min: number; max: number } | undefined {
  const min = Math.max(c.cpuCountMin, cpusNamedBy(c.sysctl), 1);
  const max = Math.min(c.cpuCountMax, LINUX_CPUS_MAX);
  return min <= max ? { min, max } : undefined;
}

/**
 * `--kernel linux` (with these pinned sysctls) and a `--cpus` range (or a pinned rps_cpus mask)
 * the Linux model cannot run: the refusal.
 */
export function linuxCpusError(
  sysctl: Partial<LinuxSysctls> = {},
  cpus: { min: number; max: number },
): string | undefined {
  if (linuxCpuRange({ cpuCountMin: cpus.min, cpuCountMax: cpus.max, sysctl }) !== undefined) return undefined;
  const mask = sysctl['rx-N/rps_cpus'];
  const range = cpus.min === cpus.max ? `${cpus.min}` : `${cpus.min}-${cpus.max}`;
  if (mask !== undefined && cpus.min <= LINUX_CPUS_MAX)
    return `--sysctl rx-N/rps_cpus=0x${mask.toString(16)} names CPU ${cpusNamedBy(sysctl) - 1}, beyond --cpus ${range}`;
  return `--kernel linux: the Linux model runs 1..${LINUX_CPUS_MAX} CPUs, not --cpus ${range}`;
}
