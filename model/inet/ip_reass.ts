import { assert, NS_PER_SECOND, virtualNs } from '../brand.ts';
import type { Packet } from '../packet.ts';
import type { TimerHandle } from '../sim/timers.ts';
import type { DropReason } from '../vocab.ts';
import { IP_HEADER_BYTES, IP_MAXPACKET_BYTES } from './knobs.ts';
import { datagramKey, reassBucketOf } from './reass-key.ts';
import {
  completeLength,
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

export interface IpReassLimits extends ReassLimits {
  /** net.inet.ip.fragttl, seconds (F-21). */
  readonly fragttlSeconds: number;
}

export interface IpReassOptions {
  /** Variant reass-key-without-proto: the queue match forgets ip_p (breaks F-2). */
  readonly keyWithoutProto?: boolean;
  /** Variant reass-no-fragsperpacket-limit: F-17 is not enforced (before FragmentSmack). */
  readonly noFragsPerPacketLimit?: boolean;
}

const DROPPED = 'ips_fragdropped';
const TIMEOUT = 'ips_fragtimeout';

/**
 * IPv4 reassembly as sys/netinet/ip_reass.c ip_reass does it (reference notes section 6, version
 * (b)): admission (F-3..F-6), queue lookup or creation with per-bucket and zone limits and reuse of
 * the oldest queue (F-7, F-8), last-fragment sanity (F-9), overlap trimming (F-11..F-15),
 * completion and the per-packet limit (F-16..F-19), and per-bucket expiry callouts (F-21).
 * ECN (F-10) is not modelled: the model's packets carry no TOS.
 */
export class IpReass implements ReassTable {
  readonly limits: IpReassLimits;
  readonly #table: ReassBuckets;
  readonly #env: ReassEnv;
  readonly #opts: IpReassOptions;
  readonly #callouts = new Map<number, TimerHandle>();

  constructor(limits: IpReassLimits, env: ReassEnv, opts: IpReassOptions = {}) {
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
    assert(f !== undefined, 'F-0: ip_reass takes fragments only');
    const { stats } = this.#env;
    const lim = this.limits;
    const drop = (reason: DropReason): ReassResult => ({
      kind: 'dropped',
      drops: [{ pkt, counter: DROPPED, reason }],
      steps: 1,
    });
    // F-3: reassembly off, no fragments allowed per packet, or the global cap reached.
    if (
      lim.maxfragpackets === 0 ||
      lim.maxfragsperpacket === 0 ||
      (lim.maxfrags >= 0 && this.heldFragments >= lim.maxfrags)
    ) {
      stats.inc('ips_fragments');
      stats.inc(DROPPED);
      return drop('reassembly off or maxfrags reached');
    }
    // F-4: empty, or an MF fragment whose length is not a multiple of 8.
    if (f.lengthBytes === 0 || (f.moreFragments && f.lengthBytes % 8 !== 0)) {
      stats.inc('ips_toosmall');
      stats.inc(DROPPED);
      return drop('fragment too small');
    }
    // ip_off carries 8-byte units: a byte offset the header cannot say is rounded down.
    const offsetBytes = f.offsetBytes & ~7;
    // F-5: the fragment must lie within a datagram of valid size.
    if (offsetBytes + f.lengthBytes > IP_MAXPACKET_BYTES) {
      stats.inc('ips_toolong');
      stats.inc(DROPPED);
      return drop('fragment beyond 65535');
    }
    stats.inc('ips_fragments'); // F-6
    const frag: HeldFragment = {
      pkt,
      offsetBytes,
      lengthBytes: f.lengthBytes,
      moreFragments: f.moreFragments,
    };
    const key = datagramKey(pkt.flow, f, this.#opts.keyWithoutProto === true);
    const bucket = reassBucketOf(key, lim.hashSeed, lim.hashsize);
    const found = this.#table.find(bucket, key);
    if (found.queue === undefined) return this.#create(bucket, key, frag, found.steps);
    return this.#join(found.queue, frag, found.steps);
  }

  /** F-7, F-8: a new queue, from the zone or by reusing the oldest queue (counted as timeouts). */
  #create(
    bucket: number,
    key: ReturnType<typeof datagramKey>,
    frag: HeldFragment,
    steps: number,
  ): ReassResult {
    const lim = this.limits;
    const drops: ReassDrop[] = [];
    const bucketRoom = lim.maxfragbucketsize < 0 || this.bucketQueues(bucket) < lim.maxfragbucketsize;
    const zoneRoom = lim.maxfragpackets < 0 || this.heldQueues < lim.maxfragpackets;
    if (!(bucketRoom && zoneRoom)) {
      const reused = this.#reuse(bucket);
      if (reused === undefined) {
        this.#env.stats.inc(DROPPED);
        return {
          kind: 'dropped',
          drops: [{ pkt: frag.pkt, counter: DROPPED, reason: 'no reassembly queue' }],
          steps,
        };
      }
      drops.push(...reused);
      steps++;
    }
    const uptime = Math.floor(this.#env.nowNs() / NS_PER_SECOND);
    const queue = this.#table.create(bucket, key, uptime + lim.fragttlSeconds, frag);
    // The callout is armed when the bucket's oldest queue is this one (ip_reass: fp == TAILQ_LAST).
    if (this.#table.oldest(bucket) === queue) this.#armCallout(bucket, lim.fragttlSeconds);
    return { kind: 'held', queue, frag, drops, steps };
  }

  /** ipq_reuse: the oldest queue of this bucket, or of the next non-empty one. */
  #reuse(start: number): ReassDrop[] | undefined {
    for (let i = 0; i < this.limits.hashsize; i++) {
      const bucket = (start + i) % this.limits.hashsize;
      const victim = this.#table.oldest(bucket);
      if (victim === undefined) continue;
      this.#env.stats.inc(TIMEOUT, victim.frags.length);
      const drops = queueDrops(victim, TIMEOUT, 'queue reused for a new datagram');
      this.#table.remove(victim);
      this.#reschedule(bucket);
      return drops;
    }
    return undefined;
  }

  /** F-9 .. F-19 for a fragment of a datagram already queued. */
  #join(queue: ReassQueue, frag: HeldFragment, steps: number): ReassResult {
    const { stats } = this.#env;
    const end = frag.offsetBytes + frag.lengthBytes;
    if (queue.maxoffBytes > 0) {
      if (
        (frag.moreFragments && end >= queue.maxoffBytes) ||
        (!frag.moreFragments && end !== queue.maxoffBytes)
      ) {
        stats.inc(DROPPED);
        return {
          kind: 'dropped',
          drops: [{ pkt: frag.pkt, counter: DROPPED, reason: 'beyond the last fragment' }],
          steps,
        };
      }
    } else if (!frag.moreFragments) {
      queue.maxoffBytes = end;
    }
    const before = queue.frags.length;
    const placed = insertTrimming(queue.frags, frag, DROPPED);
    const walked = steps + placed.steps + queue.frags.length;
    this.#table.fragmentCount += queue.frags.length - before;
    if (placed.dropped.length > 0) stats.inc(DROPPED, placed.dropped.length);
    if (!placed.held) return { kind: 'dropped', drops: placed.dropped, steps: walked };
    const payloadBytes = completeLength(queue.frags);
    if (payloadBytes === undefined) {
      const limit = this.limits.maxfragsperpacket;
      if (queue.frags.length > limit && this.#opts.noFragsPerPacketLimit !== true) {
        return {
          kind: 'dropped',
          drops: [...placed.dropped, ...this.#drop(queue, 'more than maxfragsperpacket')],
          steps: walked,
        };
      }
      return { kind: 'held', queue, frag, drops: placed.dropped, steps: walked };
    }
    if (payloadBytes + IP_HEADER_BYTES > IP_MAXPACKET_BYTES) {
      stats.inc('ips_toolong'); // F-18
      return {
        kind: 'dropped',
        drops: [...placed.dropped, ...this.#drop(queue, 'reassembled datagram beyond 65535')],
        steps: walked,
      };
    }
    this.#table.remove(queue);
    this.#reschedule(queue.bucket);
    stats.inc('ips_reassembled');
    return {
      kind: 'complete',
      queue,
      pieces: queue.frags,
      payloadBytes,
      drops: placed.dropped,
      steps: walked,
    };
  }

  /** ipq_drop: every fragment of the queue counts in ips_fragdropped. */
  #drop(queue: ReassQueue, reason: DropReason): ReassDrop[] {
    this.#env.stats.inc(DROPPED, queue.frags.length);
    const drops = queueDrops(queue, DROPPED, reason);
    this.#table.remove(queue);
    this.#reschedule(queue.bucket);
    return drops;
  }

  #armCallout(bucket: number, seconds: number): void {
    const old = this.#callouts.get(bucket);
    if (old !== undefined) this.#env.timers.cancel(old);
    const at = virtualNs(this.#env.nowNs() + seconds * NS_PER_SECOND);
    this.#callouts.set(
      bucket,
      this.#env.timers.arm(at, () => this.#callout(bucket)),
    );
  }

  /** ipreass_reschedule: re-arm for the oldest queue (at least 1 s away), or stop. */
  #reschedule(bucket: number): void {
    const oldest = this.#table.oldest(bucket);
    if (oldest === undefined) {
      const old = this.#callouts.get(bucket);
      if (old !== undefined) this.#env.timers.cancel(old);
      this.#callouts.delete(bucket);
      return;
    }
    const uptime = Math.floor(this.#env.nowNs() / NS_PER_SECOND);
    this.#armCallout(bucket, Math.max(oldest.expire - uptime, 1));
  }

  /** ipreass_callout (F-21): frees every queue whose expiry has come, oldest first. */
  #callout(bucket: number): void {
    this.#callouts.delete(bucket);
    const uptime = Math.floor(this.#env.nowNs() / NS_PER_SECOND);
    const drops: ReassDrop[] = [];
    for (
      let q = this.#table.oldest(bucket);
      q !== undefined && q.expire <= uptime;
      q = this.#table.oldest(bucket)
    ) {
      this.#env.stats.inc(TIMEOUT, q.frags.length);
      drops.push(...queueDrops(q, TIMEOUT, 'reassembly timeout'));
      this.#table.remove(q);
    }
    this.#reschedule(bucket);
    // Never empty: the callout is always armed no earlier than its bucket's oldest expiry.
    this.#env.onExpired(drops);
  }
}
