import { assert, type CpuId, cpuId, packetId, type ThreadId, virtualNs } from '../brand.ts';
import { arriveFragment } from '../inet/fragment.ts';
import type { Flow, Packet } from '../packet.ts';
import { isFragment, NO_ENCAP } from '../packet.ts';
import { type BucketTable, bucketOf } from '../rss/buckets.ts';
import { type RssHashConfig, rssHash } from '../rss/flowhash.ts';
import { type HashType, hasBucketAffinity } from '../rss/hashtype.ts';
import { RSS_TABLE_ENTRIES } from '../rss/knobs.ts';
import type { VirtualClock } from '../sim/clock.ts';
import { Fifo } from '../sim/fifo.ts';
import type { KernelCall, KernelStack } from '../sim/kthread.ts';
import type { Actor, ThreadKind } from '../sim/simulator.ts';
import type { StatCounters } from '../stats.ts';
import type { TraceRecorder } from '../trace.ts';
import type { TunWriterState } from './tun.ts';
import { DEFAULT_PAYLOAD_BYTES, type Workload } from './workload.ts';

export interface NicSetup {
  readonly id: ThreadId;
  readonly flows: readonly Flow[];
  readonly workload: Workload;
  readonly rings: readonly RxRing[];
  readonly rss: boolean;
  readonly buckets: BucketTable;
  readonly hashConfig: RssHashConfig;
  readonly rcvifIndex: number;
  readonly trace: TraceRecorder;
  readonly clock: VirtualClock;
  readonly stats: StatCounters;
  /** Called between arrivals: policy ticks and counter snapshots. */
  readonly onArrival: (arrivals: number) => void;
  readonly onSnapshot: () => void;
  /**
   * Arms a wakeup on the virtual clock. A pause must keep the run alive until it ends: without a
   * timer the simulator would see nothing runnable and stop with the rest of the workload unsent.
   */
  readonly wakeAt: (atNs: number) => void;
  /** Where an RSS kernel promises to handle the packet (arrive.bucketCpu); absent: no promise. */
  readonly bucketCpuPromise?:
    | ((flow: Flow, hash: number, hashType: HashType) => CpuId | undefined)
    | undefined;
  /** Variant nic-wrong-rx-ring: the redirection table is indexed with the wrong hash bits. */
  readonly wrongRing?: boolean | undefined;
  /** lagg0's second port: its rings, in the same order, used after a `failover`. */
  readonly standbyRings?: readonly RxRing[] | undefined;
  /** The tun0 writer, present when the workload writes to tun0. */
  readonly tun?: TunWriterState | undefined;
  readonly cpuCount?: number | undefined;
}

/** One receive ring: descriptors filled by the NIC, drained by its interrupt thread. */
export class RxRing {
  readonly index: number;
  readonly cpu: CpuId;
  readonly sizeDescriptors: number;
  readonly packets = new Fifo<Packet>();

  constructor(index: number, cpu: CpuId, sizeDescriptors: number) {
    this.index = index;
    this.cpu = cpu;
    this.sizeDescriptors = sizeDescriptors;
  }
}

/**
 * The NIC: hashes each arriving packet as RSS programmed it, picks the ring through its 128-entry
 * redirection table, and fills the ring. It is on no CPU; the schedule decides when it delivers
 * relative to the threads, and a pause keeps it idle on the virtual clock.
 */
export class Nic implements Actor {
  readonly id: ThreadId;
  readonly name = 'nic';
  readonly kind: ThreadKind = 'nic';
  readonly cpu = undefined;
  readonly #s: NicSetup;
  #cursor = 0;
  #notBeforeNs = 0;
  #arrivals = 0;
  /** ethtool -X: how many rings the redirection table has been rotated by. */
  #rotateRings = 0;
  /** lagg0's active port: 0 the first, 1 the standby. */
  #port = 0;
  /** The active port's rings. */
  #portRings: readonly RxRing[];
  readonly #seqByFlow: number[];

