/**
 * A table keyed by packet id (or flow id). The model numbers packets 0, 1, 2 ... in arrival order
 * and flows by workload index, so ids are dense small integers: they index an array (far cheaper
 * than a hash map on 100k-packet traces). Any other key a hand-written trace may use (negative,
 * fractional, past 2^32) becomes a plain property of the same array, with the same answers; a
 * very large id only makes that one table slower.
 */
export class PacketTable<T> {
  readonly #byId: (T | undefined)[] = [];

  get(pkt: number): T | undefined {
    return this.#byId[pkt];
  }

  has(pkt: number): boolean {
    return this.#byId[pkt] !== undefined;
  }

  set(pkt: number, value: T): void {
    this.#byId[pkt] = value;
  }
}
