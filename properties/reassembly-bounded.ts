import type { FragHoldEvent, Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import type { PropertySpec } from './registry.ts';
import { holdsAnyKind } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const REASSEMBLY_BOUNDED = 'reassembly-bounded';

/**
 * The most list entries one fragment may walk (INV-COST): its bucket's queues, then the queue's
 * fragments at most three times (find the place, trim what it covers, check completion), plus a
 * reuse. Linear in the limits, independent of how many fragments came before.
 */
export function workStepsMax(ev: FragHoldEvent): number {
  const bucket = ev.reassBucketQueuesMax >= 0 ? ev.reassBucketQueuesMax : ev.reassBucketQueues;
  return bucket + 3 * (ev.queueFragmentsMax + 1) + 2;
}

/**
 * Bounded resources under attack (F-3, F-7, F-17, F-21, INV-COST): whatever arrives (incomplete
 * datagrams, overlaps, teardrop offsets, endless fragments), after each fragment the held
 * fragments stay within maxfrags, the queues within maxfragpackets, each bucket within
 * maxfragbucketsize, each incomplete queue within maxfragsperpacket, and the work for the fragment
 * within workStepsMax; at a quiescent end every held fragment has left (reassembled, dropped or
 * timed out).
 */
export function checkReassemblyBounded(trace: Trace): readonly Violation[] {
  // Nothing is judged, nor held at the end, without a frag-hold event.
  if (!holdsAnyKind(trace, ['frag-hold'])) return [];
  const held = new Map<number, number>();
  const out: Violation[] = [];
  const v = (rule: ViolationRule, events: number[], message: string) =>
    out.push({ property: REASSEMBLY_BOUNDED, rule, events, message });
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'frag-hold') {
      held.set(ev.pkt, i);
      const over = (n: number, max: number) => max >= 0 && n > max;
      const at = `${ev.datagram} (fragment ${ev.pkt})`;
      if (over(ev.queueFragments, ev.queueFragmentsMax))
        v(
          'F-17',
          [i],
          `${at}: queue holds ${ev.queueFragments} fragments, maxfragsperpacket ${ev.queueFragmentsMax}`,
        );
      if (over(ev.heldFragments, ev.heldFragmentsMax))
        v('F-3', [i], `${at}: ${ev.heldFragments} fragments held, maxfrags ${ev.heldFragmentsMax}`);
      if (over(ev.heldQueues, ev.heldQueuesMax))
        v('F-7', [i], `${at}: ${ev.heldQueues} queues, maxfragpackets ${ev.heldQueuesMax}`);
      if (over(ev.reassBucketQueues, ev.reassBucketQueuesMax))
        v(
          'F-7',
          [i],
          `${at}: bucket ${ev.reassBucket} holds ${ev.reassBucketQueues} queues, maxfragbucketsize ${ev.reassBucketQueuesMax}`,
        );
      if (ev.workSteps > workStepsMax(ev))
        v('INV-COST', [i], `${at}: placing it walked ${ev.workSteps} entries, bound ${workStepsMax(ev)}`);
    } else if (kind === 'reassembled') {
      for (const frag of ev.fragments) held.delete(frag);
    } else if (kind === 'drop') {
      held.delete(ev.pkt);
    } else if (kind === 'end' && ev.outcome === 'quiescent') {
      for (const [pkt, index] of held) {
        v('F-21', [index, i], `fragment ${pkt} is still held at the end of the run`);
        if (out.length >= VIOLATIONS_MAX) break;
      }
    }
  }
  return out;
}

export const reassemblyBounded: PropertySpec = {
  name: REASSEMBLY_BOUNDED,
  rules: ['F-3', 'F-7', 'F-17', 'F-21', 'INV-COST'],
  summary: summaryOf(REASSEMBLY_BOUNDED),
  check: checkReassemblyBounded,
};
