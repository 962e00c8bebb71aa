import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payloadByte, payloadBytes, payloadDigest } from '../model/inet/payload.ts';
import { SenderDigest, senderByte } from './sender-payload.ts';

/** The checker's restatement and the model's sender must agree, or datagram-intact reports the model. */
describe('sender payload contract', () => {
  it('the checker computes the same byte as the model sender at every (flow, ip id, version, offset)', () => {
    fc.assert(
      fc.property(fc.nat(64), fc.nat(0xffff), fc.nat(3), fc.nat(65_535), (flow, ipId, version, offset) => {
        expect(senderByte(flow, ipId, version, offset)).toBe(payloadByte(flow, ipId, version, offset));
      }),
    );
  });

  it('a digest fed piece by piece equals FNV-1a over the concatenated bytes', () => {
    const d = new SenderDigest();
    d.addPiece(3, 7, 0, 0, 24);
    d.addPiece(3, 7, 1, 24, 16);
    const want = payloadDigest([payloadBytes(3, 7, 0, 0, 24), payloadBytes(3, 7, 1, 24, 16)]);
    expect(d.value).toBe(want);
    expect(new SenderDigest().value).toBe(0x811c9dc5);
  });
});
