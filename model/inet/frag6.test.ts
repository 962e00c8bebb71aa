import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_SECOND } from '../brand.ts';
import { datagramKey, reassBucketOf } from './reass-key.ts';
import { harness, pieces, reasons, UDP6 } from './test/reass-harness.ts';

const S = NS_PER_SECOND;
const TICK = 500 * NS_PER_MS;

/** Two IPv6 fragment ids whose datagrams share a frag6 bucket (F-1 hash, 1024 buckets), and one that does not. */
function bucketIds(): { same: [number, number]; other: number } {
  const h = harness('inet6');
  const seen = new Map<number, number>();
  for (let id = 0; id < 4096; id++) {
    const pkt = h.frag(UDP6, id, 0, 8, true);
    if (pkt.fragment === undefined) continue;
    const b = reassBucketOf(datagramKey(pkt.flow, pkt.fragment), 0, 1024);
    const first = seen.get(b);
    if (first !== undefined) {
      const other = [...seen.entries()].find(([bucket]) => bucket !== b)?.[1] ?? -1;
      return { same: [first, id], other };
    }
    seen.set(b, id);
  }
  throw new Error('no two ids share a bucket');
}

describe('frag6_input admission', () => {
  it('an MF fragment whose length is not a multiple of 8 is an ICMPv6 parameter problem, not a fragment', () => {
    const h = harness('inet6');
    const r = h.table.input(h.frag(UDP6, 1, 0, 12, true));
    expect(r.kind).toBe('dropped');
    expect(reasons(r)).toEqual(['0:fragment length not a multiple of 8']);
    expect(r.steps).toBe(1);
    expect(h.stats.snapshot()).toEqual({ icp6s_error: 1, ifs6_reass_fail: 1 });
    // The last fragment may have any length.
    expect(h.table.input(h.frag(UDP6, 1, 8, 12, false)).kind).toBe('held');
  });

  it('a zero-length fragment counts as a fragment and is dropped', () => {
    const h = harness('inet6');
    expect(reasons(h.table.input(h.frag(UDP6, 1, 8, 0, false)))).toEqual(['0:zero-length fragment']);
    expect(h.stats.snapshot()).toEqual({ ip6s_fragments: 1, ip6s_fragdropped: 1 });
  });

  it('net.inet6.ip6.maxfrags caps the fragments held; 0 takes none, -1 has no cap', () => {
    const h = harness('inet6', { 'net.inet6.ip6.maxfrags': 2 });
    h.table.input(h.frag(UDP6, 1, 0, 8, true));
    h.table.input(h.frag(UDP6, 2, 0, 8, true));
    expect(h.table.heldFragments).toBe(2);
    expect(reasons(h.table.input(h.frag(UDP6, 3, 0, 8, true)))).toEqual(['2:maxfrags reached']);
    expect(h.stats.snapshot()).toEqual({ ip6s_fragments: 3, ip6s_fragdropped: 1 });
    const none = harness('inet6', { 'net.inet6.ip6.maxfrags': 0 });
    expect(none.table.input(none.frag(UDP6, 1, 0, 8, true)).kind).toBe('dropped');
    const any = harness('inet6', { 'net.inet6.ip6.maxfrags': -1 });
    for (let id = 0; id < 3; id++) expect(any.table.input(any.frag(UDP6, id, 0, 8, true)).kind).toBe('held');
  });

  it('a fragment ending at 65535 is taken; one byte beyond is an ICMPv6 error after counting as a fragment', () => {
    const h = harness('inet6');
    expect(h.table.input(h.frag(UDP6, 1, 65528, 7, false)).kind).toBe('held');
    const r = h.table.input(h.frag(UDP6, 2, 65528, 8, false));
    expect(reasons(r)).toEqual(['1:reassembled datagram would exceed 65535']);
    expect(h.stats.snapshot()).toEqual({ ip6s_fragments: 2, icp6s_error: 1 });
  });

  it('the offset field holds 8-byte units: a byte offset of 13 is placed at 8', () => {
    const h = harness('inet6');
    h.table.input(h.frag(UDP6, 1, 0, 8, true));
    expect(pieces(h.table.input(h.frag(UDP6, 1, 13, 8, false)))).toEqual([
      [0, 0, 8],
      [1, 8, 8],
    ]);
  });
});

