import { assert, type CpuId, cpuId, packetId, virtualNs } from '../brand.ts';
import type { ThreadRef } from '../netisr/setup.ts';
import { NO_ENCAP, type Packet } from '../packet.ts';
import { type BucketTable, bucketOf } from '../rss/buckets.ts';
import { type RssHashConfig, rssHash, rssHashTrusted } from '../rss/flowhash.ts';
import { hasBucketAffinity } from '../rss/hashtype.ts';
import type { VirtualClock } from '../sim/clock.ts';
import type { KernelCall } from '../sim/kthread.ts';
import type { StatCounters } from '../stats.ts';
import type { TraceRecorder } from '../trace.ts';
import type { ModelVariant } from '../variants.ts';
import type { NetisrProtoName } from '../vocab.ts';
import { Frag6 } from './frag6.ts';
import { deliverCall } from './ip_input.ts';
import { IpReass } from './ip_reass.ts';
import { DIGEST_START, datagramDigest, digestBytes } from './payload.ts';
import { type InetSysctls, ip6ReassLimits, ipReassLimits } from './reass-limits.ts';
import type { HeldFragment, ReassDrop, ReassQueue } from './reass-queue.ts';
import type { ReassResult, ReassTable, ReassTimers } from './reass-types.ts';
import type { RssPromise } from './rss-promise.ts';

/**
 * Reassembled datagrams are new packets (ip_reass returns another mbuf chain); their ids start
 * here so that they never collide with the NIC's arrival ids.
 */
export const DATAGRAM_ID_BASE = 1_000_000_000;

/** Callouts run on the boot CPU (callout_init_mtx without a CPU binding). */
const CALLOUT_CPU: CpuId = cpuId(0);

export interface ReassemblySetup {
  readonly trace: TraceRecorder;
  readonly clock: VirtualClock;
  readonly stats: StatCounters;
  readonly frameBytes: (frame: string) => number;
  readonly timers: ReassTimers;
  readonly sysctl: InetSysctls;
  readonly variants: ReadonlySet<ModelVariant>;
  /** A kernel with options RSS: rehash and re-inject (F-26, F-27); without, go up inline (F-28). */
  readonly rss: boolean;
  readonly hashConfig: RssHashConfig;
  readonly buckets: BucketTable;
  readonly promise: RssPromise;
  /** The registered direct protocol for a family (ip_direct, ip6_direct), if any. */
  readonly directProto: (family: 'inet' | 'inet6') => NetisrProtoName | undefined;
  /** netisr_dispatch(proto, m) from the reassembling thread. */
  readonly dispatch: (proto: NetisrProtoName, pkt: Packet, thread: ThreadRef) => KernelCall;
}

/**
 * ip_reass / frag6_input wired into the host: the tables of both families, the trace events for
 * every fragment (frag-hold, drop with its counter, reassembled), and what becomes of a completed
 * datagram: with RSS, a software rehash over the tuple its protocol calls for and re-injection
 * through netisr to that bucket's CPU; without, the upper layer inline.
 */
export class Reassembly {
  readonly ip: IpReass;
  readonly ip6: Frag6;
  readonly #s: ReassemblySetup;
  #datagrams = 0;

  constructor(setup: ReassemblySetup) {
    this.#s = setup;
    const env = {
      stats: setup.stats,
      nowNs: () => setup.clock.nowNs,
      timers: setup.timers,
      onExpired: (drops: readonly ReassDrop[]) => this.#recordDrops(drops, CALLOUT_CPU),
    };
    const noLimit = setup.variants.has('reass-no-fragsperpacket-limit');
    this.ip = new IpReass(ipReassLimits(setup.sysctl), env, {
      keyWithoutProto: setup.variants.has('reass-key-without-proto'),
      noFragsPerPacketLimit: noLimit,
    });
    this.ip6 = new Frag6(ip6ReassLimits(setup.sysctl), env, {
      trimOverlaps: setup.variants.has('frag6-overlap-trim'),
      noFragsPerPacketLimit: noLimit,
    });
  }

