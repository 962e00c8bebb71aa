import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAME_BYTES, frameBytesLookup, UNKNOWN_FRAME_BYTES } from './frames.ts';
import { DEFAULT_RUN_LIMITS, hostKnobs } from './knobs.ts';

describe('kernel stack frame sizes', () => {
  it('an override wins, then the default table, then the size for an unknown frame', () => {
    const bytes = frameBytesLookup({ ip_input: 1000, nosuch_input: 3 });
    expect([bytes('ip_input'), bytes('nosuch_input'), bytes('udp_input'), bytes('other')]).toEqual([
      1000,
      3,
      DEFAULT_FRAME_BYTES.udp_input,
      UNKNOWN_FRAME_BYTES,
    ]);
    expect(frameBytesLookup()('ip_reass')).toBe(224);
    expect(UNKNOWN_FRAME_BYTES).toBe(128);
  });
});

describe('host knobs and run limits', () => {
  it('each knob names its unit and the kernel file it comes from', () => {
    expect(Object.entries(hostKnobs).map(([name, k]) => [name, k.unit, k.source.split(' ')[0]])).toEqual([
      ['hw.ix.rxd', 'descriptors', 'sys/dev/ixgbe/if_ix.c'],
      ['kern.kstack_pages', 'pages', 'sys/amd64/include/param.h'],
      ['hw.pagesize', 'bytes', 'sys/x86/include/param.h'],
    ]);
    for (const k of Object.values(hostKnobs)) expect(k.source.length).toBeGreaterThan(25);
    expect(DEFAULT_RUN_LIMITS).toEqual({
      stepsMax: 1_000_000,
      traceEventsMax: 2_000_000,
      stepCostNs: 1_000,
      policyTickPackets: 64,
    });
  });
});
