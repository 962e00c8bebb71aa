import { describe, expect, it } from 'vitest';
import { espBundle } from '../../model/ipsec/chain.ts';
import type { HandleEvent } from '../../model/trace.ts';
import { checkFlowOrder } from '../../properties/ordering.ts';
import { burstyWorkload, runBox } from './d9721-scenario.ts';

/**
 * D9721 (https://reviews.freebsd.org/D9721, seed 000): with net.isr.maxthreads=4 and
 * bindthreads=1, "these packets are ordered by SPI value, so for one flow there is no
 * parallelism": the SPI is the netisr source of the SOURCE-policy ipsec protocol.
 */

const SPI = 0x1000;
// 23 flows over four rx rings and four interrupt threads; each burst of 32 lands before the
// threads run (schedule: always the first runnable), as a line-rate burst does.
const run = (roundRobin: boolean) =>
  runBox(
    {
      arch: 'amd64',
      chain: espBundle(1, SPI),
      sysctl: { 'net.isr.maxthreads': 4, 'net.isr.bindthreads': true },
      ipsec: { 'net.inet.ipsec.use_netisr': true },
      variants: roundRobin ? ['ipsec-deferral-round-robin'] : [],
    },
    burstyWorkload(23, 12, 32, 40_000),
  );

describe('D9721: one SPI is one flow through the ipsec queue', () => {
  it('fixed: every packet of the SPI is handled on one workstream, (if_index + SPI) % 4, in order', () => {
    const r = run(false);
    const handles = r.trace.filter((e): e is HandleEvent => e.kind === 'handle' && e.proto === 'ipsec');
    expect(handles).toHaveLength(12 * 32);
    expect(new Set(handles.map((h) => h.cpu))).toEqual(new Set([(1 + SPI) % 4]));
    expect(checkFlowOrder(r.trace)).toEqual([]);
    // The interrupt threads did run on all four CPUs: the traffic came in in parallel.
    const ipHandled = r.trace.filter((e) => e.kind === 'handle' && e.proto === 'ip');
    expect(new Set(ipHandled.map((e) => e.kind === 'handle' && e.cpu)).size).toBe(4);
  });

  it('pre-fix: spreading the SPI over the workstreams packet by packet reorders flows, caught by flow-order', () => {
    const r = run(true);
    const handles = r.trace.filter((e): e is HandleEvent => e.kind === 'handle' && e.proto === 'ipsec');
    expect(new Set(handles.map((h) => h.cpu)).size).toBe(4);
    const v = checkFlowOrder(r.trace);
    expect(v.length).toBeGreaterThan(0);
    expect(v[0]).toMatchObject({ property: 'flow-order', rule: 'N-20' });
    expect(v[0]?.message).toMatch(/at ipsec_input/);
  });
});
