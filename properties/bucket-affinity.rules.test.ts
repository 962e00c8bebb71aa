import { describe, expect, it } from 'vitest';
import { checkBucketAffinity } from './bucket-affinity.ts';
import { arrive, deliver, drop, handle, reassembled, withHole } from './test/trace-builder.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'bucket-affinity',
  rule,
  events,
  message,
});

describe('bucket-affinity rules (R-6, R-10)', () => {
  it('an empty trace passes', () => {
    expect(checkBucketAffinity([])).toEqual([]);
  });

  it('R-6: a packet arriving on a ring of another CPU than its bucket', () => {
    const t = [arrive({ pkt: 2, hash: 0xab, bucket: 3, ring: 1, cpu: 0, bucketCpu: 1 })];
    expect(checkBucketAffinity(t)).toEqual([
      viol('R-6', [0], 'packet 2 (hash 0xab, bucket 3) on ring 1 of cpu 0, its bucket is on cpu 1'),
    ]);
  });

  it('near miss: arrival on the bucket CPU, or with no promise', () => {
    expect(checkBucketAffinity([arrive({ cpu: 1, bucketCpu: 1 })])).toEqual([]);
    expect(checkBucketAffinity([arrive({ cpu: 1, bucketCpu: undefined }), handle({ cpu: 0 })])).toEqual([]);
  });

  it('R-10: handled and delivered off the bucket CPU', () => {
    const t = [
      arrive({ pkt: 2, cpu: 1, bucketCpu: 1 }),
      handle({ pkt: 2, proto: 'ip6', cpu: 0 }),
      deliver({ pkt: 2, cpu: 0 }),
    ];
    expect(checkBucketAffinity(t)).toEqual([
      viol('R-10', [0, 1], 'packet 2 ip6_input on cpu 0, its bucket is on cpu 1'),
      viol('R-10', [0, 2], 'packet 2 delivered on cpu 0, its bucket is on cpu 1'),
    ]);
  });

  it('near miss: handled and delivered on the bucket CPU; another packet unjudged', () => {
    const t = [
      arrive({ pkt: 2, cpu: 1, bucketCpu: 1 }),
      handle({ pkt: 2, cpu: 1 }),
      deliver({ pkt: 2, cpu: 1 }),
    ];
    expect(checkBucketAffinity(t)).toEqual([]);
    expect(
      checkBucketAffinity([arrive({ pkt: 2, cpu: 1, bucketCpu: 1 }), handle({ pkt: 3, cpu: 0 })]),
    ).toEqual([]);
    // Only handle and deliver are judged: a drop elsewhere is not a placement.
    expect(checkBucketAffinity([arrive({ pkt: 2, cpu: 1, bucketCpu: 1 }), drop({ pkt: 2, cpu: 0 })])).toEqual(
      [],
    );
  });

  it("R-10: a reassembled datagram handled off its full-tuple bucket's CPU", () => {
    const t = [reassembled({ pkt: 9, fullBucketCpu: 1 }), handle({ pkt: 9, cpu: 0 })];
    expect(checkBucketAffinity(t)).toEqual([
      viol('R-10', [0, 1], 'packet 9 ip_input on cpu 0, its bucket is on cpu 1'),
    ]);
    expect(
      checkBucketAffinity([reassembled({ pkt: 9, fullBucketCpu: 1 }), handle({ pkt: 9, cpu: 1 })]),
    ).toEqual([]);
    expect(
      checkBucketAffinity([reassembled({ pkt: 9, fullBucketCpu: undefined }), handle({ pkt: 9 })]),
    ).toEqual([]);
  });

  it('stops at VIOLATIONS_MAX and skips holes', () => {
    const bad = Array.from({ length: 70 }, (_, pkt) => arrive({ pkt, cpu: 0, bucketCpu: 1 }));
    expect(checkBucketAffinity(bad)).toHaveLength(64);
    expect(checkBucketAffinity(withHole(arrive({ cpu: 0, bucketCpu: 1 })))[0]?.events).toEqual([1]);
  });
});
