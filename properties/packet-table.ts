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
  /**
   * The first chunk, apart: a fuzz run's trace numbers a few dozen packets and needs no other, so
   * it is made at the first write at the size the maker expects (the packets the trace numbers,
   * `packetsNumbered`) instead of regrown and copied as the ids come.
   */
  #first: (T | undefined)[] | undefined;
  readonly #firstIds: number;
  /** Chunks 1, 2, ... (index 0 unused), made when an id past the first chunk comes. */
  #chunks: (T | undefined)[][] | undefined;
  #other: Map<number, T> | undefined;

  /** `idsExpected`: how many ids from 0 the table will likely hold (a hint; any id is taken). */
  constructor(idsExpected = 0) {
    this.#firstIds = idsExpected > 0 ? Math.min(Math.floor(idsExpected), CHUNK_IDS) : 0;
  }

  get(pkt: number): T | undefined {
    if (!isDense(pkt)) return this.#other?.get(pkt);
    if (pkt < CHUNK_IDS) return this.#first?.[pkt];
    return this.#chunks?.[pkt >>> CHUNK_BITS]?.[pkt & CHUNK_MASK];
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
    if (pkt < CHUNK_IDS) {
      this.#first ??= new Array(this.#firstIds);
      this.#first[pkt] = value;
      return;
    }
    this.#chunks ??= [];
    const chunks = this.#chunks;
    const c = pkt >>> CHUNK_BITS;
    // Chunks below a far id stay unwritten: one id near DENSE_IDS_MAX must not cost 16 M slots.
    while (chunks.length <= c) chunks.push(UNWRITTEN);
    let chunk = chunks[c] as (T | undefined)[];
    if (chunk === UNWRITTEN) {
      // A trace that reaches a second chunk is long: every further chunk is made at full length
      // at once rather than regrown and copied element by element (two thirds of its garbage).
      chunk = new Array(CHUNK_IDS);
      chunks[c] = chunk;
    }
    chunk[pkt & CHUNK_MASK] = value;
  }
}
