import fc from 'fast-check';
import { LINUX_PROPERTIES } from '../../properties/linux.ts';
import type { PropertySpec } from '../../properties/registry.ts';
import { isLinuxFuzzCase } from '../arbitraries/case-kind.ts';
import { linuxFuzzCaseArb } from '../arbitraries/linux-fuzz-case.ts';
import { type FuzzCase, fuzzCaseArb } from '../arbitraries/run-case.ts';
import { type Deployment, isLinuxDeployment, pinDeployment } from './deployment.ts';
import { linuxCpuRange } from './linux-cpus.ts';

/** What the generated cases depend on: `--cpus`, `--kernel`, `--sysctl` (never `--property`, so a replay naming one property finds the same case). */
export interface CaseJob {
  readonly cpuCountMin: number;
  readonly cpuCountMax: number;
  readonly deployment?: Deployment;
}

/**
 * In a run that pins no kernel, one case in LINUX_SHARE is a Linux case (the policy as RPS/RFS on
 * model/linux), so the linux-* properties are judged in every default run; the rest are the
 * FreeBSD cases of fuzzCaseArb.
 */
export const LINUX_SHARE = 6;

/** The cases one fuzz search draws from, on the pinned deployment. */
export function fuzzCasesFor(job: CaseJob): fc.Arbitrary<FuzzCase> {
  const cpus = { cpuCountMin: job.cpuCountMin, cpuCountMax: job.cpuCountMax };
  const d = job.deployment ?? {};
  if (isLinuxDeployment(d)) return linuxFuzzCaseArb({ ...cpus, ...(d.sysctl ? { sysctl: d.sysctl } : {}) });
  const netisr = fuzzCaseArb(cpus);
  const pinned =
    d.kernel === undefined && d.sysctl === undefined ? netisr : netisr.map((rc) => pinDeployment(rc, d));
  // A pinned FreeBSD flavour or knob is a FreeBSD deployment; so is a --cpus range Linux has not.
  if (pinned !== netisr || linuxCpuRange(cpus) === undefined) return pinned;
  return fc.oneof(
    { weight: LINUX_SHARE - 1, arbitrary: netisr },
    { weight: 1, arbitrary: linuxFuzzCaseArb(cpus) },
  );
}

/**
 * The order a case's trace is judged in, the first violated property being the one the search
 * latches: on a Linux case the linux-* properties come first, so a reordered flow is reported in
 * Linux terms (linux-flow-order, R4: backlogs and ip_rcv) rather than by the netisr flow-order.
 * Both orders are made once, for a search that asks it of every case.
 */
export function judgingOrder(specs: readonly PropertySpec[]): (c: FuzzCase) => readonly PropertySpec[] {
  const linuxFirst = [
    ...specs.filter((s) => LINUX_PROPERTIES.includes(s)),
    ...specs.filter((s) => !LINUX_PROPERTIES.includes(s)),
  ];
  return (c) => (isLinuxFuzzCase(c) ? linuxFirst : specs);
}
