import fc from 'fast-check';
import { type HostConfig, kernelProtocols } from '../../model/host/config.ts';
import type { Workload } from '../../model/host/workload.ts';
import { builtinNetisrPolicies, freebsdNetisrPolicy } from '../../model/netisr/policies.ts';
import { FREEBSD_PROTOCOLS } from '../../model/netisr/protocols.ts';
import type { PolicySource } from '../../model/policy.ts';
import type { Schedule } from '../../model/sim/schedule.ts';
import { type HostConfigConstraints, hostConfigArb } from './config.ts';
import { type EncapCase, encapCaseArb } from './encap-case.ts';
import type { LinuxFuzzCase } from './linux-fuzz-case.ts';
import { type MoveKind, movesArb, withMoves } from './moves.ts';
import { plainRecord } from './plain-record.ts';
import { fragmentWorkloadArb, reassConfigArb } from './reassembly.ts';
import { withCaseText } from './run-case-text.ts';
import { type ScheduleConstraints, scheduleArb } from './schedule.ts';
import { type WorkloadConstraints, workloadArb } from './workload.ts';

/** Everything one model run needs except the policy: what fast-check generates and shrinks. */
export interface RunCase {
  readonly config: HostConfig;
  readonly workload: Workload;
  readonly schedule: Schedule;
}

export interface RunCaseConstraints extends HostConfigConstraints, WorkloadConstraints, ScheduleConstraints {
  /** @defaultValue the swarm mix: half the runs move nothing, the rest one kind each */
  readonly moveKinds?: readonly MoveKind[];
}

/**
 * A whole run case; fast-check prints it as script lines (runCaseText). Half the cases move flows
 * between CPUs mid-run (moves.ts): an RSS table rewrite, a migrating tun0 writer, a lagg failover.
 */
export function runCaseArb(c: RunCaseConstraints = {}): fc.Arbitrary<RunCase> {
  return plainRecord({
    config: hostConfigArb(c),
    workload: workloadArb(c),
    schedule: scheduleArb(c),
    moves: movesArb(c.moveKinds),
  })
    .map(({ config, workload, schedule, moves }) => ({
      config,
      schedule,
      workload: withMoves(workload, moves, config.cpuCount, config.rxRingCount ?? 1),
    }))
    .map(withCaseText);
}

/** The cases of `fuzzCaseArb`: on the FreeBSD host, plain or behind the IPsec/tunnel gateway. */
export type NetisrFuzzCase = RunCase | EncapCase;

/** Every kind of case the fuzz command generates; harness/fuzz/run-fuzz-case.ts runs each on its model. */
export type FuzzCase = NetisrFuzzCase | LinuxFuzzCase;

/**
 * What the fuzz command generates for a user's policy (weights 7:2:2): the netisr cases of
 * `runCaseArb`; about one in five a fragment stream on a small RSS or GENERIC host (reordered,
 * duplicated, lost and forged fragments, attack noise), so the reassembly promises are judged as
 * often as flow order; about one in five encapsulated traffic on the IPsec/tunnel gateway
 * (encap-case.ts), so nested gif/gre/IPsec layers are judged by stack-depth and buffer-balance.
 */
export function fuzzCaseArb(c: RunCaseConstraints = {}): fc.Arbitrary<NetisrFuzzCase> {
  const cpus = {
    ...(c.cpuCountMin === undefined ? {} : { cpuCountMin: c.cpuCountMin }),
    ...(c.cpuCountMax === undefined ? {} : { cpuCountMax: c.cpuCountMax }),
  };
  const fragmentCase = plainRecord({
    config: reassConfigArb(cpus),
    workload: fragmentWorkloadArb(),
    schedule: scheduleArb({ choicesMax: 64 }),
  }).map(withCaseText);
  const kinds: fc.WeightedArbitrary<NetisrFuzzCase>[] = [
    { weight: 7, arbitrary: runCaseArb(c) },
    { weight: 2, arbitrary: fragmentCase },
    { weight: 2, arbitrary: encapCaseArb(cpus) },
  ];
  return fc.oneof(...kinds);
}

/** `registered`: the kernel as configured (each protocol's own policy, net.isr.dispatch); then every override. */
export const BUILTIN_POLICY_NAMES: readonly string[] = [
  'registered',
  ...builtinNetisrPolicies(FREEBSD_PROTOCOLS).map((p) => p.name),
];

/** A built-in FreeBSD policy for the configured kernel flavour, by name. */
export function builtinPolicy(name: string, config: HostConfig): PolicySource {
  const protocols = kernelProtocols(config.kernel ?? 'freebsd', config.version);
  const dispatch = config.sysctl?.['net.isr.dispatch'] ?? 'direct';
  if (name === 'registered')
    return freebsdNetisrPolicy({ protocols, dispatch, name: `freebsd-registered-${dispatch}` });
  const found = builtinNetisrPolicies(protocols).find((p) => p.name === name);
  if (found === undefined) throw new Error(`no built-in policy ${name}`);
  return found.factory;
}

/** A built-in policy name, shrinking toward the registered kernel. */
export const builtinPolicyNameArb: fc.Arbitrary<string> = fc.constantFrom(...BUILTIN_POLICY_NAMES);
