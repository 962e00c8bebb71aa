import { describe, expect, it } from 'vitest';
import { checkLiveness } from './liveness.ts';
import { batch, counters, end, enqueue, handle, row, withHole } from './test/trace-builder.ts';

const viol = (events: number[], message: string) => ({
  property: 'liveness',
  rule: 'INV-PROGRESS',
  events,
  message,
});
const quiet = end({ outcome: 'quiescent' });
const snapshot = (lenPackets: number) => counters({}, { netisr: [row({ proto: 'ip', cpu: 1, lenPackets })] });

describe('liveness rules (INV-PROGRESS, N-8)', () => {
  it('an empty trace, one without an end and a quiescent end with nothing left pass', () => {
    expect(checkLiveness([])).toEqual([]);
    expect(checkLiveness([enqueue({ pkt: 0 })])).toEqual([]);
    expect(checkLiveness([enqueue({ pkt: 0 }), batch(), handle({ pkt: 0 }), quiet])).toEqual([]);
  });

  it('a run that did not end quiescent', () => {
    expect(checkLiveness([end({ outcome: 'steps-exhausted', steps: 7 })])).toEqual([
      viol([0], 'run ended steps-exhausted after 7 steps, want quiescent'),
    ]);
  });

  it('busy workstreams and workload never injected at the end', () => {
    expect(checkLiveness([end({ busyCpus: [1, 2] })])).toEqual([
      viol([0], 'workstreams still busy or pending on cpu 1, 2'),
    ]);
    expect(checkLiveness([end({ pendingPackets: 3 })])).toEqual([
      viol([0], '3 workload items never reached the stack'),
    ]);
  });

  it('the last netisr snapshot shows a queue left full; an earlier one does not count', () => {
    expect(checkLiveness([snapshot(2), quiet])).toEqual([viol([0], 'ip on cpu 1: 2 packets left queued')]);
    expect(checkLiveness([snapshot(2), snapshot(0), quiet])).toEqual([]);
  });

  it('the trace leaves packets queued: the first is named where it was queued', () => {
    const t = [enqueue({ pkt: 4, cpu: 1 }), enqueue({ pkt: 5, cpu: 1 }), quiet];
    expect(checkLiveness(t)).toEqual([
      viol([0, 2], 'ip on cpu 1: the trace leaves packet 4 and 1 more queued'),
    ]);
  });

  it('a batch taken but not finished', () => {
    expect(
      checkLiveness([enqueue({ pkt: 0 }), enqueue({ pkt: 1 }), batch(), handle({ pkt: 0 }), quiet]),
    ).toEqual([viol([4], 'cpu 0: a ip batch of 2 was never finished')]);
  });

  it('events after the end are not read; a hole is skipped', () => {
    expect(checkLiveness([quiet, enqueue({ pkt: 0 })])).toEqual([]);
    expect(checkLiveness([quiet, snapshot(2)])).toEqual([]);
    expect(checkLiveness(withHole(enqueue({ pkt: 0 }), quiet))).toEqual([
      viol([1, 2], 'ip on cpu 0: the trace leaves packet 0 and 0 more queued'),
    ]);
  });
});
