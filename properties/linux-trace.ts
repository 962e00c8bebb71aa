import type { KernelEvent, Trace, TraceEventKind } from '../model/trace.ts';
import { holdsAnyKind } from './trace-kinds.ts';

/** Event kinds only the Linux model records. */
const LINUX_KINDS: readonly TraceEventKind[] = ['softirq', 'napi-poll', 'sock-queue', 'defer-free', 'ipi'];

/** The trace's `kernel` event, if it opens with one (every model trace does: model/machine.ts). */
export function kernelOf(trace: Trace): KernelEvent | undefined {
  const first = trace[0];
  return first?.kind === 'kernel' ? first : undefined;
}

/**
 * Whether a trace comes from a Linux receive path: its first event says so. A trace that names no
 * kernel (one recorded elsewhere) is Linux when it holds a Linux-only event. The Linux checkers read
 * `enqueue`, `handle` and `alloc` events too, which FreeBSD traces hold with netisr meaning, so they
 * pass vacuously on any other trace.
 */
export function isLinuxTrace(trace: Trace): boolean {
  const kernel = kernelOf(trace);
  if (kernel !== undefined) return kernel.os === 'linux';
  // Known once per trace (trace-kinds.ts): the Linux checkers ask in turn.
  return holdsAnyKind(trace, LINUX_KINDS);
}
