import type { Trace, TraceEventKind } from '../model/trace.ts';

/**
 * The event kinds a trace holds, found in one pass and kept per trace: several checkers pass
 * vacuously on traces without the kinds they judge (no Linux-only event, no fragment held, no
 * datagram reassembled, no buffer allocated), and each used to walk the whole trace to find out.
 * The length guards a trace that grew after it was asked about (traces are append-only).
 */
const known = new WeakMap<Trace, { readonly length: number; readonly kinds: ReadonlySet<TraceEventKind> }>();

export function kindsOf(trace: Trace): ReadonlySet<TraceEventKind> {
  const hit = known.get(trace);
  if (hit !== undefined && hit.length === trace.length) return hit.kinds;
  const kinds = new Set<TraceEventKind>();
  // Runs of one kind are common (enqueue, dispatch ...): only a change of kind touches the set.
  let last: TraceEventKind | undefined;
  for (let i = 0; i < trace.length; i++) {
    const kind = trace[i]?.kind;
    if (kind === undefined || kind === last) continue;
    last = kind;
    kinds.add(kind);
  }
  known.set(trace, { length: trace.length, kinds });
  return kinds;
}

/** Whether the trace holds an event of any of `wanted` kinds. */
export function holdsAnyKind(trace: Trace, wanted: readonly TraceEventKind[]): boolean {
  const kinds = kindsOf(trace);
  return wanted.some((k) => kinds.has(k));
}
