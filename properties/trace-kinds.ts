import type { Trace, TraceEventKind } from '../model/trace.ts';

/**
 * The events of a trace by kind, found in one pass and kept per trace: several checkers judge
 * only kinds most traces hold few of (stack high-water marks, policy errors, fragments), or pass
 * vacuously on traces without them (no Linux-only event, no buffer allocated), and each used to
 * walk the whole trace to find out. The pass keeps two bytes per event, its kind's code; the
 * indexes of a kind are gathered from those bytes when first asked for (lists grown event by event
 * cost more than the walk they save). The length guards a trace that grew after it was asked about
 * (traces are append-only).
 */
interface KindIndex {
  readonly length: number;
  /** Each event's kind as a code (1, 2, ... in first-seen order); 0 for a hole. */
  readonly codes: Uint16Array;
  readonly codeOf: ReadonlyMap<TraceEventKind, number>;
  /** Events of each code (index 0 unused). */
  readonly counts: readonly number[];
  /** Indexes of the events of a code, in trace order, as asked for. */
  readonly lists: Map<number, Int32Array>;
}

const known = new WeakMap<Trace, KindIndex>();
const NONE = new Int32Array(0);

function indexOf(trace: Trace): KindIndex {
  const hit = known.get(trace);
  if (hit !== undefined && hit.length === trace.length) return hit;
  const codes = new Uint16Array(trace.length);
  const codeOf = new Map<TraceEventKind, number>();
  const counts = [0];
  // Runs of one kind are common (enqueue, dispatch ...): only a change of kind looks up the map.
  let last: TraceEventKind | undefined;
  let code = 0;
  for (let i = 0; i < trace.length; i++) {
    const kind = trace[i]?.kind;
    if (kind === undefined) continue;
    if (kind !== last) {
      last = kind;
      code = codeOf.get(kind) ?? 0;
      if (code === 0) {
        code = counts.length;
        codeOf.set(kind, code);
        counts.push(0);
      }
    }
    codes[i] = code;
    counts[code] = (counts[code] as number) + 1;
  }
  const index = { length: trace.length, codes, codeOf, counts, lists: new Map() };
  known.set(trace, index);
  return index;
}

/** Whether the trace holds an event of any of `wanted` kinds. */
export function holdsAnyKind(trace: Trace, wanted: readonly TraceEventKind[]): boolean {
  const { codeOf } = indexOf(trace);
  return wanted.some((k) => codeOf.has(k));
}

/** How many events of one kind the trace holds. */
export function countOfKind(trace: Trace, kind: TraceEventKind): number {
  const index = indexOf(trace);
  const code = index.codeOf.get(kind);
  return code === undefined ? 0 : (index.counts[code] as number);
}

/**
 * How many packets the trace numbers as they arrive (ids 0, 1, 2 ... in arrival order in a model
 * trace): what a checker's per-packet tables size themselves for.
 */
export function packetsNumbered(trace: Trace): number {
  return countOfKind(trace, 'arrive');
}

/** The indexes of the trace's events of one kind, in trace order. */
export function eventsOfKind(trace: Trace, kind: TraceEventKind): Iterable<number> {
  const index = indexOf(trace);
  const code = index.codeOf.get(kind);
  if (code === undefined) return NONE;
  const kept = index.lists.get(code);
  if (kept !== undefined) return kept;
  const { codes } = index;
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] === code) n++;
  const list = new Int32Array(n);
  for (let i = 0, j = 0; j < n; i++) if (codes[i] === code) list[j++] = i;
  index.lists.set(code, list);
  return list;
}
