import type { CpuId } from '../model/brand.ts';
import type { Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import type { PropertySpec } from './registry.ts';
import { holdsAnyKind } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const REASSEMBLY_CPU = 'reassembly-cpu';

/**
 * Reassembly on the correct CPU (F-29, R-6): fragments carry no ports, so they are hashed on the
 * 2-tuple and every fragment of a datagram is held on the CPU that owns that bucket; the datagram
 * is reassembled there. Judged where the kernel promises a CPU (`bucketCpu` on the arrival and
 * on the hold); passes vacuously elsewhere.
 */
export function checkReassemblyCpu(trace: Trace): readonly Violation[] {
  // Violations are found only at frag-hold and reassembled events.
  if (!holdsAnyKind(trace, ['frag-hold', 'reassembled'])) return [];
  const promised = new Map<number, { cpu: CpuId; index: number }>();
  const out: Violation[] = [];
  const v = (events: number[], message: string) =>
    out.push({ property: REASSEMBLY_CPU, rule: 'F-29', events, message });
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'arrive' && ev.fragment && ev.bucketCpu !== undefined) {
      promised.set(ev.pkt, { cpu: ev.bucketCpu, index: i });
    } else if (kind === 'frag-hold' && ev.bucketCpu !== undefined && ev.cpu !== ev.bucketCpu) {
      v(
        [i],
        `fragment ${ev.pkt} of ${ev.datagram} held on cpu ${ev.cpu}, its 2-tuple bucket ${ev.bucket} is on cpu ${ev.bucketCpu}`,
      );
    } else if (kind === 'reassembled') {
      for (const frag of ev.fragments) {
        const want = promised.get(frag);
        if (want !== undefined && want.cpu !== ev.cpu) {
          v(
            [want.index, i],
            `${ev.datagram} reassembled on cpu ${ev.cpu}, but its fragment ${frag} belongs to cpu ${want.cpu}`,
          );
          break;
        }
      }
    }
  }
  return out;
}

export const reassemblyCpu: PropertySpec = {
  name: REASSEMBLY_CPU,
  rules: ['F-29', 'R-6'],
  summary: summaryOf(REASSEMBLY_CPU),
  check: checkReassemblyCpu,
};
