import { describe, expect, it } from 'vitest';
import { IPPROTO_TCP, IPPROTO_UDP } from '../packet.ts';
import { err, unwrap } from '../result.ts';
import { type FlowSpec, FREEBSD_HASH_CONFIG, makeFlow, rssHash, rssHashTrusted } from './flowhash.ts';
import { toeplitzHash } from './toeplitz.ts';

const v4: FlowSpec = {
  family: 'inet',
  ipProto: IPPROTO_TCP,
  src: '66.9.149.187',
  dst: '161.142.100.80',
  sport: 2794,
  dport: 1766,
};
const v6: FlowSpec = {
  family: 'inet6',
  ipProto: IPPROTO_UDP,
  src: '3ffe:2501:200:1fff::7',
  dst: '3ffe:2501:200:3::1',
  sport: 2794,
  dport: 1766,
};

function flow(spec: FlowSpec) {
  return unwrap(makeFlow(1, spec));
}

describe('flow hashes (R-2, R-12, R-15, R-16)', () => {
  it('computes both hashes over network-order bytes, as the Microsoft vectors do', () => {
    const f = flow(v4);
    expect(f.hash4Tuple).toBe(0x51ccc178);
    expect(f.hash2Tuple).toBe(0x323e8fc2);
    expect(toeplitzHash([...f.src, ...f.dst])).toBe(f.hash2Tuple);
  });

  it('answers a sentence for a bad address or port, naming the flow', () => {
    expect(makeFlow(3, { ...v4, src: '1.2.3' })).toEqual(err("flow 3: bad inet source address '1.2.3'"));
    expect(makeFlow(3, { ...v4, dst: '300.1.1.1' })).toEqual(
      err("flow 3: bad inet destination address '300.1.1.1'"),
    );
    expect(makeFlow(4, { ...v4, sport: 65536 })).toEqual(err('flow 4: port 65536 outside 0..65535'));
    expect(makeFlow(4, { ...v4, dport: -1 })).toEqual(err('flow 4: port -1 outside 0..65535'));
    expect(makeFlow(4, { ...v4, dport: 1.5 })).toEqual(err('flow 4: port 1.5 outside 0..65535'));
    expect(makeFlow(5, { ...v4, sport: 0, dport: 0xffff }).ok).toBe(true);
  });

  it('hashes TCP on its 4-tuple, UDP on its 2-tuple by default, fragments always on the 2-tuple', () => {
    const tcp = flow(v4);
    expect(rssHash(tcp, false, FREEBSD_HASH_CONFIG)).toEqual({
      hash: tcp.hash4Tuple,
      hashType: 'rss-tcp-ipv4',
    });
    expect(rssHash(tcp, true, FREEBSD_HASH_CONFIG)).toEqual({ hash: tcp.hash2Tuple, hashType: 'rss-ipv4' });
    const udp = flow(v6);
    expect(FREEBSD_HASH_CONFIG.udp4Tuple).toBe(false);
    expect(rssHash(udp, false, FREEBSD_HASH_CONFIG)).toEqual({ hash: udp.hash2Tuple, hashType: 'rss-ipv6' });
    expect(rssHash(udp, false, { udp4Tuple: true })).toEqual({
      hash: udp.hash4Tuple,
      hashType: 'rss-udp-ipv6',
    });
    expect(rssHash(udp, true, { udp4Tuple: true })).toEqual({ hash: udp.hash2Tuple, hashType: 'rss-ipv6' });
    const tcp6 = flow({ ...v6, ipProto: IPPROTO_TCP });
    expect(rssHash(tcp6, false, FREEBSD_HASH_CONFIG).hashType).toBe('rss-tcp-ipv6');
    const udp4 = flow({ ...v4, ipProto: IPPROTO_UDP });
    expect(rssHash(udp4, false, { udp4Tuple: true }).hashType).toBe('rss-udp-ipv4');
    const icmp = flow({ ...v4, ipProto: 1 });
    expect(rssHash(icmp, false, { udp4Tuple: true }).hashType).toBe('rss-ipv4');
  });

  it('trusts a NIC hash only when it is the type the full tuple calls for', () => {
    const tcp = flow(v4);
    expect(rssHashTrusted(tcp, false, 'rss-tcp-ipv4', FREEBSD_HASH_CONFIG)).toBe(true);
    expect(rssHashTrusted(tcp, false, 'rss-ipv4', FREEBSD_HASH_CONFIG)).toBe(false);
    expect(rssHashTrusted(tcp, false, 'none', FREEBSD_HASH_CONFIG)).toBe(false);
    expect(rssHashTrusted(tcp, false, 'opaque', FREEBSD_HASH_CONFIG)).toBe(false);
  });

  // in_rss.c rss_mbuf_software_hash_v4, case IPPROTO_TCP: "(flowtype == M_HASHTYPE_RSS_TCP_IPV4)
  // && (is_frag == 0)" is the only way to return 1 while TCP 4-tuple hashing is on.
  it('never trusts the hash of a TCP fragment: "flowtype == M_HASHTYPE_RSS_TCP_IPV4 && is_frag == 0"', () => {
    const tcp = flow(v4);
    expect(rssHashTrusted(tcp, true, 'rss-ipv4', FREEBSD_HASH_CONFIG)).toBe(false);
    expect(rssHashTrusted(tcp, true, 'rss-tcp-ipv4', FREEBSD_HASH_CONFIG)).toBe(false);
    // ... and the hash computed again is the 2-tuple one ("Default to 2-tuple hash").
    expect(rssHash(tcp, true, FREEBSD_HASH_CONFIG)).toEqual({ hash: tcp.hash2Tuple, hashType: 'rss-ipv4' });
  });

  // case IPPROTO_UDP: with RSS_HASHTYPE_RSS_UDP_IPV4 on, only "flowtype == M_HASHTYPE_RSS_UDP_IPV4
  // && is_frag == 0"; the 2-tuple type is trusted only "if we don't also support 4-tuple for UDP".
  it("trusts a UDP fragment's 2-tuple hash only while udp_4tuple is off", () => {
    const udp = flow({ ...v4, ipProto: IPPROTO_UDP });
    expect(rssHashTrusted(udp, true, 'rss-ipv4', FREEBSD_HASH_CONFIG)).toBe(true);
    expect(rssHashTrusted(udp, true, 'rss-ipv4', { udp4Tuple: true })).toBe(false);
    expect(rssHashTrusted(udp, true, 'rss-udp-ipv4', { udp4Tuple: true })).toBe(false);
    expect(rssHashTrusted(udp, false, 'rss-udp-ipv4', { udp4Tuple: true })).toBe(true);
    expect(rssHashTrusted(udp, false, 'rss-ipv4', { udp4Tuple: true })).toBe(false);
    const icmp = flow({ ...v4, ipProto: 1 });
    expect(rssHashTrusted(icmp, true, 'rss-ipv4', { udp4Tuple: true })).toBe(true);
    // "default: ... (flowtype == M_HASHTYPE_RSS_IPV4)": no other type is kept, nor a missing hash.
    for (const other of ['none', 'opaque', 'opaque-hash', 'rss-ipv6', 'rss-udp-ipv4'] as const) {
      expect(rssHashTrusted(icmp, false, other, FREEBSD_HASH_CONFIG), other).toBe(false);
      expect(rssHashTrusted(udp, false, other, FREEBSD_HASH_CONFIG), other).toBe(false);
    }
  });

  // in6_rss.c: a fragment leaves proto == IPPROTO_FRAGMENT, so the default case trusts RSS_IPV6.
  it('IPv6 fragments take the default case: the 2-tuple hash is trusted', () => {
    const tcp6 = flow({ ...v6, ipProto: IPPROTO_TCP });
    expect(rssHashTrusted(tcp6, true, 'rss-ipv6', FREEBSD_HASH_CONFIG)).toBe(true);
    expect(rssHashTrusted(tcp6, false, 'rss-ipv6', FREEBSD_HASH_CONFIG)).toBe(false);
    expect(rssHashTrusted(tcp6, false, 'rss-tcp-ipv6', FREEBSD_HASH_CONFIG)).toBe(true);
  });
});
