import type { CounterName } from './vocab.ts';

/**
 * Named protocol statistics (ipstat, udpstat, softnet_stat ...): kernel counter names as keys,
 * e.g. `ips_total`, `ips_delivered`, `ifi_iqdrops`. Snapshots go into `counters` trace events,
 * where checkers compare them with what the trace shows.
 */
export class StatCounters {
  readonly #values = new Map<string, number>();
  /** The names in sorted order, made again only when a counter has appeared since (snapshots are many). */
  #sortedNames: readonly string[] = [];

  inc(name: CounterName, by = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + by);
  }

  get(name: CounterName): number {
    return this.#values.get(name) ?? 0;
  }

  /** How many counters exist (a counter exists from its first increment on; none goes away). */
  get size(): number {
    return this.#values.size;
  }

  /** Copies every counter into `out`, unsorted: for a caller that adds names of its own and sorts once. */
  copyInto(out: Map<string, number>): void {
    for (const [key, value] of this.#values) out.set(key, value);
  }

  /** A plain, key-sorted copy (sorted so traces are byte-identical across runs). */
  snapshot(): Record<string, number> {
    if (this.#sortedNames.length !== this.#values.size) this.#sortedNames = [...this.#values.keys()].sort();
    const out: Record<string, number> = {};
    for (const key of this.#sortedNames) out[key] = this.#values.get(key) ?? 0;
    return out;
  }
}