describe('frag6_input queues: limits refuse, never reuse', () => {
  it('maxfragpackets 0 never reassembles; -1 has neither a zone nor a bucket limit', () => {
    const off = harness('inet6', { 'net.inet6.ip6.maxfragpackets': 0 });
    const r = off.table.input(off.frag(UDP6, 1, 0, 8, true));
    expect(reasons(r)).toEqual(['0:no reassembly queue']);
    expect(off.stats.snapshot()).toEqual({ ip6s_fragments: 1, ip6s_fragdropped: 1 });
    const { same } = bucketIds();
    const free = harness('inet6', { 'net.inet6.ip6.maxfragpackets': -1 });
    for (const id of same) expect(free.table.input(free.frag(UDP6, id, 0, 8, true)).kind).toBe('held');
    expect(free.table.heldQueues).toBe(2);
  });

  it('maxfragbucketsize refuses a second queue in a full bucket, not in another one', () => {
    const { same, other } = bucketIds();
    expect(other).toBeGreaterThanOrEqual(0);
    const h = harness('inet6', { 'net.inet6.ip6.maxfragbucketsize': 1 });
    const first = h.table.input(h.frag(UDP6, same[0], 0, 8, true));
    expect(first.kind).toBe('held');
    if (first.kind !== 'held') return;
    expect(h.table.bucketQueues(first.queue.bucket)).toBe(1);
    expect(reasons(h.table.input(h.frag(UDP6, same[1], 0, 8, true)))).toEqual(['1:no reassembly queue']);
    expect(h.table.input(h.frag(UDP6, other, 0, 8, true)).kind).toBe('held');
    expect(h.stats.get('ip6s_fragtimeout')).toBe(0);
  });

  it('a bucket limit of 0 refuses every queue; -1 none, while the zone still limits', () => {
    const zero = harness('inet6', {}, {}, { maxfragbucketsize: 0 });
    expect(zero.table.input(zero.frag(UDP6, 1, 0, 8, true)).kind).toBe('dropped');
    const { same } = bucketIds();
    const open = harness('inet6', {}, {}, { maxfragbucketsize: -1 });
    for (const id of same) expect(open.table.input(open.frag(UDP6, id, 0, 8, true)).kind).toBe('held');
  });

  it('a new queue walks the bucket it is made in, and evicts nothing', () => {
    const { same } = bucketIds();
    const h = harness('inet6');
    const a = h.table.input(h.frag(UDP6, same[0], 0, 8, true));
    const b = h.table.input(h.frag(UDP6, same[1], 0, 8, true));
    expect([a.kind, a.steps, a.drops]).toEqual(['held', 0, []]);
    expect([b.kind, b.steps, b.drops]).toEqual(['held', 1, []]);
  });
});

