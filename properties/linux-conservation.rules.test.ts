import { describe, expect, it } from 'vitest';
import { checkLinuxConservation } from './linux-conservation.ts';
import { arrive, counters, deliver, drop, end, kernel } from './test/trace-builder.ts';
import { VIOLATIONS_MAX } from './violation.ts';

const viol = (events: number[], message: string) => ({
  property: 'linux-conservation',
  rule: 'INV-CONSERVE',
  events,
  message,
});
const linux = kernel();
const quiet = end({ outcome: 'quiescent' });
const backlogDrop = (pkt: number) => drop({ pkt, counter: 'softnet_cpu0.dropped' });

describe('linux-conservation rules (INV-CONSERVE)', () => {
  it('an empty trace passes; a FreeBSD trace passes vacuously', () => {
    expect(checkLinuxConservation([])).toEqual([]);
    expect(checkLinuxConservation([arrive({ pkt: 0 }), quiet])).toEqual([]);
  });

  it('a packet read or dropped that never arrived', () => {
    expect(checkLinuxConservation([linux, deliver({ pkt: 4, flow: 1 })])).toEqual([
      viol([1], 'packet 4 (flow 1) read but never arrived'),
    ]);
    expect(checkLinuxConservation([linux, drop({ pkt: 4, flow: 1 })])).toEqual([
      viol([1], 'packet 4 (flow 1) dropped but never arrived'),
    ]);
    expect(checkLinuxConservation([linux, arrive({ pkt: 4 }), deliver({ pkt: 4, flow: 1 }), quiet])).toEqual(
      [],
    );
  });

  it('a packet that ends twice', () => {
    expect(
      checkLinuxConservation([linux, arrive({ pkt: 0 }), deliver({ pkt: 0 }), drop({ pkt: 0 })]),
    ).toEqual([viol([2, 3], 'packet 0 (flow 0) ends twice')]);
    const thrice = [linux, arrive({ pkt: 0 }), deliver({ pkt: 0 }), deliver({ pkt: 0 }), drop({ pkt: 0 })];
    expect(checkLinuxConservation(thrice)).toEqual([
      viol([2, 3], 'packet 0 (flow 0) ends twice'),
      viol([3, 4], 'packet 0 (flow 0) ends twice'),
    ]);
  });

  it('at a quiescent end a packet neither read nor dropped is lost; before it, or at another end, not yet', () => {
    expect(
      checkLinuxConservation([linux, arrive({ pkt: 0 }), arrive({ pkt: 1 }), deliver({ pkt: 1 }), quiet]),
    ).toEqual([viol([1], 'packet 0 arrived but was neither read nor dropped with a counter')]);
    expect(checkLinuxConservation([linux, arrive({ pkt: 0 })])).toEqual([]);
    expect(checkLinuxConservation([linux, arrive({ pkt: 0 }), end({ outcome: 'steps-exhausted' })])).toEqual(
      [],
    );
  });

  it('each counter moves by exactly the drops that name it', () => {
    const drops = [linux, arrive({ pkt: 0 }), arrive({ pkt: 1 }), backlogDrop(0), backlogDrop(1)];
    expect(checkLinuxConservation([...drops, counters({ 'softnet_cpu0.dropped': 1 }), quiet])).toEqual([
      viol([5], 'softnet_cpu0.dropped moved by 1, but the trace shows 2 drops counted there'),
    ]);
    expect(checkLinuxConservation([...drops, counters({ 'softnet_cpu0.dropped': 2 }), quiet])).toEqual([]);
    expect(checkLinuxConservation([...drops, counters({ 'Udp.RcvbufErrors': 0 }), quiet])).toEqual([]);
    expect(checkLinuxConservation([...drops, quiet])).toEqual([]);
    expect(checkLinuxConservation([...drops, counters({ 'softnet_cpu0.dropped': 1 })])).toEqual([]);
  });

  it(`reports at most VIOLATIONS_MAX (${VIOLATIONS_MAX})`, () => {
    const reads = Array.from({ length: VIOLATIONS_MAX + 1 }, (_, pkt) => deliver({ pkt }));
    expect(checkLinuxConservation([linux, ...reads])).toHaveLength(VIOLATIONS_MAX);
    const lost = Array.from({ length: VIOLATIONS_MAX + 1 }, (_, pkt) => arrive({ pkt }));
    expect(checkLinuxConservation([linux, ...lost, quiet])).toHaveLength(VIOLATIONS_MAX);
  });
});
