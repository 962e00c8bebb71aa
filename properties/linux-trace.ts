import type { Trace, TraceEventKind } from '../model/trace.ts';
import { holdsAnyKind } from './trace-kinds.ts';

/** Event kinds only the Linux model records. */
const LINUX_KINDS: readonly TraceEventKind[] = ['softirq', 'napi-poll', 'sock-queue', 'defer-free', 'ipi'];

/**
 * Whether a trace comes from a Linux receive path. The Linux checkers read `enqueue`, `handle` and
 * `alloc` events too, which FreeBSD traces also hold with netisr meaning; they pass vacuously on
 * traces without any Linux-only event.
 */
export function isLinuxTrace(trace: Trace): boolean {
  // Known once per trace (trace-kinds.ts): the four Linux checkers ask in turn.
  return holdsAnyKind(trace, LINUX_KINDS);
}
