import { describe, expect, it } from 'vitest';
import { unwrap } from '../result.ts';
import { makeFlow } from '../rss/flowhash.ts';
import { arriveFragment, IP6_DIRECT_REGISTRATION } from './fragment.ts';
import { datagramDigest } from './payload.ts';
import { UDP4, UDP6 } from './test/reass-harness.ts';

describe('what an arrive event says about a fragment', () => {
  it('carries the header, the sender datagram length, digest and F-2 key', () => {
    const flow = unwrap(makeFlow(3, UDP4));
    const f = {
      ipId: 9,
      offsetBytes: 16,
      lengthBytes: 8,
      moreFragments: true,
      datagramBytes: 40,
      contentVersion: 2,
    };
    expect(arriveFragment(flow, f)).toEqual({
      family: 'inet',
      ipProto: 17,
      ipId: 9,
      offsetBytes: 16,
      lengthBytes: 8,
      moreFragments: true,
      datagramBytes: 40,
      contentVersion: 2,
      datagramDigest: datagramDigest(3, 9, 40),
      datagram: 'inet 10.0.0.1>10.1.0.1 p17 id 9',
    });
  });

  it('without a stated datagram the fragment end is its length, and the content is the sender version 0', () => {
    const flow = unwrap(makeFlow(4, UDP6));
    const a = arriveFragment(flow, { ipId: 1, offsetBytes: 24, lengthBytes: 8, moreFragments: false });
    expect(a).toMatchObject({
      datagramBytes: 32,
      contentVersion: 0,
      datagram: 'inet6 2001:db8::1>2001:db8::2 id 1',
    });
    expect(a.datagramDigest).toBe(datagramDigest(4, 1, 32));
  });

  it('NETISR_IPV6_DIRECT is registered as ip6_direct_nh is: protocol 10, CPU policy, hybrid, rss_m2cpuid', () => {
    expect(IP6_DIRECT_REGISTRATION).toEqual({
      name: 'ip6_direct',
      proto: 10,
      policy: 'cpu',
      dispatch: 'hybrid',
      qlimitPackets: 0,
      m2cpuid: true,
      drainedcpu: false,
      m2flow: false,
    });
  });
});
