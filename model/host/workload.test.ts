import { describe, expect, it } from 'vitest';
import { DEFAULT_PAYLOAD_BYTES, workloadItemLabel } from './workload.ts';

describe('workload items as report text', () => {
  it('labels every kind of item as a script line', () => {
    const frag = { ipId: 7, offsetBytes: 16, lengthBytes: 8 };
    expect(
      [
        { kind: 'packet', flow: 2 },
        { kind: 'packet', flow: 2, via: 'tun0' },
        { kind: 'packet', flow: 1, fragment: { ...frag, moreFragments: true } },
        { kind: 'packet', flow: 1, fragment: { ...frag, moreFragments: false } },
        { kind: 'pause', ns: 30 },
        { kind: 'snapshot' },
        { kind: 'retable', rotateRings: 3 },
        { kind: 'migrate', cpu: 1 },
        { kind: 'failover' },
      ].map((item) => workloadItemLabel(item as Parameters<typeof workloadItemLabel>[0])),
    ).toEqual([
      'arrive(flow 2)',
      'write(tun0, flow 2)',
      'arrive(flow 1, frag id 7 off 16 len 8 MF)',
      'arrive(flow 1, frag id 7 off 16 len 8)',
      'pause(30 ns)',
      'snapshot()',
      'ethtool -X rotate 3',
      'migrate(tun0 writer -> cpu 1)',
      'failover(lagg0)',
    ]);
    expect(DEFAULT_PAYLOAD_BYTES).toBe(64);
  });
});
