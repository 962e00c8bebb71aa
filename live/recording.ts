import { familyOf, type LiveConfig } from './config.ts';
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
  /** The receiving namespace's /proc/net/snmp6 (IPv6 runs): the Udp6 counters. */
  readonly snmp6Before?: string;
  readonly snmp6After?: string;
  /**
   * `uname -m`, and /sys/devices/system/cpu/present and online as read after the run: what
   * check-counters is told of the machine (64-bit counters, no CPU's softnet row hidden). Absent in
   * recordings made before they were kept: then unknown, as for a pasted dump.
   */
  readonly machine?: string;
  readonly cpusPresent?: string;
  readonly cpusOnline?: string;
}

/** The fate of one sent datagram as the kernel's tracepoints show it. */
export interface LivePacket {
  readonly pkt: number;
  readonly flow: number;
  readonly seq: number;
  readonly hash: number;
  /** get_rps_cpu's rx queue: queue_mapping - 1 when recorded, else 0 (skb_get_rx_queue). */
  readonly rxQueue: number;
  /** The CPU netif_rx ran on (the sender's, for veth). */
  readonly entryCpu: number;
  readonly truesize: number;
  /** The CPU __netif_receive_skb_core ran on: where RPS put it; undefined if never received. */
  receiveCpu: number | undefined;
  dropReason: string | undefined;
}

/** skb->protocol of IPv4 as the tracepoints print it. */
export const IPV4 = '0x0800';
export const IPV6 = '0x86dd';

/** IP and UDP header bytes in front of a datagram's payload: skb->len at netif_rx, per family. */
const HEADERS_BYTES = { inet: 20 + 8, inet6: 40 + 8 } as const;

/**
 * Whether a netif_rx_entry line is one of the workload's datagrams: on the traced device, of the
 * run's IP version, and of its length (an IPv6 control message such as an MLD report is not).
 */
export function isWorkloadEntry(rec: LiveRecording, fields: Readonly<Record<string, string>>): boolean {
  const family = familyOf(rec.config);
  return (
    fields.dev === rec.device &&
    fields.protocol === (family === 'inet6' ? IPV6 : IPV4) &&
    Number(fields.len) === HEADERS_BYTES[family] + Math.max(8, rec.config.payloadBytes)
  );
}
