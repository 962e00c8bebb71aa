import type { CpuId } from '../model/brand.ts';
import { packetText, type Trace } from '../model/trace.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const BUCKET_AFFINITY = 'bucket-affinity';

/**
 * Bucket affinity: with RSS and a netisr thread on every bucket's CPU, the NIC puts a
 * packet on the ring bound to its bucket's CPU and every protocol handles it there, up to the
 * socket; a reassembled datagram likewise on its full-tuple bucket's CPU. Judged where the
 * kernel promises a CPU (`bucketCpu`, `fullBucketCpu`).
 */
export function checkBucketAffinity(trace: Trace): readonly Violation[] {
  const want = new Map<number, { cpu: CpuId; index: number }>();
  const out: Violation[] = [];
  const v = (rule: ViolationRule, events: number[], message: string) =>
    out.push({ property: BUCKET_AFFINITY, rule, events, message });
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'arrive' && ev.bucketCpu !== undefined) {
      want.set(ev.pkt, { cpu: ev.bucketCpu, index: i });
      if (ev.cpu !== ev.bucketCpu) {
        v(
          'R-6',
          [i],
          `packet ${packetText(ev.pkt)} (hash 0x${ev.hash.toString(16)}, bucket ${ev.bucket}) on ring ${ev.ring} of cpu ${ev.cpu}, its bucket is on cpu ${ev.bucketCpu}`,
        );
      }
    } else if (kind === 'reassembled' && ev.fullBucketCpu !== undefined) {
      want.set(ev.pkt, { cpu: ev.fullBucketCpu, index: i });
    } else if (kind === 'handle' || kind === 'deliver') {
      const w = want.get(ev.pkt);
      if (w === undefined || w.cpu === ev.cpu) continue;
      const what = kind === 'handle' ? `${ev.proto}_input` : 'delivered';
      v(
        'R-10',
        [w.index, i],
        `packet ${packetText(ev.pkt)} ${what} on cpu ${ev.cpu}, its bucket is on cpu ${w.cpu}`,
      );
    }
  }
  return out;
}

export const bucketAffinity: PropertySpec = {
  name: BUCKET_AFFINITY,
  rules: ['R-6', 'R-10'],
  summary: "with RSS-bound workstreams every packet is received and handled on its bucket's CPU",
  check: checkBucketAffinity,
};
