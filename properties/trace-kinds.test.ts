import { describe, expect, it } from 'vitest';
import { cpuId, packetId, virtualNs } from '../model/brand.ts';
import type { TraceEvent } from '../model/trace.ts';
import { checkBufferBalance } from './buffer-balance.ts';
import { alloc, enqueue, softirq, withHole } from './test/trace-builder.ts';
import { eventsOfKind, holdsAnyKind } from './trace-kinds.ts';

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
    expect([...eventsOfKind(trace, 'end')]).toEqual([0]);
    expect(holdsAnyKind(trace, ['free', 'alloc'])).toBe(false);
    // A checker that passed vacuously before the free judges it once the trace holds it.
    expect(checkBufferBalance(trace)).toEqual([]);
    trace.unshift(free);
    expect(holdsAnyKind(trace, ['free', 'alloc'])).toBe(true);
    expect([[...eventsOfKind(trace, 'free')], [...eventsOfKind(trace, 'end')]]).toEqual([[0], [1]]);
    expect(checkBufferBalance(trace).map((v) => v.message)).toEqual([
      'mbuf 7 of packet 1 freed but never allocated',
    ]);
  });

  it('each kind its indexes in trace order, across runs and returns to a kind; holes skipped', () => {
    const t = withHole(enqueue(), enqueue(), alloc(), enqueue(), softirq());
    // biome-ignore lint/complexity/useIndexOf: indexOf skips a hole; findIndex visits it.
    const holeAt = t.findIndex((ev) => ev === undefined);
    const indexes = (kind: TraceEvent['kind']) =>
      t.flatMap((ev, i) => (ev?.kind === kind && i !== holeAt ? [i] : []));
    for (const kind of ['enqueue', 'alloc', 'softirq', 'end'] as const)
      expect([...eventsOfKind(t, kind)]).toEqual(indexes(kind));
    expect([...eventsOfKind(t, 'enqueue')]).toHaveLength(3);
    expect(eventsOfKind(t, 'enqueue')).toBe(eventsOfKind(t, 'enqueue'));
    expect(holdsAnyKind(t, ['end', 'softirq'])).toBe(true);
    expect(holdsAnyKind(t, ['end', 'free'])).toBe(false);
    expect(holdsAnyKind(t, [])).toBe(false);
    const gap: TraceEvent[] = [enqueue()];
    gap.length = 2;
    gap.push(alloc(), enqueue());
    expect([[...eventsOfKind(gap, 'enqueue')], [...eventsOfKind(gap, 'alloc')]]).toEqual([[0, 3], [2]]);
  });
});
