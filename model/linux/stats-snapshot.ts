import type { StatCounters } from '../stats.ts';
import type { CounterName } from '../vocab.ts';
import { UDP_SNMP_FIELDS } from './procfs.ts';
import type { Softnet } from './softnet.ts';
import type { UdpSock } from './udp.ts';

/** The Udp and Udp6 MIB counter names in sorted order, made once each. */
const UDP_STAT_NAMES = [
  ...UDP_SNMP_FIELDS.map((f) => `Udp.${f}` as const),
  ...UDP_SNMP_FIELDS.map((f) => `Udp6.${f}` as const),
].sort();
/** A CPU's softnet_stat columns by name, in sorted order: `#fill` reads them in this order. */
const SOFTNET_FIELDS = [
  'backlog_len',
  'dropped',
  'flow_limit_count',
  'processed',
  'received_rps',
  'time_squeeze',
] as const;

/** 0..count-1 in the order of their decimal strings (0, 1, 10, 11, 2, ...), as names holding them sort. */
function decimalOrder(count: number): number[] {
  const digits: string[] = [];
  for (let i = 0; i < count; i++) digits.push(String(i));
  return digits.sort().map(Number);
}

/** The index of `name` in `sorted`, or -1: a binary search in code-unit order. */
function sortedIndexOf(sorted: readonly string[], name: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < name) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo] === name ? lo : -1;
}

/**
 * The named statistics of a Linux host's `counters` events: Udp MIB, softnet totals and per CPU,
 * per-socket drops and queue, and every other counter the run has made, in the default sort's
 * code-unit order (cpu10 before cpu2) so traces are byte-identical. The host's own names are made
 * per host (not per module: a name table a process keeps would hide a wrong name from every host
 * after the first), already in that order: UDP names, `softnet.`, `softnet_cpu` by CPU, `udp_sock`
 * by socket. Each snapshot reads their values into one flat array in the same order; counters
 * of other names are merged in only when a counter has appeared since the last snapshot.
 */
export class LinuxStatsSnapshot {
  /** The host's own names, sorted; `#fill` writes their values in this order. */
  readonly #ownNames: readonly string[];
  readonly #cpuOrder: readonly number[];
  readonly #sockOrder: readonly number[];
  readonly #values: number[];
  /** Every name of the snapshot, sorted; per name its index in `#values`, or -1 for a counter of the statistics. */
  #names: readonly string[] = [];
  #slots: readonly number[] = [];
  #atCounters = -1;
  /** The slots of the own names alone, made on first use: most runs count nothing else. */
  #ownSlots: readonly number[] | undefined;

  constructor(cpuCount: number, sockets: readonly UdpSock[]) {
    const names: string[] = [...UDP_STAT_NAMES, 'softnet.time_squeeze'];
    this.#cpuOrder = decimalOrder(cpuCount);
    for (const c of this.#cpuOrder) for (const f of SOFTNET_FIELDS) names.push(`softnet_cpu${c}.${f}`);
    this.#sockOrder = decimalOrder(sockets.length);
    for (const i of this.#sockOrder) {
      const index = sockets[i]?.spec.index;
      names.push(`udp_sock${index}.drops`, `udp_sock${index}.rx_queue`);
    }
    this.#ownNames = names;
    this.#values = names.map(() => 0);
  }

  /** A plain, key-sorted record of every counter now; a host's own name wins over a counter of the same name. */
  take(
    stats: StatCounters,
    softnets: readonly Softnet[],
    sockets: readonly UdpSock[],
  ): Record<string, number> {
    this.#fill(stats, softnets, sockets);
    if (stats.size !== this.#atCounters) this.#layOut(stats);
    const names = this.#names;
    const slots = this.#slots;
    const values = this.#values;
    const out: Record<string, number> = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const slot = slots[i] as number;
      // A name without a slot came from the statistics themselves.
      out[name] = slot >= 0 ? (values[slot] as number) : stats.get(name as CounterName);
    }
    return out;
  }

  /** The host's own values, in the order of `#ownNames` (index loops: this runs at every snapshot). */
  #fill(stats: StatCounters, softnets: readonly Softnet[], sockets: readonly UdpSock[]): void {
    const v = this.#values;
    let i = 0;
    for (let n = 0; n < UDP_STAT_NAMES.length; n++) v[i++] = stats.get(UDP_STAT_NAMES[n] as CounterName);
    v[i++] = stats.get('softnet.time_squeeze');
    const cpuOrder = this.#cpuOrder;
    for (let n = 0; n < cpuOrder.length; n++) {
      const sd = softnets[cpuOrder[n] as number] as Softnet;
      v[i++] = sd.backlogLenPackets;
      v[i++] = sd.dropped;
      v[i++] = sd.flowLimitCount;
      v[i++] = sd.processed;
      v[i++] = sd.receivedRps;
      v[i++] = sd.timeSqueeze;
    }
    const sockOrder = this.#sockOrder;
    for (let n = 0; n < sockOrder.length; n++) {
      const s = sockets[sockOrder[n] as number] as UdpSock;
      v[i++] = s.drops;
      v[i++] = s.rxQueueBytes;
    }
  }

  /** Merges the statistics' other names (sorted) into the host's own. */
  #layOut(stats: StatCounters): void {
    const own = this.#ownNames;
    const all = new Map<string, number>();
    stats.copyInto(all);
    const others = [...all.keys()].filter((name) => sortedIndexOf(own, name) < 0).sort();
    this.#atCounters = stats.size;
    if (others.length === 0) {
      this.#ownSlots ??= own.map((_, i) => i);
      this.#names = own;
      this.#slots = this.#ownSlots;
      return;
    }
    const names: string[] = [];
    const slots: number[] = [];
    let o = 0;
    for (let i = 0; i < own.length; i++) {
      const name = own[i] as string;
      for (; o < others.length && (others[o] as string) < name; o++) {
        names.push(others[o] as string);
        slots.push(-1);
      }
      names.push(name);
      slots.push(i);
    }
    for (; o < others.length; o++) {
      names.push(others[o] as string);
      slots.push(-1);
    }
    this.#names = names;
    this.#slots = slots;
  }
}
