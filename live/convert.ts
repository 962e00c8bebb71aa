import { cpuId, flowId, packetId, threadId, virtualNs } from '../model/brand.ts';
import { closestModelledKernel, linuxRuleNames } from '../model/kernels.ts';
import { DEFAULT_LINUX_KERNEL, isLinuxKernel, type LinuxKernel } from '../model/linux/versions.ts';
import type { Trace, TraceEvent } from '../model/trace.ts';
import { describeLiveConfig, familyOf } from './config.ts';
import { PacketEvents } from './packet-events.ts';
import { parseSnmp, parseSnmp6, parseSoftnetStat, parseTraceLine, type TraceLine } from './parse.ts';
import { isWorkloadEntry, type LivePacket, type LiveRecording } from './recording.ts';

export type { LivePacket };

/** Thread ids of the live trace: softirq context of CPU c is thread c, the reader is READER. */
const READER_THREAD = 1000;

/** Links tracepoint lines to sent datagrams: the k-th workload netif_rx_entry is the k-th one sent. */
export function livePackets(rec: LiveRecording): {
  packets: LivePacket[];
  lines: TraceLine[];
  issues: string[];
} {
  const lines = rec.traceLines.map(parseTraceLine).filter((l): l is TraceLine => l !== undefined);
  const packets: LivePacket[] = [];
  const bySkb = new Map<string, LivePacket>();
  const issues: string[] = [];
  for (const l of lines) {
    const skb = l.fields.skbaddr ?? '';
    if (l.event === 'netif_rx_entry' && isWorkloadEntry(rec, l.fields)) {
      const sent = rec.sent[packets.length];
      if (sent === undefined) {
        issues.push(`more netif_rx_entry events of the workload than the ${rec.sent.length} datagrams sent`);
        break;
      }
      const qm = Number(l.fields.queue_mapping ?? 0);
      const p: LivePacket = {
        pkt: packets.length,
        flow: sent[0],
        seq: sent[1],
        hash: Number.parseInt(l.fields.hash ?? '0', 16) >>> 0,
        rxQueue: qm > 0 ? qm - 1 : 0,
        entryCpu: l.cpu,
        truesize: Number(l.fields.truesize ?? 0),
        receiveCpu: undefined,
        dropReason: undefined,
      };
      packets.push(p);
      bySkb.set(skb, p);
    } else if (l.event === 'netif_receive_skb' && l.fields.dev === rec.device) {
      const p = bySkb.get(skb);
      if (p !== undefined && p.receiveCpu === undefined) p.receiveCpu = l.cpu;
    } else if (l.event === 'kfree_skb') {
      const p = bySkb.get(skb);
      if (p !== undefined && p.dropReason === undefined) p.dropReason = l.fields.reason ?? 'NOT_SPECIFIED';
      bySkb.delete(skb);
    }
  }
  if (packets.length < rec.sent.length)
    issues.push(`${rec.sent.length} datagrams sent but ${packets.length} reached ${rec.device}`);
  return { packets, lines, issues };
}

export interface ConvertedRun {
  readonly trace: Trace;
  readonly packets: readonly LivePacket[];
  readonly issues: readonly string[];
}

/**
 * The recording as the project's Linux trace: a `kernel` event (source `live`, the release, the
 * modelled version closest to it and its rules), then per packet `arrive` (netif_rx),
 * `enqueue` on the backlog of the CPU it was received on or a backlog `drop` (CPU_BACKLOG; the
 * CPU is the one RPS chose, `backlogCpu`), `handle` (netif_receive_skb), a socket `sock-queue`
 * drop (SOCKET_RCVBUFF), `napi-poll` of each backlog NAPI, the reader's `deliver`s, and the
 * counters' before/after difference as the last `counters` event.
 */
export function convertRecording(rec: LiveRecording, backlogCpu: (p: LivePacket) => number): ConvertedRun {
  const modelledVersion = closestLinuxVersion(rec.kernelRelease);
  const { packets, lines, issues } = livePackets(rec);
  const t0 = lines[0]?.atNs ?? 0;
  const out: TraceEvent[] = [
    {
      kind: 'kernel',
      atNs: virtualNs(0),
      source: 'live',
      release: rec.kernelRelease,
      setup: describeLiveConfig(rec.config),
      os: 'linux',
      version: modelledVersion,
      rules: linuxRuleNames(modelledVersion),
    },
  ];
  const byFlowSeq = new Map(packets.map((p) => [`${p.flow}|${p.seq}`, p]));
  const events = new PacketEvents(rec, packets, backlogCpu);
  for (const l of lines) out.push(...events.at(l, virtualNs(l.atNs - t0)));
  const endNs = virtualNs((lines.at(-1)?.atNs ?? t0) - t0 + 1);
  for (const [flow, seq] of rec.read) {
    const p = byFlowSeq.get(`${flow}|${seq}`);
    // A read whose arrival the trace lost (an overrun buffer) names no packet: said, not judged.
    if (p === undefined) {
      issues.push(`read of flow ${flow} seq ${seq} has no traced arrival`);
      continue;
    }
    out.push({
      kind: 'deliver',
      atNs: endNs,
      pkt: packetId(p.pkt),
      flow: flowId(flow),
      seq,
      cpu: cpuId(rec.config.receiverCpu),
      thread: threadId(READER_THREAD),
      layer: familyOf(rec.config) === 'inet6' ? 'udp6:0' : 'udp:0',
    });
  }
  out.push({ kind: 'counters', atNs: endNs, quiescent: true, netisr: [], stats: counterDelta(rec) });
  out.push({
    kind: 'end',
    atNs: endNs,
    outcome: 'quiescent',
    steps: lines.length,
    busyCpus: [],
    pendingPackets: 0,
  });
  return { trace: out, packets, issues };
}

/** Counter deltas under the names the Linux checkers read. */
export function counterDelta(rec: LiveRecording): Record<string, number> {
  const stats: Record<string, number> = {};
  const b = parseSoftnetStat(rec.softnetBefore);
  for (const [cpu, a] of parseSoftnetStat(rec.softnetAfter)) {
    const was = b.get(cpu);
    stats[`softnet_cpu${cpu}.dropped`] = (a.dropped - (was?.dropped ?? 0)) >>> 0;
    stats[`softnet_cpu${cpu}.flow_limit_count`] = (a.flowLimitCount - (was?.flowLimitCount ?? 0)) >>> 0;
    stats[`softnet_cpu${cpu}.processed`] = (a.processed - (was?.processed ?? 0)) >>> 0;
  }
  const sb = parseSnmp(rec.snmpBefore);
  for (const [name, v] of parseSnmp(rec.snmpAfter))
    if (name.startsWith('Udp.')) stats[name] = v - (sb.get(name) ?? 0);
  if (rec.snmp6Before !== undefined && rec.snmp6After !== undefined) {
    const b6 = parseSnmp6(rec.snmp6Before);
    for (const [name, v] of parseSnmp6(rec.snmp6After))
      if (name.startsWith('Udp6.')) stats[name] = v - (b6.get(name) ?? 0);
  }
  return stats;
}

/** The modelled Linux version closest to a running release (model/kernels.ts); the default if none fits. */
export function closestLinuxVersion(release: string): LinuxKernel {
  const pick = closestModelledKernel(release);
  return pick.ok && isLinuxKernel(pick.value.kernel) ? pick.value.kernel : DEFAULT_LINUX_KERNEL;
}
