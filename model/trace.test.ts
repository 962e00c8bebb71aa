import { describe, expect, it } from 'vitest';
import { cpuId, threadId, virtualNs } from './brand.ts';
import { type EndEvent, packetText, type TraceEvent, TraceRecorder } from './trace.ts';

const end: EndEvent = {
  kind: 'end',
  atNs: virtualNs(9),
  outcome: 'trace-full',
  steps: 3,
  busyCpus: [],
  pendingPackets: 0,
};
const ev = (atNs: number): TraceEvent => ({
  kind: 'batch',
  atNs: virtualNs(atNs),
  proto: 'ip',
  cpu: cpuId(0),
  thread: threadId(1),
  packets: 1,
});

describe('TraceRecorder: traceEventsMax, then only the end event', () => {
  it('keeps events up to the limit, marks itself full at the first one past it, always adds the end', () => {
    const t = new TraceRecorder(2);
    t.record(ev(1));
    expect([t.length, t.full]).toEqual([1, false]);
    t.record(ev(2));
    expect([t.length, t.full]).toEqual([2, false]);
    t.record(ev(3));
    expect([t.length, t.full]).toEqual([2, true]);
    const trace = t.finish(end);
    expect(trace.map((e) => e.atNs)).toEqual([1, 2, 9]);
    expect(t.length).toBe(3);
  });
});

describe('packetText', () => {
  it('groups the digits of a packet id in threes, so a derived id reads as its base', () => {
    expect(packetText(0)).toBe('0');
    expect(packetText(999)).toBe('999');
    expect(packetText(1000)).toBe('1,000');
    expect(packetText(1_000_000_000)).toBe('1,000,000,000');
    expect(packetText(1_000_000_012)).toBe('1,000,000,012');
  });
});
