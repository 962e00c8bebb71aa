import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { datagramDigest, payloadBytes, payloadDigest } from './payload.ts';
import type { ReassResult } from './reass-types.ts';
import { counters, harness, TCP4, UDP4, UDP6 } from './test/reass-harness.ts';

/** The bytes each piece of a completed datagram carries, as (fragment, version, range). */
function pieceDigest(r: ReassResult): number {
  if (r.kind !== 'complete') throw new Error(`not complete: ${r.kind}`);
  return payloadDigest(
    r.pieces.map((p) =>
      payloadBytes(
        p.pkt.flow.id,
        p.pkt.fragment?.ipId ?? 0,
        p.pkt.fragment?.contentVersion ?? 0,
        p.offsetBytes,
        p.lengthBytes,
      ),
    ),
  );
}

describe('IPv4 reassembly (ip_reass, reference section 6)', () => {
  it('SC-7: a tail-side overlap is trimmed from the newer fragment', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 7, 0, 16, true));
    const b = h.frag(UDP4, 7, 8, 16, true);
    expect(h.table.input(b).kind).toBe('held');
    const r = h.table.input(h.frag(UDP4, 7, 24, 8, false));
    expect(r.kind).toBe('complete');
    if (r.kind !== 'complete') return;
    expect(r.payloadBytes).toBe(32);
    expect(r.pieces.map((p) => [p.pkt.id, p.offsetBytes, p.lengthBytes])).toEqual([
      [0, 0, 16],
      [1, 16, 8],
      [2, 24, 8],
    ]);
    expect(h.stats.snapshot()).toEqual({ ips_fragments: 3, ips_reassembled: 1 });
  });

  it('SC-8: a head-side overlap keeps the earlier offset and trims the queued fragment', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 7, 8, 16, true));
    h.table.input(h.frag(UDP4, 7, 0, 16, true));
    const r = h.table.input(h.frag(UDP4, 7, 24, 8, false));
    if (r.kind !== 'complete') throw new Error(r.kind);
    expect(r.pieces.map((p) => [p.pkt.id, p.offsetBytes, p.lengthBytes])).toEqual([
      [1, 0, 16],
      [0, 16, 8],
      [2, 24, 8],
    ]);
  });

  it('F-13: a fragment that covers queued ones removes them, each counted', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 7, 8, 8, true));
    h.table.input(h.frag(UDP4, 7, 16, 8, true));
    const r = h.table.input(h.frag(UDP4, 7, 0, 32, false, 1));
    expect(r.kind).toBe('complete');
    expect(counters(r)).toEqual(['0:ips_fragdropped', '1:ips_fragdropped']);
    expect(h.stats.get('ips_fragdropped')).toBe(2);
  });

  it('SC-9: an exact duplicate is dropped and counted', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 9, 0, 16, true));
    const dup = h.table.input(h.frag(UDP4, 9, 0, 16, true, 1));
    expect(dup.kind).toBe('dropped');
    expect(counters(dup)).toEqual(['1:ips_fragdropped']);
    const r = h.table.input(h.frag(UDP4, 9, 16, 8, false));
    expect(r.kind).toBe('complete');
    expect(h.stats.snapshot()).toEqual({ ips_fragdropped: 1, ips_fragments: 3, ips_reassembled: 1 });
    expect(pieceDigest(r)).toBe(payloadDigest([payloadBytes(0, 9, 0, 0, 24)]));
    // The arrive event's digest (streamed and cached) is the digest of the same bytes, twice.
    for (let i = 0; i < 2; i++)
      expect(datagramDigest(0, 9, 24)).toBe(payloadDigest([payloadBytes(0, 9, 0, 0, 24)]));
  });

  it('SC-10: 17 fragments complete, 18 drop the queue on the 17th (maxfragsperpacket 16)', () => {
    const h = harness('inet');
    let last: ReassResult | undefined;
    for (let i = 0; i < 17; i++) last = h.table.input(h.frag(UDP4, 1, i * 8, 8, i < 16));
    expect(last?.kind).toBe('complete');
    const g = harness('inet');
    for (let i = 0; i < 18; i++) last = g.table.input(g.frag(UDP4, 2, i * 8, 8, i < 17));
    expect(last?.kind).toBe('held');
    expect(g.stats.snapshot()).toEqual({ ips_fragdropped: 17, ips_fragments: 18 });
    g.advance(31 * NS_PER_SECOND);
    expect(g.stats.get('ips_fragtimeout')).toBe(1);
  });

  it('SC-11: a lone fragment times out after fragttl; one arriving at 29 s still joins', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 3, 0, 8, true));
    h.advance(29 * NS_PER_SECOND);
    expect(h.table.input(h.frag(UDP4, 3, 16, 8, true)).kind).toBe('held');
    expect(h.table.heldFragments).toBe(2);
    h.advance(NS_PER_SECOND);
    expect(h.flat().map((d) => d.counter)).toEqual(['ips_fragtimeout', 'ips_fragtimeout']);
    expect(h.table.heldFragments).toBe(0);
    expect(h.table.heldQueues).toBe(0);
    expect(h.timers.pendingCount).toBe(0);
  });

  it('SC-12: too small and too long fragments are dropped before they count as fragments', () => {
    const h = harness('inet');
    expect(h.table.input(h.frag(UDP4, 4, 0, 12, true)).kind).toBe('dropped');
    expect(h.table.input(h.frag(UDP4, 4, 65472, 72, false)).kind).toBe('dropped');
    expect(h.table.input(h.frag(UDP4, 4, 8, 0, false)).kind).toBe('dropped');
    expect(h.stats.snapshot()).toEqual({ ips_fragdropped: 3, ips_toolong: 1, ips_toosmall: 2 });
  });

  it('F-18: a datagram that completes beyond 65535 with its header is dropped whole', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 5, 0, 32760, true));
    const r = h.table.input(h.frag(UDP4, 5, 32760, 32760, false));
    expect(r.kind).toBe('dropped');
    expect(h.stats.get('ips_toolong')).toBe(1);
    expect(h.stats.get('ips_fragdropped')).toBe(2);
  });

  it('F-9: a fragment beyond the known end is dropped, the queue untouched', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 6, 16, 8, false));
    expect(h.table.input(h.frag(UDP4, 6, 24, 8, true)).kind).toBe('dropped');
    expect(h.table.heldFragments).toBe(1);
  });

  it('SC-13: a full bucket reuses its oldest queue, counted as a timeout', () => {
    const h = harness('inet', { 'net.inet.ip.reass_hashsize': 1, 'net.inet.ip.maxfragbucketsize': 2 });
    h.table.input(h.frag(UDP4, 1, 0, 8, true));
    h.table.input(h.frag(UDP4, 2, 0, 8, true));
    const r = h.table.input(h.frag(UDP4, 3, 0, 8, true));
    expect(r.kind).toBe('held');
    expect(counters(r)).toEqual(['0:ips_fragtimeout']);
    expect(h.table.heldQueues).toBe(2);
  });

  it('F-2: datagrams differing only in protocol never share a queue; the broken key merges them', () => {
    for (const [opts, kind] of [
      [{}, 'held'],
      [{ keyWithoutProto: true }, 'complete'],
    ] as const) {
      const h = harness('inet', {}, opts);
      h.table.input(h.frag(UDP4, 8, 0, 8, true));
      expect(h.table.input(h.frag(TCP4, 8, 8, 8, false)).kind).toBe(kind);
    }
  });

  it('F-3: maxfragpackets 0 turns reassembly off, every fragment counted as dropped', () => {
    const h = harness('inet', { 'net.inet.ip.maxfragpackets': 0 });
    expect(h.table.input(h.frag(UDP4, 1, 0, 8, true)).kind).toBe('dropped');
    expect(h.stats.snapshot()).toEqual({ ips_fragdropped: 1, ips_fragments: 1 });
  });
});

