import { describe, expect, it } from 'vitest';
import { cpuId, threadId, virtualNs } from './brand.ts';
import { type EndEvent, packetText, TRACE_CHUNK_EVENTS, type TraceEvent, TraceRecorder } from './trace.ts';

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

describe('TraceRecorder: events kept in chunks, joined in order', () => {
  const recorded = (count: number, max = count) => {
    const t = new TraceRecorder(max);
    for (let i = 0; i < count; i++) t.record(ev(i));
    return { t, trace: t.finish({ ...end, atNs: virtualNs(count) }) };
  };

  it('answers every event in order, whatever the count around a chunk boundary, counted as it goes', () => {
    const c = TRACE_CHUNK_EVENTS;
    for (const count of [0, 1, c - 2, c - 1, c, c + 1, 2 * c - 1, 2 * c, 3 * c + 7]) {
      const { t, trace } = recorded(count);
      expect(trace.map((e) => e.atNs)).toEqual(Array.from({ length: count + 1 }, (_, i) => i));
      expect(t.length).toBe(count + 1);
      expect(Array.isArray(trace)).toBe(true);
    }
  });

  it('stops at the limit in a later chunk as in the first', () => {
    const max = 2 * TRACE_CHUNK_EVENTS + 3;
    const { t, trace } = recorded(max + 10, max);
    expect(t.full).toBe(true);
    expect(trace).toHaveLength(max + 1);
    expect(trace.at(-2)?.atNs).toBe(max - 1);
    expect(trace.at(-1)?.kind).toBe('end');
  });

  it('joins more chunks than one concat call takes', () => {
    // One shared event fills each chunk but its first: the chunks' order is what is checked.
    const chunks = 1030;
    const t = new TraceRecorder(chunks * TRACE_CHUNK_EVENTS);
    const filler = ev(999_999);
    for (let c = 0; c < chunks; c++) {
      t.record(ev(c));
      for (let i = 1; i < TRACE_CHUNK_EVENTS; i++) t.record(filler);
    }
    const trace = t.finish(end);
    expect(trace).toHaveLength(chunks * TRACE_CHUNK_EVENTS + 1);
    for (let c = 0; c < chunks; c++) {
      const at = c * TRACE_CHUNK_EVENTS;
      if (trace[at]?.atNs !== c || trace[at + 1] !== filler) expect.unreachable(`chunk ${c} out of place`);
    }
    expect(trace.at(-1)).toBe(end);
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
