import { cpuId, flowId, packetId, threadId, type virtualNs } from '../model/brand.ts';
import type { TraceEvent } from '../model/trace.ts';
import { familyOf } from './config.ts';
import type { TraceLine } from './parse.ts';
import { isWorkloadEntry, type LivePacket, type LiveRecording } from './recording.ts';

/** Turns each tracepoint line into the trace events of the packet it concerns. */
export class PacketEvents {
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
    if (l.event === 'netif_rx_entry' && isWorkloadEntry(this.rec, l.fields)) {
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

  get #inet6(): boolean {
    return familyOf(this.rec.config) === 'inet6';
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
        ...(this.#inet6 ? { family: 'inet6' as const } : {}),
      },
      {
        kind: 'drop',
        atNs,
        pkt: packetId(p.pkt),
        flow: flowId(p.flow),
        where: 'socket',
        reason: 'SOCKET_RCVBUFF',
        counter: this.#inet6 ? 'Udp6.RcvbufErrors' : 'Udp.RcvbufErrors',
        cpu: cpuId(cpu),
      },
    ];
  }
}
