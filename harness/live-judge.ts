import { type CounterReading, checkCounters, parseLinuxRelease } from '../counters/index.ts';
import { familyOf, type LiveFamily } from '../live/config.ts';
import { convertRecording, type LivePacket } from '../live/convert.ts';
import {
  type Differential,
  modelCpuOf,
  modelRpsPolicy,
  rfsDifferential,
  rfsSteers,
  rpsDifferential,
} from '../live/differential.ts';
import { snmp6DeltaText, snmpDeltaText, softnetDeltaText } from '../live/parse.ts';
import type { LiveRecording } from '../live/recording.ts';
import type { PolicySource } from '../model/policy.ts';
import { instantiatePolicy } from '../model/policy.ts';
import type { Trace } from '../model/trace.ts';
import { LINUX_PROPERTIES } from '../properties/linux.ts';
import { linuxConservation } from '../properties/linux-conservation.ts';
import { LINUX_NO_DROP_BELOW_LIMIT } from '../properties/linux-no-drop-below-limit.ts';
import type { PropertySpec } from '../properties/registry.ts';
import type { Violation } from '../properties/violation.ts';

/** The checkers a live trace is judged by: the model's Linux properties, and conservation. */
export const LIVE_PROPERTIES: readonly PropertySpec[] = [...LINUX_PROPERTIES, linuxConservation];

export interface PropertyVerdict {
  readonly property: string;
  readonly held: boolean;
  readonly violations: readonly Violation[];
  /** Findings a live trace cannot decide (see UNOBSERVABLE), shown but not failing the run. */
  readonly unobservable: readonly Violation[];
}

/**
 * R7's admission half (a backlog never takes a packet at qlen > netdev_max_backlog) needs the
 * exact input_pkt_queue length, which changes at process_backlog's splice: no tracepoint shows it,
 * so the live trace only bounds it. A drop needs qlen over the limit: that half stays judged.
 */
function unobservable(v: Violation): boolean {
  return (
    v.property === LINUX_NO_DROP_BELOW_LIMIT && v.rule === 'R7' && / took packet \d+ at qlen /.test(v.message)
  );
}

export interface DropTally {
  readonly reason: string;
  readonly count: number;
  readonly counter: string;
  readonly counterDelta: number;
}

export interface LiveVerdict {
  readonly kernelRelease: string;
  readonly sent: number;
  readonly delivered: number;
  readonly drops: readonly DropTally[];
  readonly properties: readonly PropertyVerdict[];
  /** check-counters' identities on the before/after difference: findings, one line each. */
  readonly counterFindings: readonly string[];
  readonly counterChecks: number;
  readonly differential: Differential;
  /** Why the run cannot be judged at all (lost trace events, unlinkable packets). */
  readonly issues: readonly string[];
  readonly ok: boolean;
  readonly trace: Trace;
  readonly stats: Readonly<Record<string, number>>;
}

/**
 * Which counter each drop reason moves, and its delta (summed over CPUs for softnet): the socket
 * drops in the MIB row of the run's IP version (Udp in /proc/net/snmp, Udp6 in snmp6).
 */
function dropTallies(
  packets: readonly LivePacket[],
  stats: Readonly<Record<string, number>>,
  family: LiveFamily,
): DropTally[] {
  const row = family === 'inet6' ? 'Udp6' : 'Udp';
  const sum = (suffix: string) =>
    Object.entries(stats)
      .filter(([k]) => k.startsWith('softnet_cpu') && k.endsWith(suffix))
      .reduce((s, [, n]) => s + n, 0);
  const counterOf = (reason: string): [string, number] =>
    reason === 'CPU_BACKLOG'
      ? ['softnet_stat dropped', sum('.dropped')]
      : reason === 'SOCKET_RCVBUFF'
        ? [`${row} RcvbufErrors`, stats[`${row}.RcvbufErrors`] ?? 0]
        : reason === 'NO_SOCKET'
          ? [`${row} NoPorts`, stats[`${row}.NoPorts`] ?? 0]
          : ['(none known)', 0];
  const counts = new Map<string, number>();
  for (const p of packets)
    if (p.dropReason !== undefined) counts.set(p.dropReason, (counts.get(p.dropReason) ?? 0) + 1);
  return [...counts.entries()].map(([reason, count]) => {
    const [counter, counterDelta] = counterOf(reason);
    return { reason, count, counter, counterDelta };
  });
}

