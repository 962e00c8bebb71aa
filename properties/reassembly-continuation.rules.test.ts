import { describe, expect, it } from 'vitest';
import { checkReassemblyContinuation } from './reassembly-continuation.ts';
import { arrive, deliver, drop, frag, handle, reassembled, withHole } from './test/trace-builder.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'reassembly-continuation',
  rule,
  events,
  message,
});
const tcpFrag = arrive({ pkt: 1, fragment: true, frag: frag({ ipProto: 6, datagram: 'dg' }) });

describe('reassembly-continuation rules (F-26, F-27, F-28)', () => {
  it('an empty trace passes', () => {
    expect(checkReassemblyContinuation([])).toEqual([]);
  });

  it('F-26: a TCP datagram rehashed on a hash type other than its 4-tuple', () => {
    const t = [tcpFrag, reassembled({ datagram: 'dg', fullBucket: 2, fullHashType: 'rss-ipv4' })];
    expect(checkReassemblyContinuation(t)).toEqual([
      viol('F-26', [1], 'dg rehashed as rss-ipv4, a TCP datagram wants its 4-tuple hash'),
    ]);
  });

  it('near miss for F-26: a 4-tuple hash; no bucket; a UDP datagram; another datagram', () => {
    const ok = (ipProto: number, r: Parameters<typeof reassembled>[0]) =>
      checkReassemblyContinuation([
        arrive({ pkt: 1, fragment: true, frag: frag({ ipProto, datagram: 'dg' }) }),
        reassembled({ datagram: 'dg', fullBucket: 2, fullHashType: 'rss-ipv4', ...r }),
      ]);
    expect(ok(6, { fullHashType: 'rss-tcp-ipv6' })).toEqual([]);
    expect(ok(6, { fullBucket: undefined })).toEqual([]);
    expect(ok(17, {})).toEqual([]);
    expect(ok(6, { datagram: 'other' })).toEqual([]);
    expect(checkReassemblyContinuation([arrive({ pkt: 1 }), reassembled({ fullBucket: 2 })])).toEqual([]);
  });

  it('F-27: handled and delivered off the full-tuple bucket CPU', () => {
    const t = [
      reassembled({ pkt: 9, datagram: 'dg', cpu: 0, fullBucketCpu: 1 }),
      handle({ pkt: 9, proto: 'ip6', cpu: 0 }),
      deliver({ pkt: 9, cpu: 2 }),
    ];
    expect(checkReassemblyContinuation(t)).toEqual([
      viol('F-27', [0, 1], 'dg reached ip6_input on cpu 0, want cpu 1'),
      viol('F-27', [0, 2], 'dg reached the upper layer on cpu 2, want cpu 1'),
    ]);
  });

  it('near miss for F-27: on the bucket CPU; another packet', () => {
    const r = reassembled({ pkt: 9, cpu: 0, fullBucketCpu: 1 });
    expect(checkReassemblyContinuation([r, handle({ pkt: 9, cpu: 1 }), deliver({ pkt: 9, cpu: 1 })])).toEqual(
      [],
    );
    expect(checkReassemblyContinuation([r, handle({ pkt: 8, cpu: 0 })])).toEqual([]);
    // Only handle and deliver are judged: a drop elsewhere is not where it went up.
    expect(checkReassemblyContinuation([r, drop({ pkt: 9, cpu: 0 })])).toEqual([]);
  });

  it('F-28: without a promise an inline datagram stays on the reassembling CPU', () => {
    const t = [
      reassembled({ pkt: 9, datagram: 'dg', cpu: 1, continuation: 'inline' }),
      deliver({ pkt: 9, cpu: 0 }),
    ];
    expect(checkReassemblyContinuation(t)).toEqual([
      viol('F-28', [0, 1], 'dg reached the upper layer on cpu 0, want cpu 1'),
    ]);
    const same = [reassembled({ pkt: 9, cpu: 1, continuation: 'inline' }), deliver({ pkt: 9, cpu: 1 })];
    expect(checkReassemblyContinuation(same)).toEqual([]);
  });

  it('near miss for F-28: a re-injected datagram without a promise may move', () => {
    const t = [reassembled({ pkt: 9, cpu: 1, continuation: 'reinject' }), deliver({ pkt: 9, cpu: 0 })];
    expect(checkReassemblyContinuation(t)).toEqual([]);
  });

  it('stops at VIOLATIONS_MAX and skips holes', () => {
    const r = reassembled({ pkt: 9, cpu: 1, fullBucketCpu: 1 });
    const bad = [r, ...Array.from({ length: 70 }, () => deliver({ pkt: 9, cpu: 0 }))];
    expect(checkReassemblyContinuation(bad)).toHaveLength(64);
    expect(checkReassemblyContinuation(withHole(r, deliver({ pkt: 9, cpu: 0 })))[0]?.events).toEqual([1, 2]);
  });
});