describe('frag6_input joining a queue (RFC 5722, RFC 8200 4.5)', () => {
  it('fragments that only touch are no overlap; the join walks the bucket, the place and the queue', () => {
    const h = harness('inet6');
    h.table.input(h.frag(UDP6, 1, 16, 8, true));
    const before = h.table.input(h.frag(UDP6, 1, 8, 8, true));
    // Found at the head (1), placed before the one fragment (1), queue of 2 walked (2).
    expect([before.kind, before.steps]).toEqual(['held', 1 + 1 + 2]);
    const after = h.table.input(h.frag(UDP6, 1, 24, 8, true));
    expect([after.kind, after.steps]).toEqual(['held', 1 + 3 + 3]);
    expect(h.stats.snapshot()).toEqual({ ip6s_fragments: 3 });
  });

  it('an overlap of the same length at another offset frees the whole datagram', () => {
    const h = harness('inet6');
    h.table.input(h.frag(UDP6, 1, 0, 16, true));
    h.table.input(h.frag(UDP6, 1, 32, 8, true));
    const r = h.table.input(h.frag(UDP6, 1, 8, 16, true));
    expect(reasons(r)).toEqual([
      '0:datagram with overlapping fragments (RFC 5722)',
      '1:datagram with overlapping fragments (RFC 5722)',
      '2:overlapping fragment (RFC 5722)',
    ]);
    expect(r.steps).toBe(1 + 2);
    expect(h.stats.snapshot()).toEqual({ ip6s_fragments: 3, ip6s_fragdropped: 3 });
    expect(h.table.heldFragments).toBe(0);
    expect(h.timers.pendingCount).toBe(0);
  });

  it('an overlap at the same offset with another length, or into the next fragment, frees it too', () => {
    const h = harness('inet6');
    h.table.input(h.frag(UDP6, 1, 0, 16, true));
    expect(h.table.input(h.frag(UDP6, 1, 0, 8, true)).drops).toHaveLength(2);
    h.table.input(h.frag(UDP6, 2, 8, 16, true));
    const into = h.table.input(h.frag(UDP6, 2, 0, 16, true));
    expect(reasons(into)).toEqual([
      '2:datagram with overlapping fragments (RFC 5722)',
      '3:overlapping fragment (RFC 5722)',
    ]);
    expect(h.table.heldQueues).toBe(0);
  });

  it('an exact duplicate drops only itself, and the queue waits on', () => {
    const h = harness('inet6');
    h.table.input(h.frag(UDP6, 1, 0, 16, true));
    const dup = h.table.input(h.frag(UDP6, 1, 0, 16, true));
    expect(dup.kind).toBe('dropped');
    expect(reasons(dup)).toEqual(['1:duplicate fragment']);
    expect(dup.steps).toBe(1 + 2);
    expect(h.table.heldFragments).toBe(1);
    expect(h.stats.snapshot()).toEqual({ ip6s_fragments: 2, ip6s_fragdropped: 1 });
  });

  it('the 65th fragment frees the datagram (maxfragsperpacket 64); the variant keeps it', () => {
    const h = harness('inet6');
    for (let i = 0; i < 64; i++) h.table.input(h.frag(UDP6, 1, i * 16, 8, true));
    const r = h.table.input(h.frag(UDP6, 1, 64 * 16, 8, true));
    expect(r.kind).toBe('dropped');
    expect(new Set(reasons(r).map((x) => x.split(':')[1]))).toEqual(new Set(['more than maxfragsperpacket']));
    expect(r.drops).toHaveLength(65);
    expect(h.stats.get('ip6s_fragdropped')).toBe(65);
    expect(h.timers.pendingCount).toBe(0);
    const v = harness('inet6', {}, { noFragsPerPacketLimit: true });
    for (let i = 0; i < 66; i++) v.table.input(v.frag(UDP6, 1, i * 16, 8, true));
    expect(v.table.heldFragments).toBe(66);
  });

  it('completes in any order, counted once, with its timer stopped', () => {
    const h = harness('inet6');
    h.table.input(h.frag(UDP6, 1, 8, 8, false));
    const r = h.table.input(h.frag(UDP6, 1, 0, 8, true));
    expect(pieces(r)).toEqual([
      [1, 0, 8],
      [0, 8, 8],
    ]);
    expect(h.stats.snapshot()).toEqual({ ip6s_fragments: 2, ip6s_reassembled: 1 });
    expect(h.timerLog).toEqual([['arm', 120 * TICK], ['cancel']]);
    expect(h.table.heldQueues).toBe(0);
  });
});

