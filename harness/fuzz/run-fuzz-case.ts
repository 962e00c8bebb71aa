import { runHost } from '../../model/host/run.ts';
import { runIpsecGateway } from '../../model/ipsec/gateway.ts';
import type { PolicySource } from '../../model/policy.ts';
import type { Result } from '../../model/result.ts';
import type { Trace } from '../../model/trace.ts';
import { isEncapCase, isLinuxFuzzCase } from '../arbitraries/case-kind.ts';
import type { FuzzCase } from '../arbitraries/run-case.ts';
import { runLinuxCase } from './run-linux-case.ts';

/*
 * Every kind of case the fuzz command generates (FuzzCase) runs here: a plain RunCase on the
 * FreeBSD host (model/host), an EncapCase on the IPsec/tunnel gateway (model/ipsec/gateway.ts), a
 * LinuxFuzzCase on the Linux receive path (model/linux, run-linux-case.ts). A new kind adds a
 * member to FuzzCase and a branch below; the search, the explanation and the checks of the tests
 * only ever call `runFuzzCase`.
 */

/** What the search and the report need from one model run, whichever model ran. */
export interface FuzzRun {
  readonly trace: Trace;
  readonly policyName: string;
  /** `netstat -Q` at the end of the run (a Linux run: softnet_stat and the Udp MIB). */
  readonly netstatQ: string;
}

/**
 * Runs one generated case with the policy on the model its kind names; bad input: one sentence.
 * Each model's result is a FuzzRun already, its counter text made only when a report reads it.
 */
export function runFuzzCase(c: FuzzCase, policy: PolicySource): Result<FuzzRun, string> {
  if (isLinuxFuzzCase(c)) return runLinuxCase(c, policy);
  if (isEncapCase(c)) {
    const { inbound, chain, ipsec } = c.encap;
    return runIpsecGateway({
      config: { host: c.config, inbound, chain, ipsec },
      workload: c.workload,
      schedule: c.schedule,
      policy,
    });
  }
  return runHost({ config: c.config, workload: c.workload, schedule: c.schedule, policy });
}

/** The same case with its trace cut after `traceEventsMax` events (the counters at a violation). */
export function withTraceCap(c: FuzzCase, traceEventsMax: number): FuzzCase {
  if (isLinuxFuzzCase(c))
    return { ...c, config: { ...c.config, limits: { ...c.config.limits, traceEventsMax } } };
  return { ...c, config: { ...c.config, limits: { ...c.config.limits, traceEventsMax } } };
}
