import { describe, expect, it } from 'vitest';
import { isLinuxTrace, kernelOf } from './linux-trace.ts';
import {
  arrive,
  deferFree,
  enqueue,
  ipi,
  kernel,
  napiPoll,
  sockQueue,
  softirq,
} from './test/trace-builder.ts';

describe('which kernel a trace speaks for', () => {
  it('its opening kernel event, if any', () => {
    const k = kernel();
    expect(kernelOf([k, arrive()])).toBe(k);
    expect(kernelOf([arrive(), k])).toBeUndefined();
    expect(kernelOf([])).toBeUndefined();
  });

  it('a kernel event decides; FreeBSD stays FreeBSD whatever it holds', () => {
    expect(isLinuxTrace([kernel({ os: 'linux' })])).toBe(true);
    expect(isLinuxTrace([kernel({ os: 'freebsd', version: 'freebsd-14' }), softirq()])).toBe(false);
  });

  it('without one, any Linux-only event makes it Linux', () => {
    expect(isLinuxTrace([])).toBe(false);
    expect(isLinuxTrace([arrive(), enqueue()])).toBe(false);
    for (const ev of [softirq(), napiPoll(), sockQueue(), deferFree(), ipi()])
      expect(isLinuxTrace([arrive(), ev])).toBe(true);
  });
});