describe('variant frag6-overlap-trim (IPv4 trimming, no RFC 5722)', () => {
  const opts = { trimOverlaps: true };

  it('a covered fragment is dropped alone and the queue keeps its count', () => {
    const h = harness('inet6', {}, opts);
    h.table.input(h.frag(UDP6, 1, 0, 16, true));
    const r = h.table.input(h.frag(UDP6, 1, 0, 8, true));
    expect(r.kind).toBe('dropped');
    expect(reasons(r)).toEqual(['1:covered by queued data']);
    expect(r.steps).toBe(1 + 2);
    expect(h.table.heldFragments).toBe(1);
    expect(h.stats.snapshot()).toEqual({ ip6s_fragments: 2, ip6s_fragdropped: 1 });
  });

  it('a fragment covering queued ones removes them, counted, and the held count follows', () => {
    const h = harness('inet6', {}, opts);
    h.table.input(h.frag(UDP6, 1, 8, 8, true));
    h.table.input(h.frag(UDP6, 1, 16, 8, true));
    const r = h.table.input(h.frag(UDP6, 1, 0, 32, true, 1));
    expect(r.kind).toBe('held');
    expect(reasons(r)).toEqual(['0:covered by a later fragment', '1:covered by a later fragment']);
    // Found (1), placed first and two covered walked (3), queue of 1 walked (1).
    expect(r.steps).toBe(1 + 3 + 1);
    expect(h.table.heldFragments).toBe(1);
    expect(h.stats.snapshot()).toEqual({ ip6s_fragments: 3, ip6s_fragdropped: 2 });
  });

  it('a trimmed join without drops bumps no drop counter', () => {
    const h = harness('inet6', {}, opts);
    h.table.input(h.frag(UDP6, 1, 0, 16, true));
    expect(h.table.input(h.frag(UDP6, 1, 8, 16, true)).kind).toBe('held');
    expect(h.stats.snapshot()).toEqual({ ip6s_fragments: 2 });
  });
});

describe('frag6_slowtimo expiry (IPV6_FRAGTTL 120 ticks of 500 ms)', () => {
  it('a queue expires 120 ticks after the tick it was made in; one timer follows the oldest', () => {
    const h = harness('inet6');
    h.setNow(0.3 * S);
    h.table.input(h.frag(UDP6, 1, 0, 8, true)); // tick 0: expires at 60 s
    h.setNow(0.7 * S);
    h.table.input(h.frag(UDP6, 2, 0, 8, true)); // tick 1: 60.5 s
    h.table.input(h.frag(UDP6, 3, 0, 8, true)); // tick 1: 60.5 s
    expect(h.timerLog).toEqual([['arm', 60 * S]]);
    h.advance(60 * S - 0.7 * S);
    expect(h.expired.map((d) => d.map((x) => `${x.pkt.id}:${x.reason}`))).toEqual([['0:reassembly timeout']]);
    expect(h.table.heldQueues).toBe(2);
    expect(h.timerLog.slice(1)).toEqual([['arm', 60.5 * S]]);
    h.advance(0.5 * S);
    expect(h.expired[1]?.map((x) => x.pkt.id)).toEqual([1, 2]);
    expect(h.stats.get('ip6s_fragtimeout')).toBe(3);
    expect(h.timers.pendingCount).toBe(0);
  });

  it('moves the timer when the oldest queue leaves, and starts afresh after the table emptied', () => {
    const h = harness('inet6');
    h.table.input(h.frag(UDP6, 1, 0, 8, true)); // 60 s
    h.setNow(S);
    h.table.input(h.frag(UDP6, 2, 0, 8, true)); // 61 s
    h.table.input(h.frag(UDP6, 1, 8, 8, false)); // completes datagram 1
    expect(h.timerLog).toEqual([['arm', 60 * S], ['cancel'], ['arm', 61 * S]]);
    h.table.input(h.frag(UDP6, 2, 8, 8, false));
    expect(h.timerLog.slice(3)).toEqual([['cancel']]);
    h.setNow(2 * S);
    h.table.input(h.frag(UDP6, 5, 0, 8, true));
    expect(h.timerLog.slice(4)).toEqual([['arm', 62 * S]]);
    h.advance(60 * S);
    expect(h.flat().map((d) => d.pkt.id)).toEqual([4]);
  });
});
