import type { LiveConfig } from './config.ts';
import type { FlowSeq } from './workload.ts';

/**
 * Everything a live run read from the kernel, raw: enough to convert it into the project's trace
 * again without a kernel (fixtures/live/ holds one). Counters are the files' own text.
 */
export interface LiveRecording {
  readonly format: 'netstack-live-recording/1';
  readonly kernelRelease: string;
  readonly cpuCount: number;
  readonly config: LiveConfig;
  /** The receiving veth end the trace is filtered to. */
  readonly device: string;
  /** What the kernel holds after configuration: rx-0/rps_cpus and net.core.netdev_max_backlog. */
  readonly rpsCpusMask: number;
  readonly maxBacklog: number;
  readonly sent: readonly FlowSeq[];
  readonly read: readonly FlowSeq[];
  readonly traceLines: readonly string[];
  /** Events the trace buffer lost (a run with losses cannot be judged). */
  readonly overrun: number;
  readonly softnetBefore: string;
  readonly softnetAfter: string;
  readonly snmpBefore: string;
  readonly snmpAfter: string;
}
