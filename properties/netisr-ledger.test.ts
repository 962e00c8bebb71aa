import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../model/trace.ts';
import { NetisrLedger } from './netisr-ledger.ts';
import { batch, dispatch, drop, enqueue, handle } from './test/trace-builder.ts';

const fold = (...events: TraceEvent[]): NetisrLedger => {
  const l = new NetisrLedger();
  for (const ev of events) l.apply(ev);
  return l;
};
const blank = {
  watermarkPackets: 0,
  dispatched: 0,
  hybridDispatched: 0,
  queued: 0,
  qdrops: 0,
  handledFromQueue: 0,
};

describe('NetisrLedger: struct netisr_work rebuilt from the trace (N-8..N-17)', () => {
  it('one ledger per (cpu, protocol), listed in the order first seen', () => {
    const l = new NetisrLedger();
    const a = l.work(1, 'ip');
    expect(l.work(1, 'ip')).toBe(a);
    expect(l.work(0, 'ip')).not.toBe(a);
    expect(l.work(1, 'ip6')).not.toBe(a);
    expect([...l.works()].map((w) => `${w.proto}@${w.cpu}`)).toEqual(['ip@1', 'ip@0', 'ip6@1']);
    expect(a).toEqual({ cpu: 1, proto: 'ip', queue: [], ...blank, qlimitPackets: undefined });
  });

  it('direct and hybrid dispatches count on the target CPU; a queued one only names its protocol', () => {
    const l = fold(
      dispatch({ pkt: 0, toCpu: 1, mode: 'direct' }),
      dispatch({ pkt: 1, toCpu: 1, mode: 'hybrid' }),
      dispatch({ pkt: 2, toCpu: 1, mode: 'hybrid' }),
      dispatch({ pkt: 3, toCpu: 1, proto: 'ip6', mode: 'queued' }),
    );
    expect([...l.works()]).toEqual([
      {
        cpu: 1,
        proto: 'ip',
        queue: [],
        ...blank,
        dispatched: 1,
        hybridDispatched: 2,
        qlimitPackets: undefined,
      },
    ]);
    expect(l.queueDropProto(3)).toBe('ip6');
    expect(l.queueDropProto(0)).toBeUndefined();
  });

  it('an enqueue appends, counts, takes the qlimit and raises the watermark only above it', () => {
    const l = fold(
      enqueue({ pkt: 0, qlimitPackets: 5 }),
      enqueue({ pkt: 1, qlimitPackets: 6 }),
      batch(),
      enqueue({ pkt: 2, qlimitPackets: 7 }),
    );
    expect(l.work(0, 'ip')).toMatchObject({ queue: [2], queued: 3, watermarkPackets: 2, qlimitPackets: 7 });
  });

  it('N-17: a batch takes the whole queue; it is handled when every packet in it was', () => {
    const l = fold(enqueue({ pkt: 0 }), enqueue({ pkt: 1 }), batch({ thread: 2 }));
    expect(l.work(0, 'ip').queue).toEqual([]);
    expect(l.openBatch(0)).toEqual({ proto: 'ip', packets: 2 });
    expect([...l.queuedPackets()]).toEqual([0, 1]);
    l.apply(handle({ pkt: 1, thread: 2 }));
    expect(l.openBatch(0)).toEqual({ proto: 'ip', packets: 2 });
    expect([...l.queuedPackets()]).toEqual([0]);
    expect(l.work(0, 'ip').handledFromQueue).toBe(0);
    l.apply(handle({ pkt: 0, thread: 2 }));
    expect(l.openBatch(0)).toBeUndefined();
    expect(l.work(0, 'ip').handledFromQueue).toBe(2);
    expect([...l.queuedPackets()]).toEqual([]);
  });

  it('a packet queued twice is owed twice', () => {
    const l = fold(enqueue({ pkt: 0 }), enqueue({ pkt: 0 }), batch());
    l.apply(handle({ pkt: 0 }));
    expect(l.openBatch(0)).toEqual({ proto: 'ip', packets: 2 });
    expect([...l.queuedPackets()]).toEqual([0]);
    l.apply(handle({ pkt: 0 }));
    expect(l.openBatch(0)).toBeUndefined();
    expect(l.work(0, 'ip').handledFromQueue).toBe(2);
  });

  it('a packet handled more often than it was queued does not finish the batch for the others', () => {
    const l = fold(enqueue({ pkt: 0 }), enqueue({ pkt: 0 }), enqueue({ pkt: 1 }), batch());
    for (let k = 0; k < 3; k++) l.apply(handle({ pkt: 0 }));
    expect(l.openBatch(0)).toEqual({ proto: 'ip', packets: 3 });
    expect([...l.queuedPackets()]).toEqual([1]);
    l.apply(handle({ pkt: 1 }));
    expect(l.openBatch(0)).toBeUndefined();
  });

  it('handles on another CPU, thread or protocol, or of a packet not in the batch, do not count', () => {
    const l = fold(enqueue({ pkt: 0 }), batch({ thread: 2 }));
    l.apply(handle({ pkt: 0, cpu: 1, thread: 2 }));
    l.apply(handle({ pkt: 0, thread: 3 }));
    l.apply(handle({ pkt: 0, thread: 2, proto: 'ip6' }));
    l.apply(handle({ pkt: 5, thread: 2 }));
    expect(l.openBatch(0)).toEqual({ proto: 'ip', packets: 1 });
    l.apply(handle({ pkt: 0, thread: 2 }));
    expect(l.openBatch(0)).toBeUndefined();
  });

  it('an empty batch ends the open one; queued packets of every queue are listed', () => {
    const l = fold(enqueue({ pkt: 0 }), batch(), batch());
    expect(l.openBatch(0)).toBeUndefined();
    expect(l.work(0, 'ip').handledFromQueue).toBe(0);
    const m = fold(enqueue({ pkt: 3 }), enqueue({ pkt: 4, cpu: 1 }), enqueue({ pkt: 5, proto: 'ip6' }));
    expect([...m.queuedPackets()].sort()).toEqual([3, 4, 5]);
  });

  it('a queue drop counts on the protocol of the latest queued dispatch, with its qlimit if given', () => {
    const l = fold(
      dispatch({ pkt: 0, proto: 'ip6', mode: 'queued' }),
      drop({ pkt: 0, cpu: 1, where: 'netisr-queue', qlimitPackets: 9 }),
      drop({ pkt: 0, cpu: 1, where: 'netisr-queue' }),
      drop({ pkt: 0, cpu: 1, where: 'backlog' }),
      drop({ pkt: 7, cpu: 1, where: 'netisr-queue' }),
    );
    expect([...l.works()]).toEqual([
      { cpu: 1, proto: 'ip6', queue: [], ...blank, qdrops: 2, qlimitPackets: 9 },
    ]);
  });
});
