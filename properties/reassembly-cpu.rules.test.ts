import { describe, expect, it } from 'vitest';
import { checkReassemblyCpu } from './reassembly-cpu.ts';
import { arrive, fragHold, reassembled, withHole } from './test/trace-builder.ts';

const f29 = (events: number[], message: string) => ({
  property: 'reassembly-cpu',
  rule: 'F-29',
  events,
  message,
});

describe('reassembly-cpu rules (F-29)', () => {
  it('an empty trace passes', () => {
    expect(checkReassemblyCpu([])).toEqual([]);
  });

  it('F-29: a fragment held off its 2-tuple bucket CPU', () => {
    const t = [fragHold({ pkt: 3, datagram: 'dg', cpu: 0, bucket: 7, bucketCpu: 1 })];
    expect(checkReassemblyCpu(t)).toEqual([
      f29([0], 'fragment 3 of dg held on cpu 0, its 2-tuple bucket 7 is on cpu 1'),
    ]);
  });

  it('near miss: held on the bucket CPU, or with no promise', () => {
    expect(checkReassemblyCpu([fragHold({ cpu: 1, bucketCpu: 1 })])).toEqual([]);
    expect(checkReassemblyCpu([fragHold({ cpu: 1, bucketCpu: undefined })])).toEqual([]);
  });

  it('F-29: a datagram reassembled off the CPU its fragment was promised to', () => {
    const t = [
      arrive({ pkt: 5, fragment: true, bucketCpu: 1 }),
      reassembled({ datagram: 'dg', cpu: 0, fragments: [5] }),
    ];
    expect(checkReassemblyCpu(t)).toEqual([
      f29([0, 1], 'dg reassembled on cpu 0, but its fragment 5 belongs to cpu 1'),
    ]);
  });

  it('near miss: reassembled on the promised CPU; no promise; not a fragment', () => {
    const at = (a: Parameters<typeof arrive>[0], cpu: number) =>
      checkReassemblyCpu([arrive({ pkt: 5, ...a }), reassembled({ cpu, fragments: [5] })]);
    expect(at({ fragment: true, bucketCpu: 1 }, 1)).toEqual([]);
    expect(at({ fragment: true, bucketCpu: undefined }, 0)).toEqual([]);
    expect(at({ fragment: false, bucketCpu: 1 }, 0)).toEqual([]);
    expect(checkReassemblyCpu([reassembled({ cpu: 0, fragments: [9] })])).toEqual([]);
  });

  it('one violation per datagram, naming its first misplaced fragment', () => {
    const t = [
      arrive({ pkt: 5, fragment: true, bucketCpu: 1 }),
      arrive({ pkt: 6, fragment: true, bucketCpu: 1 }),
      reassembled({ datagram: 'dg', cpu: 0, fragments: [5, 6] }),
    ];
    expect(checkReassemblyCpu(t)).toEqual([
      f29([0, 2], 'dg reassembled on cpu 0, but its fragment 5 belongs to cpu 1'),
    ]);
  });

  it('stops at VIOLATIONS_MAX and skips holes', () => {
    const bad = Array.from({ length: 70 }, (_, pkt) => fragHold({ pkt, cpu: 0, bucketCpu: 1 }));
    expect(checkReassemblyCpu(bad)).toHaveLength(64);
    expect(checkReassemblyCpu(withHole(fragHold({ cpu: 0, bucketCpu: 1 })))[0]?.events).toEqual([1]);
  });
});
