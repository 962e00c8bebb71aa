/**
 * A table keyed by packet id (or flow id). The model numbers packets 0, 1, 2 ... in arrival order
 * and flows by workload index, so ids are dense small integers: they index an array (far cheaper
 * than a hash map on 100k-packet traces). Any other key (a hand-written trace's odd id) goes to a
 * Map beside it, with the same answers.
 */
const DENSE_IDS_MAX = 2 ** 24;

export class PacketTable<T> {
  readonly #dense: (T | undefined)[] = [];
  #sparse: Map<number, T> | undefined;

  get(pkt: number): T | undefined {
    return isDense(pkt) ? this.#dense[pkt] : this.#sparse?.get(pkt);
  }

  has(pkt: number): boolean {
    return this.get(pkt) !== undefined;
  }

  set(pkt: number, value: T): void {
    if (isDense(pkt)) {
      // Fill up to the index first, so the array stays packed (no holes).
      while (this.#dense.length < pkt) this.#dense.push(undefined);
      this.#dense[pkt] = value;
      return;
    }
    this.#sparse ??= new Map();
    this.#sparse.set(pkt, value);
  }
}

function isDense(pkt: number): boolean {
  return Number.isInteger(pkt) && pkt >= 0 && pkt < DENSE_IDS_MAX;
}