  /** The `reassemble` hook of ip_input / ip6_input. */
  reassemble(pkt: Packet, thread: ThreadRef): readonly KernelCall[] {
    const v4 = pkt.flow.family === 'inet';
    const frame = v4 ? 'ip_reass' : 'frag6_input';
    return [{ frame, frameBytes: this.#s.frameBytes(frame), run: () => this.#input(pkt, thread) }];
  }

  #input(pkt: Packet, thread: ThreadRef): readonly KernelCall[] {
    const table: ReassTable = pkt.flow.family === 'inet' ? this.ip : this.ip6;
    const result = table.input(pkt);
    this.#recordDrops(result.drops, thread.cpu);
    if (result.kind === 'held') this.#recordHold(pkt, thread, table, result);
    if (result.kind !== 'complete') return [];
    return this.#completed(pkt, thread, result);
  }

  #recordDrops(drops: readonly ReassDrop[], cpu: CpuId): void {
    for (const d of drops) {
      this.#s.trace.record({
        kind: 'drop',
        atNs: this.#s.clock.nowNs,
        pkt: d.pkt.id,
        flow: d.pkt.flow.id,
        where: 'reassembly',
        reason: d.reason,
        counter: d.counter,
        cpu,
      });
    }
  }

  #recordHold(
    pkt: Packet,
    thread: ThreadRef,
    table: ReassTable,
    result: Extract<ReassResult, { kind: 'held' }>,
  ): void {
    const { queue, frag } = result;
    const family = pkt.flow.family;
    const hash2 = pkt.flow.hash2Tuple;
    const type2 = family === 'inet' ? 'rss-ipv4' : 'rss-ipv6';
    const lim = table.limits;
    this.#s.trace.record({
      kind: 'frag-hold',
      atNs: this.#s.clock.nowNs,
      pkt: pkt.id,
      flow: pkt.flow.id,
      datagram: queue.keyText,
      cpu: thread.cpu,
      bucket: this.#s.rss ? bucketOf(this.#s.buckets, hash2) : undefined,
      bucketCpu: this.#s.promise.arrival(family, hash2, type2),
      offsetBytes: frag.offsetBytes,
      lengthBytes: frag.lengthBytes,
      heldFragments: table.heldFragments,
      heldFragmentsMax: lim.maxfrags,
      queueFragments: queue.frags.length,
      queueFragmentsMax: lim.maxfragsperpacket,
      reassBucket: queue.bucket,
      reassBucketQueues: table.bucketQueues(queue.bucket),
      reassBucketQueuesMax: lim.maxfragbucketsize,
      workSteps: result.steps,
      family,
      heldQueues: table.heldQueues,
      heldQueuesMax: lim.maxfragpackets,
    });
  }

  /** F-19 .. F-28: the new datagram, its rehash, and where it goes on. */
  #completed(
    last: Packet,
    thread: ThreadRef,
    result: Extract<ReassResult, { kind: 'complete' }>,
  ): readonly KernelCall[] {
    const s = this.#s;
    const head = headOf(result.pieces);
    const family = last.flow.family;
    const dgram: Packet = {
      id: packetId(DATAGRAM_ID_BASE + this.#datagrams++),
      flow: head.flow,
      seq: last.seq,
      arrivedAtNs: virtualNs(s.clock.nowNs),
      rxRing: head.rxRing,
      allocCpu: head.allocCpu,
      rcvifIndex: last.rcvifIndex,
      fragment: undefined,
      payloadBytes: result.payloadBytes,
      encap: NO_ENCAP,
      hash: head.hash,
      hashType: head.hashType,
      netisrSource: 0,
    };
    const direct = s.directProto(family);
    // F-27: the protocol the datagram is re-injected through; none means up inline (F-28).
    const reinject = s.rss && !s.variants.has('reass-no-reinject') ? direct : undefined;
    // F-26: rss_mbuf_software_hash_v4 keeps the head's hash if it is the type the tuple calls for.
    if (s.rss && !rssHashTrusted(dgram.flow, false, dgram.hashType, s.hashConfig)) {
      const soft = rssHash(dgram.flow, false, s.hashConfig);
      dgram.hash = soft.hash;
      dgram.hashType = soft.hashType;
    }
    const affinity = s.rss && hasBucketAffinity(dgram.hashType);
    s.trace.record({
      kind: 'reassembled',
      atNs: s.clock.nowNs,
      pkt: dgram.id,
      flow: dgram.flow.id,
      datagram: result.queue.keyText,
      cpu: thread.cpu,
      fragments: result.pieces.map((p) => p.pkt.id),
      payloadBytes: result.payloadBytes,
      payloadDigest: digestOf(result.queue),
      seq: dgram.seq,
      fullHash: dgram.hash,
      fullBucket: affinity ? bucketOf(s.buckets, dgram.hash) : undefined,
      // The kernel's promise, whatever this model variant then does with the datagram.
      fullBucketCpu: s.promise.direct(direct, dgram.hash, dgram.hashType),
      continuation: reinject !== undefined ? 'reinject' : 'inline',
      family,
      fullHashType: dgram.hashType,
      pieces: result.pieces.map((p) => ({
        pkt: p.pkt.id,
        offsetBytes: p.offsetBytes,
        lengthBytes: p.lengthBytes,
      })),
    });
    if (reinject !== undefined) return [s.dispatch(reinject, dgram, thread)];
    // F-28: ip_input goes on with the datagram in the same context.
    s.stats.inc(family === 'inet' ? 'ips_delivered' : 'ip6s_delivered');
    return [
      deliverCall(
        { trace: s.trace, clock: s.clock, stats: s.stats, frameBytes: s.frameBytes },
        dgram,
        thread,
      ),
    ];
  }
}

/** F-19: the new datagram's header (ring, hash, allocating CPU) is the offset-0 fragment's. */
function headOf(pieces: readonly HeldFragment[]): Packet {
  const [first] = pieces;
  assert(first !== undefined, 'F-16: a completed datagram has pieces');
  return first.pkt;
}

/**
 * FNV-1a over the bytes each piece carries, in offset order: what the upper layer receives. The
 * sender's bytes end to end (the usual completion) are its datagram's digest, already worked out
 * when the fragments arrived.
 */
function digestOf(queue: ReassQueue): number {
  const { frags } = queue;
  const { ipId } = queue.key;
  const flow = frags[0]?.pkt.flow.id;
  let end = 0;
  const sendersBytes = frags.every((f) => {
    const next =
      f.offsetBytes === end && (f.pkt.fragment?.contentVersion ?? 0) === 0 && f.pkt.flow.id === flow;
    end += f.lengthBytes;
    return next;
  });
  if (flow !== undefined && sendersBytes) return datagramDigest(flow, ipId, end);
  let h = DIGEST_START;
  for (const f of frags)
    h = digestBytes(
      h,
      f.pkt.flow.id,
      ipId,
      f.pkt.fragment?.contentVersion ?? 0,
      f.offsetBytes,
      f.lengthBytes,
    );
  return h >>> 0;
}
