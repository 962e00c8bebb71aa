/**
 * A table keyed by packet id (or flow id). The model numbers packets 0, 1, 2 ... in arrival order
 * and flows by workload index, so ids are dense small integers: they index arrays, far cheaper
 * than a hash map. The arrays are chunks of 1,024 ids: one long array would outgrow the young
 * generation on a 100k-packet trace and cost the garbage collector more than the checks (each
 * growth a large-object copy). Any other key a hand-written trace may use (negative, fractional,
 * NaN, past DENSE_IDS_MAX) goes to a map, with the same answers.
 */
const CHUNK_BITS = 10;
const CHUNK_IDS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_IDS - 1;
/** Ids below this are kept in chunks. */
const DENSE_IDS_MAX = 1 << 24;

const isDense = (id: number): boolean => id >>> 0 === id && id < DENSE_IDS_MAX;

/** The place of a chunk no id was written to: reads answer `undefined`; it is never written. */
const UNWRITTEN: never[] = [];

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
    // Chunks below a far id stay unwritten: one id near DENSE_IDS_MAX must not cost 16 M slots.
    while (chunks.length <= c) chunks.push(UNWRITTEN);
    let chunk = chunks[c] as (T | undefined)[];
    if (chunk === UNWRITTEN) {
      // The first chunk grows with the ids (a fuzz run's trace numbers a few dozen packets); a
      // trace that reaches a second chunk is long, and gets every further chunk at full length at
      // once rather than regrown and copied element by element (two thirds of its garbage).
      chunk = c === 0 ? [] : new Array(CHUNK_IDS);
      chunks[c] = chunk;
    }
    chunk[pkt & CHUNK_MASK] = value;
  }
}
