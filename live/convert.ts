import { cpuId, flowId, packetId, threadId, virtualNs } from '../model/brand.ts';
import type { Trace, TraceEvent } from '../model/trace.ts';
import { describeLiveConfig } from './config.ts';
import { parseSnmp, parseSoftnetStat, parseTraceLine, type TraceLine } from './parse.ts';
import type { LiveRecording } from './recording.ts';

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

const IPV4 = '0x0800';
/** Thread ids of the live trace: softirq context of CPU c is thread c, the reader is READER. */
const READER_THREAD = 1000;

/** Links tracepoint lines to sent datagrams: the k-th IPv4 netif_rx_entry is the k-th one sent. */
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
    if (l.event === 'netif_rx_entry' && l.fields.protocol === IPV4 && l.fields.dev === rec.device) {
      const sent = rec.sent[packets.length];
      if (sent === undefined) {
        issues.push(`more IPv4 netif_rx_entry events than the ${rec.sent.length} datagrams sent`);
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
 * The recording as the project's Linux trace: a `source` event, then per packet `arrive` (netif_rx),
 * `enqueue` on the backlog of the CPU it was received on or a backlog `drop` (CPU_BACKLOG; the
 * CPU is the one RPS chose, `backlogCpu`), `handle` (netif_receive_skb), a socket `sock-queue`
 * drop (SOCKET_RCVBUFF), `napi-poll` of each backlog NAPI, the reader's `deliver`s, and the
 * counters' before/after difference as the last `counters` event.
 */
export function convertRecording(rec: LiveRecording, backlogCpu: (p: LivePacket) => number): ConvertedRun {
  const { packets, lines, issues } = livePackets(rec);
  const t0 = lines[0]?.atNs ?? 0;
  const out: TraceEvent[] = [
    {
      kind: 'source',
      atNs: virtualNs(0),
      source: 'live',
      kernelRelease: rec.kernelRelease,
      config: describeLiveConfig(rec.config),
    },
  ];
  const byFlowSeq = new Map(packets.map((p) => [`${p.flow}|${p.seq}`, p]));
  const events = new PacketEvents(rec, packets, backlogCpu);
  for (const l of lines) out.push(...events.at(l, virtualNs(l.atNs - t0)));
  const endNs = virtualNs((lines.at(-1)?.atNs ?? t0) - t0 + 1);
  for (const [flow, seq] of rec.read) {
    const p = byFlowSeq.get(`${flow}|${seq}`);
    out.push({
      kind: 'deliver',
      atNs: endNs,
      pkt: packetId(p?.pkt ?? -1),
      flow: flowId(flow),
      seq,
      cpu: cpuId(rec.config.receiverCpu),
      thread: threadId(READER_THREAD),
      layer: 'udp:0',
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
  return stats;
}

/** Turns each tracepoint line into the trace events of the packet it concerns. */
class PacketEvents {
  readonly #bySkb = new Map<string, LivePacket>();
  readonly #pending = new Map<number, number>(); // cpu -> packets in input_pkt_queue (rebuilt)
  readonly #queued = new Map<number, number[]>(); // cpu -> those packets
  readonly #spliced = new Set<number>();
  readonly #inProcess = new Map<number, number>(); // cpu -> spliced packets not yet handled
  #next = 0;

  constructor(
    readonly rec: LiveRecording,
    readonly packets: readonly LivePacket[],
    readonly backlogCpu: (p: LivePacket) => number,
  ) {}

  at(l: TraceLine, atNs: ReturnType<typeof virtualNs>): TraceEvent[] {
    const skb = l.fields.skbaddr ?? '';
    if (l.event === 'netif_rx_entry' && l.fields.protocol === IPV4 && l.fields.dev === this.rec.device) {
      const p = this.packets[this.#next++];
      if (p === undefined) return [];
      this.#bySkb.set(skb, p);
      return this.#entry(p, l, atNs);
    }
    if (l.event === 'netif_receive_skb' && l.fields.dev === this.rec.device) {
      const p = this.#bySkb.get(skb);
      if (p === undefined) return [];
      return this.#receive(p, l.cpu, atNs);
    }
    if (l.event === 'kfree_skb') {
      const p = this.#bySkb.get(skb);
      this.#bySkb.delete(skb);
      if (p === undefined || l.fields.reason !== 'SOCKET_RCVBUFF') return [];
      return this.#socketDrop(p, l.cpu, atNs);
    }
    if (l.event === 'napi_poll' && l.fields.dev === '(no_device)') {
      const work = Number(l.fields.work ?? 0);
      const weight = Number(l.fields.budget ?? 0);
      return [
        {
          kind: 'napi-poll',
          atNs,
          cpu: cpuId(l.cpu),
          thread: threadId(l.cpu),
          napi: 'backlog',
          weight,
          work,
          budgetLeftBeforePackets: weight,
          startNs: atNs,
          completed: work < weight,
        },
      ];
    }
    return [];
  }

  #entry(p: LivePacket, l: TraceLine, atNs: ReturnType<typeof virtualNs>): TraceEvent[] {
    const arrive: TraceEvent = {
      kind: 'arrive',
      atNs,
      pkt: packetId(p.pkt),
      flow: flowId(p.flow),
      seq: p.seq,
      ring: p.rxQueue,
      cpu: cpuId(l.cpu),
      hash: p.hash,
      hashType: 'opaque-hash',
      bucket: undefined,
      fragment: false,
    };
    const limit = this.rec.maxBacklog + 1;
    if (p.dropReason === 'CPU_BACKLOG') {
      const cpu = this.backlogCpu(p);
      const qlen = this.#pending.get(cpu) ?? 0;
      return [
        arrive,
        {
          kind: 'drop',
          atNs,
          pkt: packetId(p.pkt),
          flow: flowId(p.flow),
          where: 'backlog',
          reason: 'CPU_BACKLOG',
          counter: `softnet_cpu${cpu}.dropped`,
          cpu: cpuId(cpu),
          qlenPackets: qlen,
          qlimitPackets: limit,
        },
      ];
    }
    if (p.receiveCpu === undefined) return [arrive];
    const cpu = p.receiveCpu;
    const qlen = this.#pending.get(cpu) ?? 0;
    this.#pending.set(cpu, qlen + 1);
    this.#queued.set(cpu, [...(this.#queued.get(cpu) ?? []), p.pkt]);
    return [
      arrive,
      {
        kind: 'enqueue',
        atNs,
        pkt: packetId(p.pkt),
        proto: 'ip',
        cpu: cpuId(cpu),
        qlenBeforePackets: qlen,
        qlimitPackets: limit,
      },
    ];
  }

  /**
   * process_backlog takes input_pkt_queue whole (a splice) each time its process_queue runs empty
   * (net/core/dev.c). The trace shows no splice: it is placed right after the handle that empties
   * the rebuilt process_queue (the kernel splices then, before its next packet), or before a
   * handle of a packet not yet spliced. Between the two the rebuilt length is an estimate.
   */
  #receive(p: LivePacket, cpu: number, atNs: ReturnType<typeof virtualNs>): TraceEvent[] {
    const out: TraceEvent[] = [];
    if (!this.#spliced.has(p.pkt)) out.push(...this.#splice(cpu, atNs));
    this.#spliced.delete(p.pkt);
    out.push({
      kind: 'handle',
      atNs,
      pkt: packetId(p.pkt),
      flow: flowId(p.flow),
      seq: p.seq,
      proto: 'ip',
      cpu: cpuId(cpu),
      thread: threadId(cpu),
      hash: p.hash,
      hashType: 'opaque-hash',
    });
    const left = (this.#inProcess.get(cpu) ?? 1) - 1;
    this.#inProcess.set(cpu, Math.max(0, left));
    if (left <= 0) out.push(...this.#splice(cpu, atNs));
    return out;
  }

  #splice(cpu: number, atNs: ReturnType<typeof virtualNs>): TraceEvent[] {
    const queued = this.#queued.get(cpu) ?? [];
    if (queued.length === 0) return [];
    for (const q of queued) this.#spliced.add(q);
    this.#inProcess.set(cpu, (this.#inProcess.get(cpu) ?? 0) + queued.length);
    this.#queued.set(cpu, []);
    this.#pending.set(cpu, 0);
    return [
      { kind: 'batch', atNs, proto: 'ip', cpu: cpuId(cpu), thread: threadId(cpu), packets: queued.length },
    ];
  }

  /** sk_rcvbuf: SO_RCVBUF doubled, or net.core.rmem_default (linux-rx.md 4). */
  #rcvbuf(): number {
    return this.rec.config.rcvbufBytes > 0 ? this.rec.config.rcvbufBytes * 2 : 212_992;
  }

  #socketDrop(p: LivePacket, cpu: number, atNs: ReturnType<typeof virtualNs>): TraceEvent[] {
    return [
      {
        kind: 'sock-queue',
        atNs,
        pkt: packetId(p.pkt),
        flow: flowId(p.flow),
        sock: 0,
        cpu: cpuId(cpu),
        // sk_rmem_alloc is not in the tracepoint: the kernel's own test (rmem + truesize > rcvbuf)
        // is taken as what it was; the drop and its counter are what is judged.
        rmemBeforeBytes: this.#rcvbuf(),
        truesizeBytes: p.truesize,
        rcvbufBytes: this.#rcvbuf(),
        outcome: 'dropped',
      },
      {
        kind: 'drop',
        atNs,
        pkt: packetId(p.pkt),
        flow: flowId(p.flow),
        where: 'socket',
        reason: 'SOCKET_RCVBUFF',
        counter: 'Udp.RcvbufErrors',
        cpu: cpuId(cpu),
      },
    ];
  }
}
