import type { Trace, TraceEventKind } from '../model/trace.ts';

/** Event kinds only the Linux model records. */
const LINUX_KINDS: ReadonlySet<TraceEventKind> = new Set([
  'softirq',
  'napi-poll',
  'sock-queue',
  'defer-free',
  'ipi',
]);

/**
 * Whether a trace comes from a Linux receive path. The Linux checkers read `enqueue`, `handle` and
 * `alloc` events too, which FreeBSD traces also hold with netisr meaning; they pass vacuously on
 * traces without any Linux-only event.
 */
export function isLinuxTrace(trace: Trace): boolean {
  // Known once per trace: the four Linux checkers ask in turn. The length guards a trace that
  // grew after it was asked about (traces are append-only).
  const known = kernelOf.get(trace);
  if (known !== undefined && known.length === trace.length) return known.linux;
  const linux = trace.some((ev) => LINUX_KINDS.has(ev.kind));
  kernelOf.set(trace, { length: trace.length, linux });
  return linux;
}

const kernelOf = new WeakMap<Trace, { readonly length: number; readonly linux: boolean }>();
