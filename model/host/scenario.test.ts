import { describe, expect, it } from 'vitest';
import { unwrap } from '../result.ts';
import { makeFlow } from '../rss/flowhash.ts';
import { RSS_TABLE_ENTRIES } from '../rss/knobs.ts';
import { findFlowSpec, fragmentItems, packets, tcpFlow, tcpFlowOnRing, udpFlow } from './scenario.ts';

describe('scenario builders', () => {
  it('flows by index: address bytes and ports follow the index', () => {
    expect(tcpFlow(258)).toEqual({
      family: 'inet',
      ipProto: 6,
      src: '10.0.1.2',
      dst: '10.1.0.1',
      sport: 10_258,
      dport: 80,
    });
    expect(udpFlow(3, 5353)).toEqual({
      family: 'inet',
      ipProto: 17,
      src: '10.2.0.3',
      dst: '10.1.0.1',
      sport: 20_003,
      dport: 5353,
    });
    expect(udpFlow(1).dport).toBe(53);
    expect(packets([2, 0])).toEqual([
      { kind: 'packet', flow: 2 },
      { kind: 'packet', flow: 0 },
    ]);
  });

  it('cuts a datagram into fragments of a size, the last one shorter and MF clear, in any order', () => {
    const items = fragmentItems(1, 9, 40, 16);
    expect(items).toEqual(
      [
        [0, 16, true],
        [16, 16, true],
        [32, 8, false],
      ].map(([offsetBytes, lengthBytes, moreFragments]) => ({
        kind: 'packet',
        flow: 1,
        payloadBytes: lengthBytes,
        fragment: { ipId: 9, offsetBytes, lengthBytes, moreFragments, datagramBytes: 40 },
      })),
    );
    expect(
      fragmentItems(1, 9, 32, 16).map((i) => (i.kind === 'packet' ? i.fragment?.moreFragments : 0)),
    ).toEqual([true, false]);
    expect(fragmentItems(1, 9, 40, 16, [2, 0, 7])).toEqual([items[2], items[0]]);
  });

  it('finds a TCP flow for a ring of a non-RSS NIC, and the first flow a test accepts', () => {
    for (const ring of [0, 1, 2]) {
      const spec = tcpFlowOnRing(ring, 3, 5);
      const index = spec.sport - 10_000;
      expect(index).toBeGreaterThanOrEqual(5);
      expect((unwrap(makeFlow(index, spec)).hash4Tuple & (RSS_TABLE_ENTRIES - 1)) % 3).toBe(ring);
    }
    expect(() => tcpFlowOnRing(5, 3)).toThrow('no flow found for ring 5');
    expect(findFlowSpec(udpFlow, (f) => f.sport === 20_007, 2)).toEqual(udpFlow(7));
    expect(() => findFlowSpec(udpFlow, () => false)).toThrow('no flow found in 10000 candidates');
  });

  it('findFlowSpec gives up after exactly 10000 candidates', () => {
    let tried = 0;
    const make = (i: number) => {
      tried++;
      return tcpFlow(i);
    };
    expect(() => findFlowSpec(make, () => false, 5)).toThrow('no flow found in 10000 candidates');
    expect(tried).toBe(10_000);
  });
});
