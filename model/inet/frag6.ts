import { assert, NS_PER_MS, virtualNs } from '../brand.ts';
import type { Packet } from '../packet.ts';
import type { TimerHandle } from '../sim/timers.ts';
import type { CounterName, DropReason } from '../vocab.ts';
import { IP_MAXPACKET_BYTES, IPV6_FRAGTTL_SLOW_TICKS, PR_SLOWHZ } from './knobs.ts';
import { datagramKey, reassBucketOf } from './reass-key.ts';
import {
  completeLength,
  firstAfter,
  type HeldFragment,
  insertTrimming,
  ReassBuckets,
  type ReassDrop,
  type ReassQueue,
} from './reass-queue.ts';
import {
  queueDrops,
  type ReassEnv,
  type ReassLimits,
  type ReassResult,
  type ReassTable,
} from './reass-types.ts';

export interface Frag6Options {
  /** Variant frag6-overlap-trim: overlaps are trimmed as IPv4 does (no RFC 5722). */
  readonly trimOverlaps?: boolean;
  /** Variant reass-no-fragsperpacket-limit. */
  readonly noFragsPerPacketLimit?: boolean;
}

const DROPPED = 'ip6s_fragdropped';
const TIMEOUT = 'ip6s_fragtimeout';
/** icmp6_error counts every parameter problem it sends (icp6s_error); the fragment goes with it. */
const ICMP6_ERROR = 'icp6s_error';
const SLOWTIMO_NS = (1000 * NS_PER_MS) / PR_SLOWHZ;

/**
 * IPv6 reassembly as sys/netinet6/frag6.c frag6_input does it: a length that is not a multiple of 8
 * on an MF fragment and a datagram beyond 65535 bytes are ICMPv6 parameter problems; zero-length
 * fragments, the global and per-bucket limits, and any overlap drop (RFC 5722, RFC 8200 4.5: an
 * overlap frees the whole queue, an exact duplicate only itself); per-packet limit 64; expiry after
 * IPV6_FRAGTTL (120) frag6_slowtimo ticks of 500 ms. The unfragmentable part is empty here (no
 * extension headers), so the oversize check is the same for every fragment.
 */
export class Frag6 implements ReassTable {
  readonly limits: ReassLimits;
  readonly #table: ReassBuckets;
  readonly #env: ReassEnv;
  readonly #opts: Frag6Options;
  #timer: { readonly handle: TimerHandle; readonly atNs: number } | undefined;
  /** Queues in creation order, which is expiry order (ticks only grow); freed ones are skipped lazily. */
  readonly #byAge: ReassQueue[] = [];
  #oldest = 0;

  constructor(limits: ReassLimits, env: ReassEnv, opts: Frag6Options = {}) {
    this.limits = limits;
    this.#table = new ReassBuckets(limits.hashsize);
    this.#env = env;
    this.#opts = opts;
  }

  get heldFragments(): number {
    return this.#table.fragmentCount;
  }

  get heldQueues(): number {
    return this.#table.queueCount;
  }

  bucketQueues(bucket: number): number {
    return this.#table.bucket(bucket).length;
  }

  input(pkt: Packet): ReassResult {
    const f = pkt.fragment;
    assert(f !== undefined, 'F-0: frag6_input takes fragments only');
    const { stats } = this.#env;
    const lim = this.limits;
    const drop = (counter: CounterName, reason: DropReason): ReassResult => {
      stats.inc(counter);
      return { kind: 'dropped', drops: [{ pkt, counter, reason }], steps: 1 };
    };
    if (f.moreFragments && f.lengthBytes % 8 !== 0) {
      stats.inc('ifs6_reass_fail');
      return drop(ICMP6_ERROR, 'fragment length not a multiple of 8');
    }
    stats.inc('ip6s_fragments');
    if (f.lengthBytes === 0) return drop(DROPPED, 'zero-length fragment');
    if (lim.maxfrags >= 0 && this.heldFragments >= lim.maxfrags) return drop(DROPPED, 'maxfrags reached');
    const offsetBytes = f.offsetBytes & ~7;
    const frag: HeldFragment = {
      pkt,
      offsetBytes,
      lengthBytes: f.lengthBytes,
      moreFragments: f.moreFragments,
    };
    const key = datagramKey(pkt.flow, f);
    const bucket = reassBucketOf(key, lim.hashSeed, lim.hashsize);
    const found = this.#table.find(bucket, key);
    if (offsetBytes + f.lengthBytes > IP_MAXPACKET_BYTES)
      return drop(ICMP6_ERROR, 'reassembled datagram would exceed 65535');
    if (found.queue === undefined) {
      const full =
        lim.maxfragpackets >= 0 &&
        ((lim.maxfragbucketsize >= 0 && this.bucketQueues(bucket) >= lim.maxfragbucketsize) ||
          this.heldQueues >= lim.maxfragpackets);
      if (full) return drop(DROPPED, 'no reassembly queue');
      const queue = this.#table.create(bucket, key, this.#expiryNs(), frag);
      this.#byAge.push(queue);
      // A no-op unless this is the only queue: a younger one never moves the earliest expiry.
      this.#arm();
      return { kind: 'held', queue, frag, drops: [], steps: found.steps };
    }
    return this.#join(found.queue, frag, found.steps);
  }

