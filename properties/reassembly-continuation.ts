import type { CpuId } from '../model/brand.ts';
import type { Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import type { PropertySpec } from './registry.ts';
import { holdsAnyKind } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const REASSEMBLY_CONTINUATION = 'reassembly-continuation';

const TCP = 6;

/**
 * Continues on the full-hash CPU (F-26, F-27, F-28): after reassembly the datagram is rehashed on
 * the tuple its protocol calls for (a TCP datagram on the 4-tuple) and the upper layer handles it
 * on the CPU of that bucket, where the kernel promises one; without the promise (no RSS) it goes
 * up inline on the CPU that reassembled it.
 */
export function checkReassemblyContinuation(trace: Trace): readonly Violation[] {
  // Every promise judged here starts at a reassembled event.
  if (!holdsAnyKind(trace, ['reassembled'])) return [];
  const want = new Map<number, { cpu: CpuId; rule: ViolationRule; index: number; datagram: string }>();
  const tcpDatagrams = new Set<string>();
  const out: Violation[] = [];
  const v = (rule: ViolationRule, events: number[], message: string) =>
    out.push({ property: REASSEMBLY_CONTINUATION, rule, events, message });
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'arrive' && ev.frag !== undefined && ev.frag.ipProto === TCP)
      tcpDatagrams.add(ev.frag.datagram);
    if (kind === 'reassembled') {
      if (
        ev.fullBucket !== undefined &&
        tcpDatagrams.has(ev.datagram) &&
        !ev.fullHashType.startsWith('rss-tcp')
      ) {
        v(
          'F-26',
          [i],
          `${ev.datagram} rehashed as ${ev.fullHashType}, a TCP datagram wants its 4-tuple hash`,
        );
      }
      if (ev.fullBucketCpu !== undefined)
        want.set(ev.pkt, { cpu: ev.fullBucketCpu, rule: 'F-27', index: i, datagram: ev.datagram });
      else if (ev.continuation === 'inline')
        want.set(ev.pkt, { cpu: ev.cpu, rule: 'F-28', index: i, datagram: ev.datagram });
      continue;
    }
    if (kind !== 'handle' && kind !== 'deliver') continue;
    const w = want.get(ev.pkt);
    if (w === undefined || ev.cpu === w.cpu) continue;
    const what = kind === 'handle' ? `${ev.proto}_input` : 'the upper layer';
    v(w.rule, [w.index, i], `${w.datagram} reached ${what} on cpu ${ev.cpu}, want cpu ${w.cpu}`);
  }
  return out;
}

export const reassemblyContinuation: PropertySpec = {
  name: REASSEMBLY_CONTINUATION,
  rules: ['F-26', 'F-27', 'F-28'],
  summary: summaryOf(REASSEMBLY_CONTINUATION),
  check: checkReassemblyContinuation,
};