describe('IPv6 reassembly (frag6_input)', () => {
  it('RFC 5722: an overlap drops the whole datagram; an exact duplicate only itself', () => {
    const h = harness('inet6');
    h.table.input(h.frag(UDP6, 7, 0, 16, true));
    const dup = h.table.input(h.frag(UDP6, 7, 0, 16, true));
    expect(counters(dup)).toEqual(['1:ip6s_fragdropped']);
    const over = h.table.input(h.frag(UDP6, 7, 8, 16, true, 1));
    expect(over.kind).toBe('dropped');
    expect(counters(over)).toEqual(['0:ip6s_fragdropped', '2:ip6s_fragdropped']);
    expect(h.table.heldQueues).toBe(0);
    expect(h.table.input(h.frag(UDP6, 7, 16, 8, false)).kind).toBe('held');
  });

  it('the trimming variant accepts the overlap and completes with forged bytes', () => {
    const h = harness('inet6', {}, { trimOverlaps: true });
    h.table.input(h.frag(UDP6, 7, 8, 16, true));
    h.table.input(h.frag(UDP6, 7, 0, 16, true, 1));
    expect(h.table.input(h.frag(UDP6, 7, 24, 8, false)).kind).toBe('complete');
  });

  it('counts bad lengths as ICMPv6 errors, zero length as dropped, and completes in any order', () => {
    const h = harness('inet6');
    expect(counters(h.table.input(h.frag(UDP6, 1, 0, 12, true)))).toEqual(['0:icp6s_error']);
    expect(counters(h.table.input(h.frag(UDP6, 1, 8, 0, false)))).toEqual(['1:ip6s_fragdropped']);
    expect(counters(h.table.input(h.frag(UDP6, 1, 65528, 16, false)))).toEqual(['2:icp6s_error']);
    h.table.input(h.frag(UDP6, 2, 16, 8, false));
    h.table.input(h.frag(UDP6, 2, 0, 8, true));
    const r = h.table.input(h.frag(UDP6, 2, 8, 8, true));
    expect(r.kind).toBe('complete');
    expect(pieceDigest(r)).toBe(payloadDigest([payloadBytes(0, 2, 0, 0, 24)]));
  });

  it('expires a queue on the 120th slowtimo tick (60 s) and keeps 64 fragments per packet', () => {
    const h = harness('inet6');
    h.advance(300_000_000);
    h.table.input(h.frag(UDP6, 3, 0, 8, true));
    h.advance(59 * NS_PER_SECOND);
    expect(h.table.heldQueues).toBe(1);
    h.advance(NS_PER_SECOND);
    expect(h.flat().map((d) => d.counter)).toEqual(['ip6s_fragtimeout']);
    for (let i = 0; i < 66; i++) h.table.input(h.frag(UDP6, 4, i * 8, 8, true));
    expect(h.stats.get('ip6s_fragdropped')).toBe(65);
  });

  it('refuses a new queue in a full bucket instead of reusing one', () => {
    const h = harness('inet6', { 'net.inet6.ip6.maxfragpackets': 2, 'net.inet6.ip6.maxfragbucketsize': 100 });
    h.table.input(h.frag(UDP6, 1, 0, 8, true));
    h.table.input(h.frag(UDP6, 2, 0, 8, true));
    expect(counters(h.table.input(h.frag(UDP6, 3, 0, 8, true)))).toEqual(['2:ip6s_fragdropped']);
  });
});
