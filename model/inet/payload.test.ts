import { describe, expect, it } from 'vitest';
import {
  DIGEST_START,
  datagramDigest,
  digestBytes,
  payloadByte,
  payloadBytes,
  payloadDigest,
} from './payload.ts';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('sender payload bytes and digests', () => {
  it('payload bytes are a fixed function of flow, ip id, content version and offset', () => {
    expect([
      payloadByte(0, 0, 0, 0),
      payloadByte(1, 0, 0, 0),
      payloadByte(0, 1, 0, 0),
      payloadByte(0, 0, 1, 0),
      payloadByte(0, 0, 0, 1),
      payloadByte(3, 7, 2, 100),
    ]).toEqual([1, 91, 160, 115, 202, 209]);
    expect([...payloadBytes(3, 7, 2, 99, 3)]).toEqual([
      payloadByte(3, 7, 2, 99),
      209,
      payloadByte(3, 7, 2, 101),
    ]);
    expect(payloadBytes(0, 0, 0, 0, 0)).toHaveLength(0);
  });

  it('the digest is FNV-1a 32 over the parts as if concatenated (FNV test vectors)', () => {
    expect(payloadDigest([])).toBe(0x811c9dc5);
    expect(payloadDigest([ascii('a')])).toBe(0xe40c292c);
    expect(payloadDigest([ascii('foo'), ascii(''), ascii('bar')])).toBe(0xbf9cf968);
  });

  it('digestBytes carries the digest over pieces of any versions as payloadDigest does over their bytes', () => {
    const pieces = [
      [4, 11, 0, 0, 8],
      [4, 11, 2, 8, 5],
      [4, 11, 0, 13, 0],
      [4, 11, 1, 13, 20],
    ] as const;
    let h = DIGEST_START;
    for (const [flow, ipId, version, offset, length] of pieces)
      h = digestBytes(h, flow, ipId, version, offset, length);
    expect(h >>> 0).toBe(
      payloadDigest(
        pieces.map(([flow, ipId, version, offset, length]) =>
          payloadBytes(flow, ipId, version, offset, length),
        ),
      ),
    );
    expect(digestBytes(DIGEST_START, 1, 2, 0, 5, 0)).toBe(DIGEST_START);
  });

  it('a whole datagram digest equals the digest of its bytes, cached or not', () => {
    for (let i = 0; i < 2; i++) {
      expect(datagramDigest(0, 0, 16)).toBe(2396425080);
      expect(datagramDigest(5, 9, 1000)).toBe(payloadDigest([payloadBytes(5, 9, 0, 0, 1000)]));
    }
  });

  it('the cache key never merges two datagrams, however large their numbers', () => {
    // (flow 1, id 0) and (flow 0, id 65536) share a key packed into one number.
    const a = datagramDigest(1, 0, 24);
    expect(datagramDigest(0, 65536, 24)).not.toBe(a);
    expect(datagramDigest(0, 65536, 24)).toBe(payloadDigest([payloadBytes(0, 65536, 0, 0, 24)]));
    // (id 1, 0 bytes) and (id 0, 131072 bytes) likewise.
    expect(datagramDigest(0, 1, 0)).toBe(0x811c9dc5);
    expect(datagramDigest(0, 0, 131072)).not.toBe(0x811c9dc5);
    // Flows from 2^20 on would need numeric keys beyond 2^53, where neighbours round together.
    expect(datagramDigest(2 ** 20, 0, 0)).toBe(0x811c9dc5);
    expect(datagramDigest(2 ** 20, 0, 1)).toBe(payloadDigest([payloadBytes(2 ** 20, 0, 0, 0, 1)]));
  });

  it('stays right after the cache fills and starts over', () => {
    for (let id = 0; id < 4100; id++) datagramDigest(7, id % 65536, 1 + (id >> 16));
    expect(datagramDigest(0, 0, 16)).toBe(2396425080);
    expect(datagramDigest(7, 3, 1)).toBe(payloadDigest([payloadBytes(7, 3, 0, 0, 1)]));
  });
});
