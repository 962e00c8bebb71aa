import { describe, expect, it } from 'vitest';
import { type FragmentFields, isFragment } from './packet.ts';

const frag = (moreFragments: boolean, offsetBytes: number): { fragment: FragmentFields } => ({
  fragment: { ipId: 7, moreFragments, offsetBytes, lengthBytes: 8 },
});

describe('F-0: a packet is a fragment iff MF is set or the offset is not 0', () => {
  it('first, middle and last fragments are; a whole datagram, with or without fragment fields, is not', () => {
    expect(isFragment(frag(true, 0))).toBe(true);
    expect(isFragment(frag(true, 1480))).toBe(true);
    expect(isFragment(frag(false, 8))).toBe(true);
    expect(isFragment(frag(false, 0))).toBe(false);
    expect(isFragment({ fragment: undefined })).toBe(false);
  });
});