/** `uname -m` of 64-bit kernels, whose snmp MIB counters are 64-bit (unsigned long). */
const MACHINE_64BIT =
  /^(x86_64|aarch64|arm64|ppc64|ppc64le|s390x|riscv64|loongarch64|mips64|sparc64|ia64|alpha)$/;

/**
 * What a live run knows of the machine that a pasted dump does not, so check-counters' identities
 * are exact instead of notes (counters/reading.ts): the after-counters are read once the receiver
 * saw nothing for its idle time (quiescent: nothing in flight, as the trace's last counters event
 * says too), the release is the kernel's own, and, where the recording kept them, the machine and
 * the CPUs online.
 */
export function machineFacts(rec: LiveRecording): Partial<CounterReading> {
  const release = parseLinuxRelease(rec.kernelRelease);
  return {
    quiescent: true,
    ...(release === undefined ? {} : { linuxRelease: release }),
    ...(rec.machine === undefined ? {} : { counters64bit: MACHINE_64BIT.test(rec.machine) }),
    ...(rec.cpusOnline === undefined || rec.cpusPresent === undefined
      ? {}
      : { allCpusOnline: rec.cpusOnline === rec.cpusPresent }),
  };
}

/**
 * Judges one recording: convert it to the Linux trace with the model's RPS choice naming each
 * backlog drop's CPU, run the same checkers as on the model, apply check-counters to the counter
 * difference, and compare every received packet's CPU with the model's (`model` replaces the
 * model's RPS policy, to show a wrong rule is caught).
 */
export function judgeRecording(rec: LiveRecording, model?: PolicySource): LiveVerdict {
  const cfg = { cpuCount: rec.cpuCount, workstreamCpus: [], bucketCount: 0 };
  const cpuOf = modelCpuOf(instantiatePolicy(model ?? modelRpsPolicy(rec), cfg), rec);
  const { trace, packets, issues } = convertRecording(rec, cpuOf);
  return judgeTrace(rec, trace, packets, [...issues], model);
}

export function judgeTrace(
  rec: LiveRecording,
  trace: Trace,
  packets: readonly LivePacket[],
  issues: string[],
  model?: PolicySource,
): LiveVerdict {
  if (rec.overrun > 0)
    issues.push(`the trace buffer lost ${rec.overrun} events: raise the buffer or send fewer packets`);
  const properties = LIVE_PROPERTIES.map((p) => {
    const all = p.check(trace);
    const violations = all.filter((x) => !unobservable(x));
    return {
      property: p.name,
      held: violations.length === 0,
      violations,
      unobservable: all.filter(unobservable),
    };
  });
  const counters = checkCounters(
    [
      softnetDeltaText(rec.softnetBefore, rec.softnetAfter),
      snmpDeltaText(rec.snmpBefore, rec.snmpAfter),
      ...(rec.snmp6Before === undefined || rec.snmp6After === undefined
        ? []
        : [snmp6DeltaText(rec.snmp6Before, rec.snmp6After)]),
    ].join('\n'),
    { json: false, ...machineFacts(rec) },
  );
  const counterFindings = counters.checked.flatMap((c) => c.result.findings.map((f) => JSON.stringify(f)));
  const counterChecks = counters.checked.reduce((s, c) => s + c.result.checks, 0);
  const last = [...trace].reverse().find((e) => e.kind === 'counters');
  const stats = last?.kind === 'counters' ? last.stats : {};
  const differential = rfsSteers(rec)
    ? rfsDifferential(rec, packets, model)
    : rpsDifferential(rec, packets, model);
  const ok =
    issues.length === 0 &&
    properties.every((p) => p.held) &&
    counterFindings.length === 0 &&
    differential.disagreements.length === 0;
  return {
    kernelRelease: rec.kernelRelease,
    sent: rec.sent.length,
    delivered: trace.filter((e) => e.kind === 'deliver').length,
    drops: dropTallies(packets, stats, familyOf(rec.config)),
    properties,
    counterFindings,
    counterChecks,
    differential,
    issues,
    ok,
    trace,
    stats,
  };
}
