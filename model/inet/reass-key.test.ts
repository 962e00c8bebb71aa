import { describe, expect, it } from 'vitest';
import type { FragmentFields } from '../packet.ts';
import { unwrap } from '../result.ts';
import { type FlowSpec, makeFlow } from '../rss/flowhash.ts';
import { datagramKey, datagramKeyText, jenkinsHash32, reassBucketOf, sameKey } from './reass-key.ts';
import { TCP4, UDP4, UDP6 } from './test/reass-harness.ts';

const frag = (ipId: number): FragmentFields => ({
  ipId,
  offsetBytes: 0,
  lengthBytes: 8,
  moreFragments: true,
});
const key = (spec: FlowSpec, ipId: number, withoutProto = false) =>
  datagramKey(unwrap(makeFlow(0, spec)), frag(ipId), withoutProto);

describe('jenkins_hash32 (sys/sys/jenkins_hash.h, lookup3 hashword)', () => {
  it('an empty key hashes to 0xdeadbeef + seed (lookup3 driver5 vectors)', () => {
    expect(jenkinsHash32([], 0)).toBe(0xdeadbeef);
    expect(jenkinsHash32([], 0xdeadbeef)).toBe(0xbd5b7dde);
  });

  it('one, two and three tail words, one and more mixing rounds, wrapping words and seed', () => {
    expect(jenkinsHash32([1], 0)).toBe(1923623579);
    expect(jenkinsHash32([1, 2], 0)).toBe(2337044857);
    expect(jenkinsHash32([1, 2, 3], 0)).toBe(2757843189);
    expect(jenkinsHash32([1, 2, 3, 4], 0)).toBe(1716064838);
    expect(jenkinsHash32([1, 2, 3, 4, 5, 6, 7, 8, 9], 0x12345678)).toBe(1465833104);
    expect(jenkinsHash32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 0xffffffff)).toBe(887528006);
  });
});

describe('the reassembly key and bucket (F-1, F-2)', () => {
  it('F-1: IPv4 hashes {src, dst, (proto << 16) + id} big-endian, IPv6 {src, dst, id}, masked by the table', () => {
    expect(jenkinsHash32([0x0a000001, 0x0a010001, (17 << 16) + 7], 0)).toBe(3218326939);
    expect(reassBucketOf(key(UDP4, 7), 0, 1024)).toBe(411);
    expect(reassBucketOf(key(UDP4, 7), 5, 1024)).toBe(162);
    expect(reassBucketOf(key(UDP4, 7), 0, 1)).toBe(0);
    expect(reassBucketOf(key(UDP4, 7, true), 0, 1024)).toBe(309);
    expect(reassBucketOf(key(UDP6, 7), 0, 1024)).toBe(312);
    const high: FlowSpec = { ...TCP4, src: '200.1.2.3' };
    expect(jenkinsHash32([0xc8010203, 0x0a010001, (6 << 16) + 65535], 0) & 1023).toBe(
      reassBucketOf(key(high, 65535), 0, 1024),
    );
    expect(reassBucketOf(key(high, 65535), 0, 65536)).toBe(2734044768 & 65535);
  });

  it('F-2: the IPv4 key holds the protocol, the IPv6 key and the broken key do not', () => {
    expect(key(UDP4, 7)).toMatchObject({ family: 'inet', ipId: 7, ipProto: 17, srcText: '10.0.0.1' });
    expect(key(UDP4, 7, true).ipProto).toBeUndefined();
    expect(key(UDP6, 7).ipProto).toBeUndefined();
    expect(datagramKeyText(key(UDP4, 7))).toBe('inet 10.0.0.1>10.1.0.1 p17 id 7');
    expect(datagramKeyText(key(UDP6, 9))).toBe('inet6 2001:db8::1>2001:db8::2 id 9');
  });

  it('F-2: keys match only when id, protocol, family, source and destination all agree', () => {
    const base = key(UDP4, 7);
    expect(sameKey(base, key(UDP4, 7))).toBe(true);
    expect(sameKey(base, key(UDP4, 8))).toBe(false);
    expect(sameKey(base, key(TCP4, 7))).toBe(false);
    expect(sameKey(base, key(UDP4, 7, true))).toBe(false);
    expect(sameKey(base, key({ ...UDP4, src: '10.0.0.2' }, 7))).toBe(false);
    expect(sameKey(base, key({ ...UDP4, dst: '10.1.0.2' }, 7))).toBe(false);
    // Same id and no protocol on both sides, but v4 against v6 addresses.
    expect(sameKey(key(UDP4, 7, true), key(UDP6, 7))).toBe(false);
    expect(sameKey({ ...key(UDP6, 7), family: 'inet' }, key(UDP6, 7))).toBe(false);
    expect(sameKey(key(UDP6, 7), key({ ...UDP6, dst: '2001:db8::3' }, 7))).toBe(false);
  });
});