  constructor(setup: NicSetup) {
    this.id = setup.id;
    this.#s = setup;
    this.#seqByFlow = setup.flows.map(() => 0);
    this.#portRings = setup.rings;
  }

  get pendingItems(): number {
    return this.#s.workload.items.length - this.#cursor;
  }

  runnable(): boolean {
    return this.#cursor < this.#s.workload.items.length && this.#s.clock.nowNs >= this.#notBeforeNs;
  }

  step(): void {
    const item = this.#s.workload.items[this.#cursor++];
    assert(item !== undefined, 'sim: the NIC steps only with work left');
    switch (item.kind) {
      case 'pause':
        this.#notBeforeNs = this.#s.clock.nowNs + item.ns;
        this.#s.wakeAt(this.#notBeforeNs);
        return;
      case 'snapshot':
        this.#s.onSnapshot();
        return;
      case 'packet':
        this.#receive(item.flow, item.payloadBytes ?? DEFAULT_PAYLOAD_BYTES, item.fragment, item.via);
        return;
      case 'retable':
        this.#rotateRings = (this.#rotateRings + item.rotateRings) % this.#s.rings.length;
        return;
      case 'failover': {
        const standby = this.#s.standbyRings;
        if (standby === undefined) return;
        this.#port ^= 1;
        this.#portRings = this.#port === 0 ? this.#s.rings : standby;
        return;
      }
      case 'migrate':
        assert(this.#s.tun !== undefined && this.#s.cpuCount !== undefined, 'sim: migrate has a tun0 writer');
        this.#s.tun.cpu = cpuId(item.cpu % this.#s.cpuCount);
        return;
    }
  }

  /** The tun0 writer, present whenever the workload writes to tun0. */
  get #tun(): TunWriterState {
    const tun = this.#s.tun;
    assert(tun !== undefined, 'sim: a tun0 write has a writer');
    return tun;
  }

