import { describe, expect, it } from 'vitest';
import { sampleReportInput } from '../harness/fixtures/report-sample.ts';
import { cpuId, packetId, threadId, virtualNs } from '../model/brand.ts';
import type { TraceEvent } from '../model/trace.ts';
import { EVENT_KINDS, layoutTimeline, SLOT_PX } from './layout.ts';

const input = sampleReportInput(40);
const layout = layoutTimeline(input.trace);

describe('timeline layout (one lane per CPU, a sub-lane per thread, virtual time across)', () => {
  it('groups lanes by CPU and names each thread by what it does', () => {
    expect(layout.cpus).toEqual([0, 1, 2, 3]);
    const byCpu = (cpu: number) => layout.lanes.filter((l) => l.cpu === cpu).map((l) => l.kind);
    // Two rx rings on CPUs 0 and 1; a netisr SWI on every CPU (maxthreads -1).
    expect(byCpu(0)).toEqual(['ithread', 'netisr']);
    expect(byCpu(1)).toEqual(['ithread', 'netisr']);
    expect(byCpu(2)).toEqual(['netisr']);
    expect(layout.lanes.every((l) => l.thread !== null)).toBe(true);
  });

  it('puts every event on the lane of the thread that ran it', () => {
    input.trace.forEach((ev, i) => {
      const lane = layout.lanes[layout.lane[i] ?? -1];
      if (ev.kind === 'handle' || ev.kind === 'batch')
        expect(lane).toMatchObject({ cpu: ev.cpu, thread: ev.thread });
      if (ev.kind === 'dispatch') expect(lane).toMatchObject({ cpu: ev.fromCpu, thread: ev.thread });
      if (ev.kind === 'enqueue') expect(lane).toMatchObject({ cpu: ev.cpu, kind: 'netisr' });
      if (ev.kind === 'counters' || ev.kind === 'end') expect(layout.lane[i]).toBe(-1);
    });
  });

  it('keeps virtual time order across, and never stacks two marks of one lane on one spot', () => {
    const seen = new Set<string>();
    input.trace.forEach((ev, i) => {
      const x = layout.x[i] ?? -1;
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(layout.widthPx);
      const spot = `${layout.lane[i]}:${x}`;
      expect(seen.has(spot)).toBe(false);
      seen.add(spot);
      const later = input.trace.findIndex((e) => e.atNs > ev.atNs);
      if (later >= 0) expect(layout.x[later]).toBeGreaterThan(x);
    });
    expect(layout.byX.map((i) => layout.x[i])).toEqual([...layout.x].sort((a, b) => a - b));
    expect(layout.ticks[0]).toEqual([0, input.trace[0]?.atNs]);
  });

  it('draws a queue hand-off from each queued dispatch to the handle on the target CPU', () => {
    const queued = input.trace.flatMap((ev, i) =>
      ev.kind === 'dispatch' && ev.mode === 'queued' ? [i] : [],
    );
    expect(layout.arrows.length).toBe(queued.length);
    for (const [from, to, cross] of layout.arrows) {
      const a = input.trace[from];
      const b = input.trace[to];
      if (a?.kind !== 'dispatch') throw new Error(`arrow from ${a?.kind}`);
      expect(b && 'pkt' in b ? b.pkt : undefined).toBe(a.pkt);
      if (b?.kind === 'handle') expect(b.cpu).toBe(a.toCpu);
      else expect(b?.kind).toBe('drop');
      expect(cross).toBe(a.fromCpu === a.toCpu ? 0 : 1);
    }
    expect(layout.arrows.some(([, , cross]) => cross === 1)).toBe(true);
  });

  it('labels every drop with the counter it bumped, and colours marks by flow', () => {
    const drops = input.trace.flatMap((ev, i) => (ev.kind === 'drop' ? [[i, ev.counter]] : []));
    expect(drops.length).toBeGreaterThan(0);
    expect(layout.labels).toEqual(drops);
    expect(layout.labels.every(([, c]) => c === 'ip.QDrops')).toBe(true);
    expect(layout.flows).toBe(5);
    input.trace.forEach((ev, i) => {
      if ('flow' in ev) expect(layout.flow[i]).toBe(ev.flow);
      expect(EVENT_KINDS[layout.kind[i] ?? -1]).toBe(ev.kind);
    });
  });

  it('places Linux events: net_rx_action and NAPI polls on a NAPI lane, an IPI as a hand-off', () => {
    const at = (ns: number) => ({ atNs: virtualNs(ns) });
    const trace: TraceEvent[] = [
      {
        kind: 'softirq',
        ...at(0),
        cpu: cpuId(0),
        thread: threadId(7),
        phase: 'start',
        budgetPackets: 300,
        timeLimitNs: 2e6,
        squeezed: false,
      },
      {
        kind: 'napi-poll',
        ...at(0),
        cpu: cpuId(0),
        thread: threadId(7),
        napi: 'rxq0',
        weight: 64,
        work: 3,
        budgetLeftBeforePackets: 300,
        startNs: 0,
        completed: true,
      },
      { kind: 'ipi', ...at(0), fromCpu: cpuId(0), toCpu: cpuId(1), reason: 'rps' },
      {
        kind: 'softirq',
        ...at(1000),
        cpu: cpuId(1),
        thread: threadId(8),
        phase: 'start',
        budgetPackets: 300,
        timeLimitNs: 2e6,
        squeezed: false,
      },
      {
        kind: 'defer-free',
        ...at(2000),
        buf: 1,
        pkt: packetId(0),
        cpu: cpuId(1),
        allocCpu: cpuId(0),
        outcome: 'deferred',
        listLenBefore: 0,
        deferMax: 64,
        kick: false,
      },
    ];
    const l = layoutTimeline(trace);
    expect(l.lanes.map((lane) => [lane.cpu, lane.kind, lane.thread])).toEqual([
      [0, 'napi', 7],
      [1, 'napi', 8],
    ]);
    expect(l.arrows).toEqual([[2, 3, 1]]);
    expect(l.lane[4]).toBe(1);
    // Three events at one instant on one lane take three slots.
    expect([l.x[0], l.x[1], l.x[2]]).toEqual([SLOT_PX / 2, SLOT_PX * 1.5, SLOT_PX * 2.5]);
  });
});
