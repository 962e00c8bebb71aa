import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../model/trace.ts';
import { checkLinuxKernelVersion } from './linux-kernel-version.ts';
import { deferFree, deliver, free, kernel, softirq } from './test/trace-builder.ts';
import { VIOLATIONS_MAX } from './violation.ts';

const viol = (events: number[], message: string) => ({
  property: 'linux-kernel-version',
  rule: 'udp-defer-free',
  events,
  message,
});
const v618 = kernel({ version: 'linux-6.18', rules: ['udp-defer-free'] });
const v66 = kernel({ version: 'linux-6.6', rules: [] });
const read = (pkt = 3) => deliver({ pkt, cpu: 2, layer: 'udp:0' });
const notDeferred = (pkt = 3) =>
  `linux-6.18: udp recvmsg of pkt ${pkt} did not go through skb_attempt_defer_free`;
const notFreed = (pkt = 3) =>
  `linux-6.6: udp recvmsg of pkt ${pkt} was not freed at once on cpu 2 (only TCP defers before 6.18)`;

describe('linux-kernel-version rules (udp-defer-free)', () => {
  it('an empty trace, a FreeBSD trace, one naming no kernel and a live one pass', () => {
    expect(checkLinuxKernelVersion([])).toEqual([]);
    const freebsd = kernel({ os: 'freebsd', version: 'freebsd-14', rules: ['udp-defer-free'] });
    expect(checkLinuxKernelVersion([freebsd, read(), free({ pkt: 3 })])).toEqual([]);
    expect(checkLinuxKernelVersion([softirq(), read(), free({ pkt: 3 })])).toEqual([]);
    const live = kernel({ source: 'live', rules: ['udp-defer-free'] });
    expect(checkLinuxKernelVersion([live, read(), free({ pkt: 3 })])).toEqual([]);
  });

  it('6.18: a udp read freed at once breaks the rule; deferred, right after or after a secpath free, passes', () => {
    expect(checkLinuxKernelVersion([v618, read(), free({ pkt: 3 })])).toEqual([viol([1], notDeferred())]);
    expect(checkLinuxKernelVersion([v618, read()])).toEqual([viol([1], notDeferred())]);
    expect(checkLinuxKernelVersion([v618, read(), deferFree({ pkt: 3 })])).toEqual([]);
    expect(checkLinuxKernelVersion([v618, read(), free({ pkt: 9 }), deferFree({ pkt: 3 })])).toEqual([]);
  });

  it('6.18: a deferral two events on, or of another packet, is not this read', () => {
    const far = [v618, read(), free({ pkt: 9 }), free({ pkt: 8 }), deferFree({ pkt: 3 })];
    expect(checkLinuxKernelVersion(far)).toEqual([viol([1], notDeferred())]);
    expect(checkLinuxKernelVersion([v618, read(), deferFree({ pkt: 4 })])).toEqual([
      viol([1], notDeferred()),
    ]);
  });

  it('6.6: a udp read not freed at once breaks the rule; freed at once passes', () => {
    expect(checkLinuxKernelVersion([v66, read(), free({ pkt: 3 })])).toEqual([]);
    expect(checkLinuxKernelVersion([v66, read(), deferFree({ pkt: 3 })])).toEqual([viol([1, 2], notFreed())]);
    expect(checkLinuxKernelVersion([v66, read()])).toEqual([viol([1, 2], notFreed())]);
    expect(checkLinuxKernelVersion([v66, read(), free({ pkt: 3 }), deferFree({ pkt: 3 })])).toEqual([
      viol([1, 2], notFreed()),
    ]);
  });

  it('only udp reads are held to the rule', () => {
    expect(checkLinuxKernelVersion([v618, deliver({ pkt: 3, layer: 'tcp' }), free({ pkt: 3 })])).toEqual([]);
    expect(checkLinuxKernelVersion([v66, deliver({ pkt: 3, layer: 'udp' }), deferFree({ pkt: 3 })])).toEqual(
      [],
    );
  });

  it('a hole in the trace is skipped', () => {
    const t: TraceEvent[] = [v618];
    t.length = 2;
    t.push(read(), free({ pkt: 3 }));
    expect(checkLinuxKernelVersion(t)).toEqual([viol([2], notDeferred())]);
  });

  it(`reports at most VIOLATIONS_MAX (${VIOLATIONS_MAX})`, () => {
    const reads = Array.from({ length: VIOLATIONS_MAX + 1 }, (_, pkt) => read(pkt));
    expect(checkLinuxKernelVersion([v618, ...reads])).toHaveLength(VIOLATIONS_MAX);
  });
});