  /** Moved: the table was rewritten or lagg failed over, so R-6's binding may no longer hold. */
  get #redirected(): boolean {
    return this.#rotateRings !== 0 || this.#port !== 0;
  }

  /** The ring a hash lands on now: the programmed ring, rotated, on the active lagg port. */
  #activeRing(hash: number): RxRing {
    const s = this.#s;
    const programmed = s.wrongRing === true ? this.#wrongRingOf(hash) : this.ringOf(hash);
    const index = (programmed + this.#rotateRings) % s.rings.length;
    const ring = this.#portRings[index];
    assert(ring !== undefined, 'sim: ring index in range');
    return ring;
  }

  /**
   * Ring choice, as drivers program the redirection table: with RSS, entry i holds bucket
   * (i & rss_mask) and the ring is bucket % rings (R-6, ixgbe_initialize_rss_mapping); without it,
   * entries are filled round robin over the rings.
   */
  ringOf(hash: number): number {
    const entry = hash & (RSS_TABLE_ENTRIES - 1);
    const rings = this.#s.rings.length;
    return this.#s.rss ? (entry & this.#s.buckets.bucketMask) % rings : entry % rings;
  }

  /**
   * The ixgbe bug in the RSS blog (flow director and receive units overlapping in NIC memory):
   * packets with a correct flowid land on another ring. Modelled as the table indexed with the
   * high 7 bits of the hash instead of the low 7 (R-6 says low).
   */
  #wrongRingOf(hash: number): number {
    return this.ringOf(hash >>> (32 - 7));
  }

  #receive(flowIndex: number, payloadBytes: number, fragment: Packet['fragment'], via?: 'tun0'): void {
    const s = this.#s;
    const flow = s.flows[flowIndex];
    if (flow === undefined) assert(false, `sim: workload names flow ${flowIndex}`);
    const seq = this.#seqByFlow[flowIndex];
    assert(seq !== undefined, 'sim: a sequence counter per flow');
    this.#seqByFlow[flowIndex] = seq + 1;
    const frag = fragment !== undefined && isFragment({ fragment });
    const header = fragment === undefined ? undefined : arriveFragment(flow, fragment);
    const nicHash = rssHash(flow, frag, s.hashConfig);
    // Without options RSS the driver still hands up the NIC's hash, as an opaque flowid.
    const hashType = s.rss ? nicHash.hashType : 'opaque-hash';
    const ring = via === undefined ? this.#activeRing(nicHash.hash) : undefined;
    const cpu = ring === undefined ? this.#tun.cpu : ring.cpu;
    const pkt: Packet = {
      id: packetId(this.#arrivals),
      flow,
      seq,
      arrivedAtNs: virtualNs(s.clock.nowNs),
      rxRing: ring?.index ?? -1,
      allocCpu: cpu,
      rcvifIndex: s.rcvifIndex,
      fragment,
      payloadBytes,
      encap: NO_ENCAP,
      hash: nicHash.hash,
      hashType,
      netisrSource: 0,
    };
    this.#arrivals++;
    // A moved flow keeps the kernel's promise only where it still lands on its bucket's CPU; a tun0
    // write carries no NIC hash, so there is no promise (the hash stands in for the software one).
    const promise = via === undefined ? s.bucketCpuPromise?.(flow, pkt.hash, hashType) : undefined;
    s.trace.record({
      kind: 'arrive',
      atNs: s.clock.nowNs,
      pkt: pkt.id,
      flow: flow.id,
      seq,
      ring: pkt.rxRing,
      cpu,
      hash: pkt.hash,
      hashType,
      bucket: hasBucketAffinity(hashType) ? bucketOf(s.buckets, pkt.hash) : undefined,
      fragment: frag,
      // Unset fields stay undefined (absent from the trace's JSON): one shape for every arrival.
      bucketCpu: this.#redirected && promise !== cpu ? undefined : promise,
      frag: frag ? header : undefined, // only a real fragment (F-0) records its header
      via,
    });
    if (ring === undefined) this.#tun.writes.push(pkt);
    else if (ring.packets.length >= ring.sizeDescriptors) {
      s.stats.inc('ifi_iqdrops');
      s.trace.record({
        kind: 'drop',
        atNs: s.clock.nowNs,
        pkt: pkt.id,
        flow: flow.id,
        where: 'rx-ring',
        reason: 'no free rx descriptor',
        counter: 'ifi_iqdrops',
        cpu: ring.cpu,
        qlenPackets: ring.packets.length,
        qlimitPackets: ring.sizeDescriptors,
      });
    } else {
      ring.packets.push(pkt);
    }
    s.onArrival(this.#arrivals);
  }
}

/** A ring's interrupt thread (ithread): one packet per step, from the driver into ether input. */
export class InterruptThread implements Actor {
  readonly id: ThreadId;
  readonly name: string;
  readonly kind: ThreadKind = 'ithread';
  readonly cpu: CpuId;
  readonly #ring: RxRing;
  readonly #stack: KernelStack;
  readonly #rxeof: (pkt: Packet, thread: InterruptThread) => KernelCall;

  constructor(ring: RxRing, stack: KernelStack, rxeof: (pkt: Packet, thread: InterruptThread) => KernelCall) {
    this.id = stack.thread;
    this.cpu = ring.cpu;
    this.name = `irq ix0:rxq${ring.index}`;
    this.#ring = ring;
    this.#stack = stack;
    this.#rxeof = rxeof;
  }

  runnable(): boolean {
    return this.#ring.packets.length > 0;
  }

  step(): void {
    const pkt = this.#ring.packets.shift();
    assert(pkt !== undefined, 'sim: an ithread steps only with a packet on its ring');
    this.#stack.execute(this.#rxeof(pkt, this), pkt.id);
  }
}
