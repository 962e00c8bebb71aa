import { type LinuxRunResult, runLinux } from '../../model/linux/host.ts';
import type { PolicySource } from '../../model/policy.ts';
import { ok, type Result } from '../../model/result.ts';
import type { Trace } from '../../model/trace.ts';
import type { LinuxFuzzCase } from '../arbitraries/linux-fuzz-case.ts';

/** What the search and the report read from a Linux run (the shape of run-fuzz-case.ts FuzzRun). */
export interface LinuxFuzzRun {
  readonly trace: Trace;
  readonly policyName: string;
  /** The Linux counters a report shows where a netisr case shows `netstat -Q`. */
  readonly netstatQ: string;
}

/**
 * One Linux case with the user's policy as the RPS/RFS steering: model/linux asks the policy where
 * get_rps_cpu would choose (net/core/dev.c netif_receive_skb_internal), `queue` is
 * enqueue_to_backlog on that CPU, `direct`/`hybrid` is __netif_receive_skb inline on the polling
 * CPU. The counters are /proc/net/softnet_stat and the Udp rows of /proc/net/snmp.
 */
export function runLinuxCase(c: LinuxFuzzCase, policy: PolicySource): Result<LinuxFuzzRun, string> {
  const run = runLinux({ config: c.config, workload: c.workload, schedule: c.schedule, policy });
  if (!run.ok) return run;
  return ok(new LinuxCaseRun(run.value));
}

/** A Linux case's run; the counter text only a report reads is made then (a class: V8 makes an object literal with a getter by its slow path). */
class LinuxCaseRun implements LinuxFuzzRun {
  readonly trace: Trace;
  readonly policyName: string;
  readonly #run: LinuxRunResult;
  #netstatQ: string | undefined;

  constructor(run: LinuxRunResult) {
    this.trace = run.trace;
    this.policyName = run.policyName;
    this.#run = run;
  }

  get netstatQ(): string {
    this.#netstatQ ??= [
      '/proc/net/softnet_stat (a row per CPU, hex: processed dropped time_squeeze 0 x6 received_rps flow_limit_count backlog_len cpu):',
      this.#run.softnetStat.trimEnd(),
      '/proc/net/snmp (Udp):',
      ...this.#run.snmpUdp.split('\n').slice(0, 2),
    ].join('\n');
    return this.#netstatQ;
  }
}
