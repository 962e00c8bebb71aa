/**
 * FreeBSD D16850 (2018, frag6 conforms to RFC 8200): IPv6 reassembly trimmed overlapping fragments as
 * IPv4 does, so a forged fragment could splice its bytes into a datagram; RFC 5722 requires the
 * whole datagram to be dropped. https://reviews.freebsd.org/D16850, catalogue R03.
 */
import { describe, expect, it } from 'vitest';
import { REASSEMBLY_PROPERTIES, type ReassemblyCase, runReassembly } from '../../harness/reassembly-run.ts';
import type { WorkloadItem } from '../../model/host/workload.ts';
import { checkDatagramIntact } from '../../properties/reassembly-intact.ts';

const frag = (
  offsetBytes: number,
  lengthBytes: number,
  moreFragments: boolean,
  contentVersion = 0,
): WorkloadItem => ({
  kind: 'packet',
  flow: 0,
  payloadBytes: lengthBytes,
  fragment: { ipId: 9, offsetBytes, lengthBytes, moreFragments, datagramBytes: 32, contentVersion },
});

/** A 32-byte UDP/IPv6 datagram in two fragments, and a forged fragment over bytes 8..23 in between. */
const attack: ReassemblyCase = {
  config: { kernel: 'freebsd', cpuCount: 2 },
  workload: {
    flows: [{ family: 'inet6', ipProto: 17, src: '2001:db8::1', dst: '2001:db8::2', sport: 5000, dport: 53 }],
    items: [frag(16, 16, false), frag(8, 16, true, 1), frag(0, 8, true)],
  },
  schedule: [],
};

describe('regression: IPv6 overlap accepted (D16850)', () => {
  it('fixed: the overlap drops the datagram, every fragment counted', () => {
    const trace = runReassembly(attack);
    expect(trace.some((e) => e.kind === 'reassembled')).toBe(false);
    const drops = trace.filter((e) => e.kind === 'drop');
    expect(drops.map((d) => (d.kind === 'drop' ? [d.pkt, d.counter] : []))).toEqual([
      [0, 'ip6s_fragdropped'],
      [1, 'ip6s_fragdropped'],
      [2, 'ip6s_fragtimeout'],
    ]);
    expect(REASSEMBLY_PROPERTIES.flatMap((p) => p.check(trace))).toEqual([]);
  });

  it('pre-fix: the forged bytes are spliced in, caught by datagram-intact (RFC 5722)', () => {
    const trace = runReassembly(attack, ['frag6-overlap-trim']);
    const done = trace.find((e) => e.kind === 'reassembled');
    // The bug's path: the forged fragment keeps bytes 8..23 and trims the real tail to 24..31 (F-13).
    expect(done).toMatchObject({
      fragments: [2, 1, 0],
      pieces: [
        { pkt: 2 },
        { pkt: 1, offsetBytes: 8, lengthBytes: 16 },
        { pkt: 0, offsetBytes: 24, lengthBytes: 8 },
      ],
    });
    expect(checkDatagramIntact(trace).map((v) => v.rule)).toEqual(['RFC5722']);
  });
});