  #join(queue: ReassQueue, frag: HeldFragment, steps: number): ReassResult {
    const { stats } = this.#env;
    const before = queue.frags.length;
    let drops: ReassDrop[] = [];
    let walked = steps;
    if (this.#opts.trimOverlaps === true) {
      const placed = insertTrimming(queue.frags, frag, DROPPED);
      walked += placed.steps;
      drops = placed.dropped;
      if (drops.length > 0) stats.inc(DROPPED, drops.length);
      this.#table.fragmentCount += queue.frags.length - before;
      if (!placed.held) return { kind: 'dropped', drops, steps: walked };
    } else {
      const overlap = this.#overlap(queue, frag);
      walked += overlap.steps;
      if (overlap.result !== undefined) return { ...overlap.result, steps: walked };
      queue.frags.splice(overlap.at, 0, frag);
      this.#table.fragmentCount++;
    }
    walked += queue.frags.length;
    const payloadBytes = completeLength(queue.frags);
    if (payloadBytes === undefined) {
      if (queue.frags.length > this.limits.maxfragsperpacket && this.#opts.noFragsPerPacketLimit !== true) {
        stats.inc(DROPPED, queue.frags.length);
        return {
          kind: 'dropped',
          drops: [...drops, ...this.#free(queue, DROPPED, 'more than maxfragsperpacket')],
          steps: walked,
        };
      }
      return { kind: 'held', queue, frag, drops, steps: walked };
    }
    this.#table.remove(queue);
    this.#arm();
    stats.inc('ip6s_reassembled');
    return { kind: 'complete', queue, pieces: queue.frags, payloadBytes, drops, steps: walked };
  }

  /**
   * RFC 5722 (frag6_input): an overlap with the fragment before or after frees the whole queue;
   * an exact duplicate drops only itself. The queue's fragments are freed without an ip6stat
   * counter in the kernel; the model counts them in ip6s_fragdropped so none goes uncounted.
   */
  #overlap(queue: ReassQueue, frag: HeldFragment): { at: number; steps: number; result?: ReassResult } {
    const at = firstAfter(queue.frags, frag.offsetBytes);
    const steps = at + 1;
    const end = frag.offsetBytes + frag.lengthBytes;
    const prev = queue.frags[at - 1];
    const next = queue.frags[at];
    const hit =
      prev !== undefined && prev.offsetBytes + prev.lengthBytes > frag.offsetBytes
        ? prev
        : next !== undefined && end > next.offsetBytes
          ? next
          : undefined;
    if (hit === undefined) return { at, steps };
    const duplicate = hit.offsetBytes === frag.offsetBytes && hit.lengthBytes === frag.lengthBytes;
    this.#env.stats.inc(DROPPED);
    const self: ReassDrop = {
      pkt: frag.pkt,
      counter: DROPPED,
      reason: duplicate ? 'duplicate fragment' : 'overlapping fragment (RFC 5722)',
    };
    if (duplicate) return { at, steps, result: { kind: 'dropped', drops: [self], steps } };
    this.#env.stats.inc(DROPPED, queue.frags.length);
    const freed = this.#free(queue, DROPPED, 'datagram with overlapping fragments (RFC 5722)');
    return { at, steps, result: { kind: 'dropped', drops: [...freed, self], steps } };
  }

  #free(queue: ReassQueue, counter: CounterName, reason: DropReason): ReassDrop[] {
    const drops = queueDrops(queue, counter, reason);
    this.#table.remove(queue);
    this.#arm();
    return drops;
  }

  /** ip6q_ttl = IPV6_FRAGTTL slowtimo ticks; ticks run every 500 ms from boot. */
  #expiryNs(): number {
    const tick = Math.floor(this.#env.nowNs() / SLOWTIMO_NS);
    return (tick + IPV6_FRAGTTL_SLOW_TICKS) * SLOWTIMO_NS;
  }

  /**
   * frag6_slowtimo runs every tick in the kernel; the model arms one timer for the earliest
   * expiry instead (the ticks in between change nothing), so an idle run still ends.
   */
  #arm(): void {
    const earliest = this.#oldestAlive()?.expire;
    if (this.#timer !== undefined && this.#timer.atNs === earliest) return;
    if (this.#timer !== undefined) this.#env.timers.cancel(this.#timer.handle);
    this.#timer = undefined;
    if (earliest === undefined) return;
    const atNs = earliest;
    this.#timer = { handle: this.#env.timers.arm(virtualNs(atNs), () => this.#slowtimo(atNs)), atNs };
  }

  /** The live queue created first, dropping freed ones from the front of #byAge. */
  #oldestAlive(): ReassQueue | undefined {
    for (let q = this.#byAge[this.#oldest]; q !== undefined; q = this.#byAge[this.#oldest]) {
      if (this.#table.holds(q)) return q;
      this.#oldest++;
    }
    this.#byAge.length = 0;
    this.#oldest = 0;
    return undefined;
  }

  #slowtimo(atNs: number): void {
    this.#timer = undefined;
    const drops: ReassDrop[] = [];
    for (let q = this.#oldestAlive(); q !== undefined && q.expire <= atNs; q = this.#oldestAlive()) {
      this.#env.stats.inc(TIMEOUT, q.frags.length);
      drops.push(...queueDrops(q, TIMEOUT, 'reassembly timeout'));
      this.#table.remove(q);
    }
    this.#arm();
    // Never empty: the timer is always moved to the oldest live queue's expiry.
    this.#env.onExpired(drops);
  }
}
