import { describe, expect, it } from 'vitest';
import { HASH_TYPES, hasBucketAffinity, isFourTuple } from './hashtype.ts';

describe('mbuf hash types (sys/sys/mbuf.h M_HASHTYPE_*)', () => {
  it('maps exactly the Toeplitz types to a bucket (R-7, rss_hash2cpuid) and the port-covering ones to 4-tuple', () => {
    const table = Object.fromEntries(HASH_TYPES.map((t) => [t, [hasBucketAffinity(t), isFourTuple(t)]]));
    expect(table).toEqual({
      none: [false, false],
      'rss-ipv4': [true, false],
      'rss-tcp-ipv4': [true, true],
      'rss-udp-ipv4': [true, true],
      'rss-ipv6': [true, false],
      'rss-tcp-ipv6': [true, true],
      'rss-udp-ipv6': [true, true],
      opaque: [false, false],
      'opaque-hash': [false, false],
    });
  });
});
