/**
 * A table keyed by packet id (or flow id). The model numbers packets 0, 1, 2 ... in arrival order
 * and flows by workload index, so ids are dense small integers: they index arrays, far cheaper
 * than a hash map. The arrays are chunks of 1,024 ids: one long array would outgrow the young
 * generation on a 100k-packet trace and cost the garbage collector more than the checks (each
 * growth a large-object copy). Any other key a hand-written trace may use (negative, fractional,
 * NaN, past DENSE_IDS_MAX) goes to a map, with the same answers.
 */
const CHUNK_BITS = 10;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;
/** Ids below this are kept in chunks. */
const DENSE_IDS_MAX = 1 << 24;

const isDense = (id: number): boolean => id >>> 0 === id && id < DENSE_IDS_MAX;

export class PacketTable<T> {
  readonly #chunks: (T | undefined)[][] = [];
  #other: Map<number, T> | undefined;

  get(pkt: number): T | undefined {
    if (isDense(pkt)) return this.#chunks[pkt >>> CHUNK_BITS]?.[pkt & CHUNK_MASK];
    return this.#other?.get(pkt);
  }

  has(pkt: number): boolean {
    return this.get(pkt) !== undefined;
  }

  set(pkt: number, value: T): void {
    if (!isDense(pkt)) {
      this.#other ??= new Map();
      this.#other.set(pkt, value);
      return;
    }
    const chunks = this.#chunks;
    const c = pkt >>> CHUNK_BITS;
    while (chunks.length <= c) chunks.push([]);
    // A write at most one chunk past the end keeps an array a plain vector (V8 turns an array
    // sparse only for a larger gap), so a chunk needs no filling.
    (chunks[c] as (T | undefined)[])[pkt & CHUNK_MASK] = value;
  }
}
