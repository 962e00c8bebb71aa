import { assert, type VirtualNs } from '../brand.ts';

/** Opaque handle to a pending timer, for cancellation. */
export type TimerHandle = number & { readonly __brand: 'TimerHandle' };

interface TimerEntry<T> {
  readonly atNs: VirtualNs;
  /** Insertion order: breaks ties so equal deadlines fire in the order they were armed. */
  readonly seq: number;
  readonly payload: T;
}

/**
 * Deadlines on the virtual clock (callouts, reassembly expiry, ARP timers, NAPI time limits).
 * A binary min-heap on (atNs, seq): deterministic order for equal deadlines, O(log n) arm/pop.
 * Cancelled entries are skipped lazily when they reach the top.
 */
export class TimerQueue<T> {
  #heap: TimerEntry<T>[] = [];
  #nextSeq = 0;
  #cancelled = new Set<number>();

  get pendingCount(): number {
    return this.#heap.length - this.#cancelled.size;
  }

  arm(atNs: VirtualNs, payload: T): TimerHandle {
    assert(Number.isSafeInteger(atNs) && atNs >= 0, 'sim: timer deadline must be a non-negative integer ns');
    const entry: TimerEntry<T> = { atNs, seq: this.#nextSeq++, payload };
    this.#heap.push(entry);
    this.#siftUp(this.#heap.length - 1);
    return entry.seq as TimerHandle;
  }

  cancel(handle: TimerHandle): void {
    if (this.#heap.some((e) => e.seq === handle)) this.#cancelled.add(handle);
  }

  /** Earliest live deadline, or undefined when nothing is armed. */
  nextDeadlineNs(): VirtualNs | undefined {
    this.#dropCancelledTop();
    return this.#heap[0]?.atNs;
  }

  /** Removes and returns every live timer due at or before `nowNs`, earliest first. */
  /** Whether a timer is due at `nowNs` (most scheduling steps have none: nothing is made then). */
  hasDue(nowNs: VirtualNs): boolean {
    this.#dropCancelledTop();
    const top = this.#heap[0];
    return top !== undefined && top.atNs <= nowNs;
  }

  popDue(nowNs: VirtualNs): T[] {
    const due: T[] = [];
    for (;;) {
      this.#dropCancelledTop();
      const top = this.#heap[0];
      if (top === undefined || top.atNs > nowNs) return due;
      this.#popTop();
      due.push(top.payload);
    }
  }

  #dropCancelledTop(): void {
    for (let top = this.#heap[0]; top !== undefined && this.#cancelled.has(top.seq); top = this.#heap[0]) {
      this.#cancelled.delete(top.seq);
      this.#popTop();
    }
  }

  #popTop(): void {
    const last = this.#heap.pop();
    if (last === undefined || this.#heap.length === 0) return;
    this.#heap[0] = last;
    this.#siftDown(0);
  }

  #less(a: number, b: number): boolean {
    const x = this.#heap[a];
    const y = this.#heap[b];
    assert(x !== undefined && y !== undefined, 'sim: heap index out of range');
    return x.atNs < y.atNs || (x.atNs === y.atNs && x.seq < y.seq);
  }

  #swap(a: number, b: number): void {
    const x = this.#heap[a] as TimerEntry<T>;
    this.#heap[a] = this.#heap[b] as TimerEntry<T>;
    this.#heap[b] = x;
  }

  #siftUp(index: number): void {
    for (let i = index; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(index: number): void {
    const n = this.#heap.length;
    for (let i = index; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.#less(left, smallest)) smallest = left;
      if (right < n && this.#less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }
}
