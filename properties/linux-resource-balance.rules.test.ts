import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../model/trace.ts';
import { checkLinuxResourceBalance } from './linux-resource-balance.ts';
import { alloc, deferFree, end, free, ipi, softirq, withHole } from './test/trace-builder.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'linux-resource-balance',
  rule,
  events,
  message,
});
const check = (...events: TraceEvent[]) => checkLinuxResourceBalance(events);
/** A Linux-only event at the end marks the trace as the Linux model's. */
const linux = (...events: TraceEvent[]) => check(...events, ipi({ reason: 'rps' }));
const skb = (buf: number, pkt?: number) => alloc({ buf, what: 'skb', cpu: 0, pkt });
/** skb `buf` of cpu 0 freed on cpu 1 and parked on cpu 0's list, found at `len`; skb_defer_max 4. */
const park = (buf: number, len: number, f: Parameters<typeof deferFree>[0] = {}) =>
  deferFree({ buf, cpu: 1, allocCpu: 0, listLenBefore: len, deferMax: 4, outcome: 'deferred', ...f });
const freeOn = (buf: number, cpu: number) => free({ buf, what: 'skb', cpu, allocCpu: 0 });

describe('linux-resource-balance rules (D2..D7)', () => {
  it('an empty trace passes; a FreeBSD trace passes vacuously', () => {
    expect(check()).toEqual([]);
    expect(check(free({ buf: 1 }), alloc({ buf: 2 }), end())).toEqual([]);
  });

  it('D7: a buffer allocated twice, or freed while not live', () => {
    expect(linux(skb(5), skb(5), freeOn(5, 0))).toEqual([viol('D7', [0, 1], 'buffer 5 allocated twice')]);
    expect(linux(skb(5), freeOn(5, 0), freeOn(5, 0))).toEqual([
      viol('D7', [2], 'skb 5 freed but not live (freed twice, or never allocated)'),
    ]);
    expect(linux(skb(5), freeOn(5, 0), skb(5), freeOn(5, 0))).toEqual([]);
  });

  it('D7 / D5: at a quiescent end every buffer not parked is freed', () => {
    const t = linux(skb(5, 3), alloc({ buf: 7, what: 'tag' }), skb(6), freeOn(6, 0), end());
    expect(t).toEqual([
      viol('D7', [0, 4], 'skb 5 of packet 3 never freed'),
      viol('D5', [1, 4], 'tag 7 of packet ? never freed'),
    ]);
    expect(linux(skb(5), end({ outcome: 'trace-full' }))).toEqual([]);
  });

  it('near miss for D7: an skb parked below the kick threshold may be left at the end', () => {
    expect(check(skb(5), park(5, 0), end())).toEqual([]);
  });

  it('D6: a parked skb freed on another CPU than its allocating one', () => {
    expect(check(skb(5), park(5, 0), freeOn(5, 1))).toEqual([
      viol('D6', [1, 2], 'deferred skb 5 freed on cpu 1, not on its allocating cpu 0'),
    ]);
    expect(check(skb(5), park(5, 0), freeOn(5, 0))).toEqual([]);
    expect(linux(skb(5), freeOn(5, 1))).toEqual([]);
  });

  it("D6: everything on the list when net_rx_action starts is freed by that run's end", () => {
    const start = softirq({ cpu: 0, phase: 'start' });
    const stop = softirq({ cpu: 0, phase: 'end' });
    expect(check(skb(5), park(5, 0), start, stop)).toEqual([
      viol(
        'D6',
        [1, 3],
        "skb 5 was on cpu 0's defer list when net_rx_action started and is still there at its end",
      ),
    ]);
    expect(check(skb(5), park(5, 0), start, freeOn(5, 0), stop)).toEqual([]);
    expect(check(start, skb(5), park(5, 0), stop)).toEqual([]);
    expect(
      check(skb(5), park(5, 0), softirq({ cpu: 1, phase: 'start' }), softirq({ cpu: 1, phase: 'end' })),
    ).toEqual([]);
    expect(check(skb(5), park(5, 0), start, stop, stop)).toHaveLength(1);
  });

  it('D6: a parked skb freed on the wrong CPU is still owed by the owner run', () => {
    const t = check(
      skb(5),
      park(5, 0),
      softirq({ cpu: 0, phase: 'start' }),
      freeOn(5, 1),
      softirq({ cpu: 0, phase: 'end' }),
    );
    expect(t).toEqual([
      viol('D6', [1, 3], 'deferred skb 5 freed on cpu 1, not on its allocating cpu 0'),
      viol(
        'D6',
        [4, 4],
        "skb 5 was on cpu 0's defer list when net_rx_action started and is still there at its end",
      ),
    ]);
  });

  it('D3: a defer-free reports the list length the trace holds', () => {
    expect(check(skb(5), park(5, 2))).toEqual([
      viol('D3', [1], "defer-free reports cpu 0's list at 2, the trace holds 0"),
    ]);
    expect(check(skb(5), skb(6), park(5, 0), park(6, 1))).toEqual([]);
  });

  it('D2: a local free only on the allocating CPU; no parking on the own CPU', () => {
    expect(check(skb(5), park(5, 0, { outcome: 'local', cpu: 1 }))).toEqual([
      viol('D2', [1], 'skb 5 of cpu 0 freed as local on cpu 1'),
    ]);
    expect(check(skb(5), park(5, 0, { outcome: 'local', cpu: 0 }))).toEqual([]);
    expect(check(skb(5), park(5, 0, { cpu: 0 }))).toEqual([
      viol('D2', [1], "skb 5 parked on its own cpu 0's defer list instead of freed at once"),
    ]);
  });

  it('D3: list-full only at skb_defer_max; the list never grows past it', () => {
    expect(check(skb(5), park(5, 0, { outcome: 'list-full' }))).toEqual([
      viol('D3', [1], 'skb 5 freed as list-full with 0 of skb_defer_max 4 on the list'),
    ]);
    const m = { deferMax: 2 };
    const full = [skb(1), skb(2), skb(3), park(1, 0, m), park(2, 1, { ...m, kick: true }), ipi()];
    expect(check(...full, park(3, 2, { ...m, outcome: 'list-full' }))).toEqual([]);
    expect(check(...full, park(3, 2, m))).toEqual([
      viol('D3', [6], "cpu 0's defer list grows to 3, over skb_defer_max 2"),
    ]);
    expect(check(...full.slice(0, 4), park(2, 1, { ...m, outcome: 'list-full' }))).toEqual([
      viol('D3', [4], 'skb 2 freed as list-full with 1 of skb_defer_max 2 on the list'),
    ]);
  });

  it('D4: only the insert that finds skb_defer_max / 2 kicks, and its IPI follows', () => {
    const two = [skb(1), skb(2), skb(3), park(1, 0), park(2, 1)];
    expect(check(...two, park(3, 2, { kick: true }), ipi({ toCpu: 0, reason: 'defer' }))).toEqual([]);
    expect(check(...two, park(3, 2))).toEqual([
      viol('D4', [5], 'insert at list length 2 with skb_defer_max 4: kick false, want true'),
    ]);
    expect(check(skb(1), park(1, 0, { kick: true }), ipi())).toEqual([
      viol('D4', [1], 'insert at list length 0 with skb_defer_max 4: kick true, want false'),
    ]);
    const odd = [skb(1), skb(2), skb(3), park(1, 0, { deferMax: 5 }), park(2, 1, { deferMax: 5 })];
    expect(check(...odd, park(3, 2, { deferMax: 5, kick: true }), ipi())).toEqual([]);
  });

  it('D4: a kick sends an IPI for defer to the owner, as the next event', () => {
    const two = [skb(1), skb(2), skb(3), park(1, 0), park(2, 1), park(3, 2, { kick: true })];
    const noIpi = [viol('D4', [5], "kick for cpu 0's defer list sent no IPI")];
    expect(check(...two)).toEqual(noIpi);
    expect(check(...two, ipi({ toCpu: 1, reason: 'defer' }))).toEqual(noIpi);
    expect(check(...two, ipi({ toCpu: 0, reason: 'rps' }))).toEqual(noIpi);
    expect(check(...two, softirq({ cpu: 3 }), ipi({ toCpu: 0, reason: 'defer' }))).toEqual(noIpi);
  });

  it('D5: a parked skb holds no secpath tag', () => {
    const tag = alloc({ buf: 7, what: 'tag', pkt: 3 });
    expect(check(skb(5, 3), tag, park(5, 0, { pkt: 3 }))).toEqual([
      viol('D5', [2], 'skb 5 parked with its secpath extension (tag 7) still held'),
    ]);
    expect(check(skb(5, 3), tag, free({ buf: 7, what: 'tag', pkt: 3 }), park(5, 0, { pkt: 3 }))).toEqual([]);
    expect(check(skb(5, 3), alloc({ buf: 7, what: 'tag' }), park(5, 0, { pkt: 3 }))).toEqual([]);
    expect(check(skb(5, 3), alloc({ buf: 7, what: 'mbuf', pkt: 3 }), park(5, 0, { pkt: 3 }))).toEqual([]);
    expect(
      check(skb(5, 3), tag, free({ buf: 7, what: 'mbuf', pkt: 3 }), park(5, 0, { pkt: 3 })),
    ).toHaveLength(1);
    expect(check(skb(5, 3), tag, free({ buf: 7, what: 'tag' }), park(5, 0, { pkt: 3 }))).toHaveLength(1);
  });

  it('D4: at a quiescent end no list holds more than skb_defer_max / 2', () => {
    const three = [skb(1), skb(2), skb(3), park(1, 0), park(2, 1), park(3, 2, { kick: true }), ipi()];
    expect(check(...three, end())).toEqual([
      viol(
        'D4',
        [7],
        "cpu 0's defer list ends the run holding 3 skbs, over the kick threshold 2: never drained",
      ),
    ]);
    expect(check(skb(1), skb(2), park(1, 0), park(2, 1), end())).toEqual([]);
    expect(check(...three, freeOn(3, 0), end())).toEqual([]);
  });

  it('skips holes in a trace', () => {
    expect(checkLinuxResourceBalance(withHole(freeOn(5, 0), ipi()))[0]?.events).toEqual([1]);
  });

  it('stops at VIOLATIONS_MAX, in the loop and among leaks, even when one event shows two faults', () => {
    const twice = Array.from({ length: 70 }, (_, k) => freeOn(k, 0));
    expect(linux(...twice)).toHaveLength(64);
    const leaks = [...Array.from({ length: 70 }, (_, k) => skb(k)), end()];
    expect(linux(...leaks)).toHaveLength(64);
    const t = check(...twice.slice(0, 63), skb(100), park(100, 1, { cpu: 0 }));
    expect(t).toHaveLength(64);
    expect(t[63]?.message).toBe("defer-free reports cpu 0's list at 1, the trace holds 0");
    const some = linux(...twice.slice(0, 10), ...leaks);
    expect(some).toHaveLength(64);
  });
});
