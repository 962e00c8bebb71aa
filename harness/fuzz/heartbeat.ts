/**
 * The worker running a policy tells the watchdog what it is doing through a small shared
 * Int32Array, so the watchdog can name the stuck call even when the worker never returns to its
 * event loop (a `while (true)` in `place`). One writer (the worker), one reader (the watchdog).
 *
 *   worker: enter(place, pkt 12) ... leave()      watchdog: same callSeq, still inside for > timeout?
 */

/** What the policy code is doing right now. */
export const CallKind = { idle: 0, loading: 1, factory: 2, place: 3, tick: 4 } as const;
export type CallKind = (typeof CallKind)[keyof typeof CallKind];

export function callKindName(kind: number): string {
  const found = Object.entries(CallKind).find(([, v]) => v === kind);
  return found === undefined ? `call kind ${kind}` : found[0];
}

/** Slot layout of the shared array. */
const SLOT = {
  kind: 0,
  /** Incremented on every enter: the watchdog sees progress even between two calls of one kind. */
  callSeq: 1,
  /** Runs fast-check has finished (the generation phase). */
  runsDone: 2,
  /** Shrink candidates tried so far. */
  shrinks: 3,
  /** Ordinal of the current policy call within the current run (factory is 0). */
  callInRun: 4,
  pkt: 5,
  flow: 6,
  cpu: 7,
  pathLength: 8,
  path: 9,
} as const;

/** Deeper shrink paths are not mirrored (the last entries are what a hang report needs). */
export const PATH_ENTRIES_MAX = 4096;
export const HEARTBEAT_BYTES = (SLOT.path + PATH_ENTRIES_MAX) * Int32Array.BYTES_PER_ELEMENT;

/** The worker's side: cheap stores, no messages. */
export interface Heartbeat {
  enter(kind: CallKind, callInRun: number, pkt?: { id: number; flow: number }, cpu?: number): void;
  leave(): void;
  /** A new fast-check run or shrink candidate starts at `path` (fast-check's run:shrink:... indexes). */
  runStarts(path: readonly number[]): void;
  runDone(shrinking: boolean): void;
}

export const NULL_HEARTBEAT: Heartbeat = {
  enter() {},
  leave() {},
  runStarts() {},
  runDone() {},
};

export class SharedHeartbeat implements Heartbeat {
  readonly #slots: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#slots = new Int32Array(buffer);
  }

  enter(kind: CallKind, callInRun: number, pkt?: { id: number; flow: number }, cpu?: number): void {
    const s = this.#slots;
    Atomics.store(s, SLOT.callInRun, callInRun);
    Atomics.store(s, SLOT.pkt, pkt?.id ?? -1);
    Atomics.store(s, SLOT.flow, pkt?.flow ?? -1);
    Atomics.store(s, SLOT.cpu, cpu ?? -1);
    Atomics.add(s, SLOT.callSeq, 1);
    Atomics.store(s, SLOT.kind, kind);
  }

  leave(): void {
    Atomics.store(this.#slots, SLOT.kind, CallKind.idle);
  }

  runStarts(path: readonly number[]): void {
    const s = this.#slots;
    const n = Math.min(path.length, PATH_ENTRIES_MAX);
    for (let i = 0; i < n; i++) Atomics.store(s, SLOT.path + i, path[i] ?? 0);
    Atomics.store(s, SLOT.pathLength, path.length > PATH_ENTRIES_MAX ? -1 : n);
  }

  runDone(shrinking: boolean): void {
    Atomics.add(this.#slots, shrinking ? SLOT.shrinks : SLOT.runsDone, 1);
  }
}

/** What the watchdog reads. */
export interface HeartbeatReading {
  readonly kind: number;
  readonly callSeq: number;
  readonly runsDone: number;
  readonly shrinks: number;
  readonly callInRun: number;
  readonly pkt: number;
  readonly flow: number;
  readonly cpu: number;
  /** undefined when the path was too deep to mirror. */
  readonly path: string | undefined;
}

export function readHeartbeat(buffer: SharedArrayBuffer): HeartbeatReading {
  const s = new Int32Array(buffer);
  const length = Atomics.load(s, SLOT.pathLength);
  const path: number[] = [];
  for (let i = 0; i < length; i++) path.push(Atomics.load(s, SLOT.path + i));
  return {
    kind: Atomics.load(s, SLOT.kind),
    callSeq: Atomics.load(s, SLOT.callSeq),
    runsDone: Atomics.load(s, SLOT.runsDone),
    shrinks: Atomics.load(s, SLOT.shrinks),
    callInRun: Atomics.load(s, SLOT.callInRun),
    pkt: Atomics.load(s, SLOT.pkt),
    flow: Atomics.load(s, SLOT.flow),
    cpu: Atomics.load(s, SLOT.cpu),
    path: length < 0 ? undefined : path.join(':'),
  };
}
