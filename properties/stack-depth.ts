import { packetText, type Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import type { PropertySpec } from './registry.ts';
import { eventsOfKind } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const STACK_DEPTH = 'stack-depth';

/**
 * Bounded stack depth (INV-DEPTH): every thread's deepest stack stays within its kernel stack,
 * KSTACK_PAGES x PAGE_SIZE. The model records a `stack` event at each new high-water mark of a
 * thread, with the frame chain that reached it, so the first event past the limit is the call
 * chain that would have run off the end of the stack (a double fault on i386). One violation per
 * thread: the first overflow; later, deeper ones of the same thread add nothing.
 */
export function checkStackDepth(trace: Trace): readonly Violation[] {
  const overflowed = new Set<number>();
  const out: Violation[] = [];
  // A trace holds a few dozen high-water marks among its events: only they are read.
  for (const i of eventsOfKind(trace, 'stack')) {
    if (out.length >= VIOLATIONS_MAX) break;
    const ev = trace[i];
    if (ev?.kind !== 'stack' || ev.depthBytes <= ev.kstackBytes || overflowed.has(ev.thread)) continue;
    overflowed.add(ev.thread);
    const frames = ev.frames.split('>');
    out.push({
      property: STACK_DEPTH,
      rule: 'INV-DEPTH',
      events: [i],
      message:
        `thread ${ev.thread} on cpu ${ev.cpu}: stack ${ev.depthBytes} bytes deep, kernel stack ${ev.kstackBytes}` +
        ` (${frames.length} frames, innermost ${frames.slice(-3).join('>')}${ev.pkt === undefined ? '' : `, packet ${packetText(ev.pkt)}`})`,
    });
  }
  return out;
}

export const stackDepth: PropertySpec = {
  name: STACK_DEPTH,
  rules: ['INV-DEPTH'],
  summary: summaryOf(STACK_DEPTH),
  check: checkStackDepth,
};
