import { describe, expect, it } from 'vitest';
import { assertNever, bucketId, cpuId, flowId, packetId, threadId, virtualNs } from './brand.ts';

describe('brands are checked where they are made', () => {
  it.each([
    ['cpuId', cpuId, 63, 64],
    ['bucketId', bucketId, 127, -1],
    ['virtualNs', virtualNs, 2 ** 53 - 1, 2 ** 53],
    ['packetId', packetId, 0, 0.5],
    ['flowId', flowId, 7, Number.NaN],
    ['threadId', threadId, 3, -3],
  ] as const)('%s takes %d and refuses %d', (_, make, good, bad) => {
    expect(make(good)).toBe(good);
    expect(() => make(bad)).toThrow(RangeError);
  });

  it('names the value it refuses', () => {
    expect(() => cpuId(64)).toThrow('CPU id 64: want an integer 0..63');
    expect(() => virtualNs(-1)).toThrow('virtual time -1 ns: want a non-negative integer');
    expect(() => bucketId(-1)).toThrow('bucket index -1: want a non-negative integer');
    expect(() => packetId(0.5)).toThrow('packet id 0.5: want a non-negative integer');
    expect(() => flowId(-2)).toThrow('flow id -2: want a non-negative integer');
    expect(() => threadId(-3)).toThrow('thread id -3: want a non-negative integer');
  });

  it('assertNever names the variant nobody handled', () => {
    expect(() => assertNever({ kind: 'frag-hold' } as never)).toThrow(
      'unhandled variant: {"kind":"frag-hold"}',
    );
  });
});
