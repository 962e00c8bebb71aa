import { assert } from '../brand.ts';
import type { Packet } from '../packet.ts';
import type { CounterName, DropReason } from '../vocab.ts';
import type { DatagramKey } from './reass-key.ts';
import { datagramKeyText, sameKey } from './reass-key.ts';

/** A fragment in a reassembly queue; its range shrinks when overlaps are trimmed (F-12, F-13). */
export interface HeldFragment {
  readonly pkt: Packet;
  offsetBytes: number;
  lengthBytes: number;
  readonly moreFragments: boolean;
}

/** struct ipq / struct ip6q: one datagram under reassembly. */
export interface ReassQueue {
  readonly key: DatagramKey;
  readonly keyText: string;
  readonly bucket: number;
  /** Sorted by offset, pairwise non-overlapping after every insert (I-7). */
  readonly frags: HeldFragment[];
  /** When the queue expires: v4 uptime seconds (ipq_expire), v6 virtual ns of its last slowtimo tick. */
  readonly expire: number;
  /** F-9: end of the datagram once the last fragment was seen; -1 before. */
  maxoffBytes: number;
}

/** Why a fragment left reassembly without becoming part of a datagram, and the counter it bumped. */
export interface ReassDrop {
  readonly pkt: Packet;
  readonly counter: CounterName;
  readonly reason: DropReason;
}

const NO_QUEUES: readonly ReassQueue[] = [];

/**
 * The reassembly hash table (F-1): buckets of queues, each bucket newest first in the kernel
 * (TAILQ_INSERT_HEAD); here index 0 is the oldest (TAILQ_LAST), the end the newest. One global
 * table shared by every CPU, as in FreeBSD: RSS does not partition reassembly state.
 */
export class ReassBuckets {
  /** Bucket lists made on first use: most runs reassemble nothing, and hashsize is 1024 (F-1). */
  readonly #buckets: (ReassQueue[] | undefined)[];
  readonly #hashsize: number;
  queueCount = 0;
  fragmentCount = 0;
  readonly #live = new Set<ReassQueue>();

  constructor(hashsize: number) {
    assert(hashsize >= 1 && (hashsize & (hashsize - 1)) === 0, 'F-1: reassembly hash size is a power of two');
    this.#hashsize = hashsize;
    this.#buckets = [];
  }

  get hashsize(): number {
    return this.#hashsize;
  }

  bucket(index: number): readonly ReassQueue[] {
    this.#checkIndex(index);
    return this.#buckets[index] ?? NO_QUEUES;
  }

  #checkIndex(index: number): void {
    assert(Number.isInteger(index) && index >= 0 && index < this.#hashsize, 'F-1: bucket inside the table');
  }

  #list(index: number): ReassQueue[] {
    this.#checkIndex(index);
    let b = this.#buckets[index];
    if (b === undefined) {
      b = [];
      this.#buckets[index] = b;
    }
    return b;
  }

  /** TAILQ_FOREACH lookup; answers the queue and the entries walked. */
  find(index: number, key: DatagramKey): { queue: ReassQueue | undefined; steps: number } {
    const b = this.bucket(index);
    // The kernel walks from the head (newest).
    for (let i = b.length - 1, steps = 1; i >= 0; i--, steps++) {
      const q = b[i];
      if (q !== undefined && sameKey(q.key, key)) return { queue: q, steps };
    }
    return { queue: undefined, steps: b.length };
  }

  create(index: number, key: DatagramKey, expire: number, first: HeldFragment): ReassQueue {
    const q: ReassQueue = {
      key,
      keyText: datagramKeyText(key),
      bucket: index,
      frags: [first],
      expire,
      maxoffBytes: first.moreFragments ? -1 : first.offsetBytes + first.lengthBytes,
    };
    this.#list(index).push(q);
    this.#live.add(q);
    this.queueCount++;
    this.fragmentCount++;
    return q;
  }

  /** ipq_free / frag6_freef: unlinks the queue; its fragments are the caller's to count. */
  remove(q: ReassQueue): void {
    const b = this.#list(q.bucket);
    const i = b.indexOf(q);
    assert(i >= 0, 'I-7: a freed queue is in its bucket');
    b.splice(i, 1);
    this.#live.delete(q);
    this.queueCount--;
    this.fragmentCount -= q.frags.length;
    assert(this.fragmentCount >= 0 && this.queueCount >= 0, 'I-7: curfrags and fragpackets stay >= 0');
  }

  /** Whether `q` is still in the table (not completed, dropped or expired). */
  holds(q: ReassQueue): boolean {
    return this.#live.has(q);
  }

  oldest(index: number): ReassQueue | undefined {
    return this.bucket(index)[0];
  }
}

/** F-11: index of the first fragment that begins after `offsetBytes`; answers it and the steps. */
export function firstAfter(frags: readonly HeldFragment[], offsetBytes: number): number {
  const i = frags.findIndex((f) => f.offsetBytes > offsetBytes);
  return i < 0 ? frags.length : i;
}

/**
 * F-12/F-13 (ip_reass): inserts `frag` keeping the list sorted and non-overlapping. Data already
 * queued before the new fragment wins over its front; the new fragment wins over the fronts of
 * the fragments after it, which are trimmed or, if covered, removed. Answers the fragments
 * dropped (the new one if it was covered) and the list entries walked.
 */
export function insertTrimming(
  frags: HeldFragment[],
  frag: HeldFragment,
  counter: CounterName,
): { dropped: ReassDrop[]; held: boolean; steps: number } {
  const at = firstAfter(frags, frag.offsetBytes);
  let steps = at + 1;
  const prev = frags[at - 1];
  if (prev !== undefined) {
    const overlap = prev.offsetBytes + prev.lengthBytes - frag.offsetBytes;
    if (overlap >= frag.lengthBytes) {
      return { dropped: [{ pkt: frag.pkt, counter, reason: 'covered by queued data' }], held: false, steps };
    }
    if (overlap > 0) {
      frag.offsetBytes += overlap;
      frag.lengthBytes -= overlap;
    }
  }
  frags.splice(at, 0, frag);
  const dropped: ReassDrop[] = [];
  const end = frag.offsetBytes + frag.lengthBytes;
  for (let next = frags[at + 1]; next !== undefined && end > next.offsetBytes; next = frags[at + 1]) {
    steps++;
    const overlap = end - next.offsetBytes;
    if (overlap < next.lengthBytes) {
      next.offsetBytes += overlap;
      next.lengthBytes -= overlap;
      break;
    }
    frags.splice(at + 1, 1);
    dropped.push({ pkt: next.pkt, counter, reason: 'covered by a later fragment' });
  }
  return { dropped, held: true, steps };
}

/** F-16: complete iff offsets run contiguously from 0 and the last fragment has MF clear. */
export function completeLength(frags: readonly HeldFragment[]): number | undefined {
  let next = 0;
  for (const f of frags) {
    if (f.offsetBytes !== next) return undefined;
    next += f.lengthBytes;
  }
  const last = frags[frags.length - 1];
  return last === undefined || last.moreFragments ? undefined : next;
}
