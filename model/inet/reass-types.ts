import type { VirtualNs } from '../brand.ts';
import type { Packet } from '../packet.ts';
import type { TimerHandle } from '../sim/timers.ts';
import type { StatCounters } from '../stats.ts';
import type { CounterName, DropReason } from '../vocab.ts';
import type { HeldFragment, ReassDrop, ReassQueue } from './reass-queue.ts';

/** What ip_reass / frag6_input did with one fragment. */
export type ReassResult =
  /** The fragment was freed (and maybe others with it); every drop names its counter. */
  | { readonly kind: 'dropped'; readonly drops: readonly ReassDrop[]; readonly steps: number }
  /** The fragment waits in `queue` as `frag` (maybe trimmed); `drops` are others it evicted or replaced. */
  | {
      readonly kind: 'held';
      readonly queue: ReassQueue;
      readonly frag: HeldFragment;
      readonly drops: readonly ReassDrop[];
      readonly steps: number;
    }
  /** The fragment completed the datagram: `pieces` in offset order tile 0 .. payloadBytes. */
  | {
      readonly kind: 'complete';
      readonly queue: ReassQueue;
      readonly pieces: readonly HeldFragment[];
      readonly payloadBytes: number;
      readonly drops: readonly ReassDrop[];
      readonly steps: number;
    };

/** Callouts on the virtual clock (the simulator's timer queue). */
export interface ReassTimers {
  arm(atNs: VirtualNs, fire: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

/** What a reassembly table needs from the host: counters, time, timers, and a sink for expiries. */
export interface ReassEnv {
  readonly stats: StatCounters;
  readonly nowNs: () => number;
  readonly timers: ReassTimers;
  /** Fragments freed by a timer (F-21) or by reuse elsewhere in the table: recorded as drops. */
  readonly onExpired: (drops: readonly ReassDrop[]) => void;
}

/** Limits in effect for one table (v4 or v6), after boot derivation. -1 means no limit. */
export interface ReassLimits {
  readonly maxfrags: number;
  readonly maxfragpackets: number;
  readonly maxfragbucketsize: number;
  readonly maxfragsperpacket: number;
  readonly hashsize: number;
  readonly hashSeed: number;
}

/** The interface both tables offer the ip_input / ip6_input glue. */
export interface ReassTable {
  readonly limits: ReassLimits;
  input(pkt: Packet): ReassResult;
  /** curfrags / frag6_nfrags, fragpackets / frag6_nfragpackets, and one bucket's queue count. */
  readonly heldFragments: number;
  readonly heldQueues: number;
  bucketQueues(bucket: number): number;
}

/** Drops every fragment of a queue with one counter and reason. */
export function queueDrops(q: ReassQueue, counter: CounterName, reason: DropReason): ReassDrop[] {
  return q.frags.map((f) => ({ pkt: f.pkt, counter, reason }));
}
