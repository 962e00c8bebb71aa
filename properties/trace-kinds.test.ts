import { describe, expect, it } from 'vitest';
import { cpuId, packetId, virtualNs } from '../model/brand.ts';
import type { TraceEvent } from '../model/trace.ts';
import { checkBufferBalance } from './buffer-balance.ts';
import { alloc, enqueue, softirq, withHole } from './test/trace-builder.ts';
import { holdsAnyKind, kindsOf } from './trace-kinds.ts';

const at = { atNs: virtualNs(0), cpu: cpuId(0), pkt: packetId(1) };
const free: TraceEvent = { kind: 'free', ...at, buf: 7, what: 'mbuf', allocCpu: cpuId(0) };
const end: TraceEvent = {
  kind: 'end',
  atNs: virtualNs(0),
  outcome: 'quiescent',
  steps: 1,
  busyCpus: [],
  pendingPackets: 0,
};

describe('the event kinds of a trace, found once', () => {
  it('answers the kinds present, and again after the trace grew', () => {
    const trace: TraceEvent[] = [end];
    expect([...kindsOf(trace)]).toEqual(['end']);
    expect(holdsAnyKind(trace, ['free', 'alloc'])).toBe(false);
    // A checker that passed vacuously before the free judges it once the trace holds it.
    expect(checkBufferBalance(trace)).toEqual([]);
    trace.unshift(free);
    expect(holdsAnyKind(trace, ['free', 'alloc'])).toBe(true);
    expect(checkBufferBalance(trace).map((v) => v.message)).toEqual([
      'mbuf 7 of packet 1 freed but never allocated',
    ]);
  });

  it('every kind once, in first-seen order, across runs and returns to a kind; holes skipped', () => {
    const t = withHole(enqueue(), enqueue(), alloc(), enqueue(), softirq());
    expect([...kindsOf(t)]).toEqual(['enqueue', 'alloc', 'softirq']);
    expect(kindsOf(t)).toBe(kindsOf(t));
    expect(holdsAnyKind(t, ['end', 'softirq'])).toBe(true);
    expect(holdsAnyKind(t, [])).toBe(false);
    const gap: TraceEvent[] = [enqueue()];
    gap.length = 2;
    gap.push(alloc());
    expect([...kindsOf(gap)]).toEqual(['enqueue', 'alloc']);
  });
});
