import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import type { Packet } from '../packet.ts';
import { datagramKey, reassBucketOf } from './reass-key.ts';
import { counters, harness, pieces, reasons, UDP4 } from './test/reass-harness.ts';

const S = NS_PER_SECOND;

/** The ip_reass bucket of a fragment (F-1), for tests that need two datagrams in chosen buckets. */
function bucketOfFrag(pkt: Packet, hashsize: number): number {
  if (pkt.fragment === undefined) throw new Error('not a fragment');
  return reassBucketOf(datagramKey(pkt.flow, pkt.fragment), 0, hashsize);
}

describe('ip_reass admission (F-3 .. F-6)', () => {
  it('F-3: maxfrags caps the fragments held over all queues; the drop counts as a fragment too', () => {
    const h = harness('inet', { 'net.inet.ip.maxfrags': 2 });
    expect(h.table.input(h.frag(UDP4, 1, 0, 8, true)).kind).toBe('held');
    expect(h.table.input(h.frag(UDP4, 2, 0, 8, true)).kind).toBe('held');
    const r = h.table.input(h.frag(UDP4, 3, 0, 8, true));
    expect(reasons(r)).toEqual(['2:reassembly off or maxfrags reached']);
    expect(counters(r)).toEqual(['2:ips_fragdropped']);
    expect(r.steps).toBe(1);
    expect(h.stats.snapshot()).toEqual({ ips_fragments: 3, ips_fragdropped: 1 });
    // A completed datagram frees its fragments, and the cap lets new ones in again.
    expect(h.table.input(h.frag(UDP4, 4, 0, 8, true)).kind).toBe('dropped');
    expect(h.table.heldFragments).toBe(2);
  });

  it('F-3: maxfrags 0 takes no fragment; -1 is no cap at all', () => {
    const none = harness('inet', { 'net.inet.ip.maxfrags': 0 });
    expect(none.table.input(none.frag(UDP4, 1, 0, 8, true)).kind).toBe('dropped');
    const any = harness('inet', { 'net.inet.ip.maxfrags': -1 });
    for (let id = 0; id < 3; id++) expect(any.table.input(any.frag(UDP4, id, 0, 8, true)).kind).toBe('held');
    expect(any.table.heldFragments).toBe(3);
  });

  it('F-3: maxfragpackets 0 turns reassembly off before any queue is looked for', () => {
    const h = harness('inet', { 'net.inet.ip.maxfragpackets': 0 });
    const r = h.table.input(h.frag(UDP4, 1, 0, 8, true));
    expect(reasons(r)).toEqual(['0:reassembly off or maxfrags reached']);
    expect(r.steps).toBe(1);
  });

  it('F-3: maxfragsperpacket 0 turns reassembly off as maxfragpackets 0 does', () => {
    const h = harness('inet', { 'net.inet.ip.maxfragsperpacket': 0 });
    const r = h.table.input(h.frag(UDP4, 1, 0, 8, true));
    expect(reasons(r)).toEqual(['0:reassembly off or maxfrags reached']);
    expect(h.stats.snapshot()).toEqual({ ips_fragments: 1, ips_fragdropped: 1 });
  });

  it('F-4: a last fragment (MF clear) of any length is taken; an MF one of 12 bytes is too small', () => {
    const h = harness('inet');
    const small = h.table.input(h.frag(UDP4, 1, 0, 12, true));
    expect(reasons(small)).toEqual(['0:fragment too small']);
    expect(h.table.input(h.frag(UDP4, 1, 8, 12, false)).kind).toBe('held');
    expect(h.stats.snapshot()).toEqual({ ips_toosmall: 1, ips_fragdropped: 1, ips_fragments: 1 });
  });

  it('F-5: a fragment ending at exactly 65535 is taken, one byte further is too long', () => {
    const h = harness('inet');
    expect(h.table.input(h.frag(UDP4, 1, 65528, 7, false)).kind).toBe('held');
    const r = h.table.input(h.frag(UDP4, 2, 65528, 8, false));
    expect(reasons(r)).toEqual(['1:fragment beyond 65535']);
    expect(h.stats.snapshot()).toEqual({ ips_fragments: 1, ips_toolong: 1, ips_fragdropped: 1 });
  });

  it('F-5: ip_off holds 8-byte units, so a byte offset of 13 is placed at 8', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 1, 0, 8, true));
    const r = h.table.input(h.frag(UDP4, 1, 13, 8, false));
    expect(pieces(r)).toEqual([
      [0, 0, 8],
      [1, 8, 8],
    ]);
  });
});

describe('ip_reass queues (F-7, F-8)', () => {
  it('F-7: the zone limit (maxfragpackets) reuses the oldest queue, its fragments counted as timeouts', () => {
    const h = harness('inet', { 'net.inet.ip.reass_hashsize': 1, 'net.inet.ip.maxfragpackets': 2 });
    h.table.input(h.frag(UDP4, 1, 0, 8, true));
    h.table.input(h.frag(UDP4, 1, 8, 8, true));
    h.table.input(h.frag(UDP4, 2, 0, 8, true));
    const r = h.table.input(h.frag(UDP4, 3, 0, 8, true));
    expect(r.kind).toBe('held');
    expect(reasons(r)).toEqual(['0:queue reused for a new datagram', '1:queue reused for a new datagram']);
    // The bucket had two queues, the match walked both; the reuse is one step more.
    expect(r.steps).toBe(3);
    expect(h.stats.snapshot()).toEqual({ ips_fragments: 4, ips_fragtimeout: 2 });
    expect(h.table.heldQueues).toBe(2);
    expect(h.table.heldFragments).toBe(2);
  });

  it('F-7: below both limits a new queue is made without reuse; -1 lifts the zone limit', () => {
    const h = harness('inet', { 'net.inet.ip.reass_hashsize': 1, 'net.inet.ip.maxfragpackets': 3 });
    for (let id = 0; id < 3; id++) expect(counters(h.table.input(h.frag(UDP4, id, 0, 8, true)))).toEqual([]);
    expect(h.table.heldQueues).toBe(3);
    const free = harness('inet', { 'net.inet.ip.reass_hashsize': 1, 'net.inet.ip.maxfragpackets': -1 });
    for (let id = 0; id < 5; id++)
      expect(counters(free.table.input(free.frag(UDP4, id, 0, 8, true)))).toEqual([]);
    expect(free.table.heldQueues).toBe(5);
    expect(free.table.limits.maxfragbucketsize).toBe(-1);
  });

  it('F-7: an explicit per-bucket limit of -1 is no limit; the zone limit still holds', () => {
    const h = harness(
      'inet',
      { 'net.inet.ip.reass_hashsize': 1, 'net.inet.ip.maxfragpackets': 2 },
      {},
      {
        maxfragbucketsize: -1,
      },
    );
    h.table.input(h.frag(UDP4, 1, 0, 8, true));
    expect(counters(h.table.input(h.frag(UDP4, 2, 0, 8, true)))).toEqual([]);
    expect(counters(h.table.input(h.frag(UDP4, 3, 0, 8, true)))).toEqual(['0:ips_fragtimeout']);
  });

  it('F-7 ipq_reuse: with its own bucket empty, the oldest queue of the next non-empty bucket goes', () => {
    // Zone of one queue, two buckets: a datagram in the other bucket is the only victim.
    const h = harness(
      'inet',
      { 'net.inet.ip.reass_hashsize': 2, 'net.inet.ip.maxfragpackets': 1 },
      {},
      {
        maxfragbucketsize: 1,
      },
    );
    const probe = harness('inet');
    const ids = [0, 1, 2, 3, 4, 5, 6, 7];
    const inBucket = (b: number) => ids.find((id) => bucketOfFrag(probe.frag(UDP4, id, 0, 8, true), 2) === b);
    const [id0, id1] = [inBucket(0), inBucket(1)];
    if (id0 === undefined || id1 === undefined) throw new Error('no ids for both buckets');
    for (const [first, second] of [
      [id0, id1],
      [id1, id0],
    ] as const) {
      const g = harness(
        'inet',
        { 'net.inet.ip.reass_hashsize': 2, 'net.inet.ip.maxfragpackets': 1 },
        {},
        {
          maxfragbucketsize: 1,
        },
      );
      g.table.input(g.frag(UDP4, first, 0, 8, true));
      const r = g.table.input(g.frag(UDP4, second, 0, 8, true));
      expect(r.kind).toBe('held');
      expect(counters(r)).toEqual(['0:ips_fragtimeout']);
      expect(g.table.heldQueues).toBe(1);
      // The victim's bucket callout is stopped, the new queue's is armed.
      expect(g.timers.pendingCount).toBe(1);
    }
    expect(h.table.heldQueues).toBe(0);
  });

  it('F-7: when no queue can be reused the new fragment is dropped (ips_fragdropped)', () => {
    const h = harness('inet', {}, {}, { maxfragbucketsize: 0 });
    const r = h.table.input(h.frag(UDP4, 1, 0, 8, true));
    expect(r.kind).toBe('dropped');
    expect(reasons(r)).toEqual(['0:no reassembly queue']);
    expect(counters(r)).toEqual(['0:ips_fragdropped']);
    expect(r.steps).toBe(0);
    expect(h.stats.snapshot()).toEqual({ ips_fragments: 1, ips_fragdropped: 1 });
    expect(h.table.heldQueues).toBe(0);
  });

  it('F-8 / F-9: a new queue made by a last fragment already knows the end', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 1, 16, 8, false));
    const r = h.table.input(h.frag(UDP4, 1, 16, 16, false));
    expect(reasons(r)).toEqual(['1:beyond the last fragment']);
  });
});

describe('ip_reass joining a queue (F-9 .. F-18)', () => {
  it('F-9: once the end is known, an MF fragment reaching it is dropped; one ending short of it is taken', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 1, 0, 8, true));
    h.table.input(h.frag(UDP4, 1, 24, 8, false));
    const atEnd = h.table.input(h.frag(UDP4, 1, 16, 16, true));
    expect(reasons(atEnd)).toEqual(['2:beyond the last fragment']);
    expect(counters(atEnd)).toEqual(['2:ips_fragdropped']);
    expect(h.table.input(h.frag(UDP4, 1, 8, 8, true)).kind).toBe('held');
    expect(h.stats.snapshot()).toEqual({ ips_fragments: 4, ips_fragdropped: 1 });
  });

  it('F-9: a second last fragment with the same end is not beyond; it goes to the overlap rules', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 1, 16, 8, false));
    const same = h.table.input(h.frag(UDP4, 1, 8, 16, false));
    expect(same.kind).toBe('held');
    expect(reasons(same)).toEqual(['0:covered by a later fragment']);
    const short = h.table.input(h.frag(UDP4, 1, 0, 8, false));
    expect(reasons(short)).toEqual(['2:beyond the last fragment']);
  });

  it('F-9: a last fragment joining a queue of MF fragments sets the end', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 1, 0, 8, true));
    h.table.input(h.frag(UDP4, 1, 16, 8, false));
    expect(reasons(h.table.input(h.frag(UDP4, 1, 24, 8, true)))).toEqual(['2:beyond the last fragment']);
  });

  it('F-13: the held count follows trimming, so maxfrags sees the fragments actually queued', () => {
    const h = harness('inet', { 'net.inet.ip.maxfrags': 3 });
    h.table.input(h.frag(UDP4, 1, 8, 8, true));
    h.table.input(h.frag(UDP4, 1, 16, 8, true));
    const r = h.table.input(h.frag(UDP4, 1, 0, 32, true, 1));
    expect(r.kind).toBe('held');
    expect(h.table.heldFragments).toBe(1);
    expect(h.stats.get('ips_fragdropped')).toBe(2);
    expect(h.table.input(h.frag(UDP4, 2, 0, 8, true)).kind).toBe('held');
  });

  it('INV-COST: a join walks the bucket, the place in the queue, the trimmed fragments and the queue', () => {
    const h = harness('inet', { 'net.inet.ip.reass_hashsize': 1 });
    h.table.input(h.frag(UDP4, 1, 8, 16, true));
    h.table.input(h.frag(UDP4, 2, 0, 8, true));
    // Datagram 1 is the older queue: second from the head (2 steps); it goes before the one
    // fragment (1 step), trims it (1 step), and the queue of 2 is walked for completion.
    const r = h.table.input(h.frag(UDP4, 1, 0, 16, true));
    expect(r.steps).toBe(2 + 1 + 1 + 2);
    const covered = h.table.input(h.frag(UDP4, 1, 0, 8, true));
    expect(covered.kind).toBe('dropped');
    // Placed after the first fragment (2 steps), which covers it; the queue is still walked.
    expect(covered.steps).toBe(2 + 2 + 2);
  });

  it('F-17: the queue goes whole on the 17th fragment, each counted, and the variant keeps it', () => {
    const h = harness('inet');
    for (let i = 0; i < 16; i++) h.table.input(h.frag(UDP4, 1, i * 16, 8, true));
    const r = h.table.input(h.frag(UDP4, 1, 16 * 16, 8, true));
    expect(r.kind).toBe('dropped');
    expect(r.drops).toHaveLength(17);
    expect(new Set(r.drops.map((d) => d.reason))).toEqual(new Set(['more than maxfragsperpacket']));
    expect(h.stats.get('ips_fragdropped')).toBe(17);
    expect(h.table.heldFragments).toBe(0);
    expect(h.timers.pendingCount).toBe(0);
    const v = harness('inet', {}, { noFragsPerPacketLimit: true });
    for (let i = 0; i < 17; i++) v.table.input(v.frag(UDP4, 1, i * 16, 8, true));
    expect(v.table.heldFragments).toBe(17);
  });

  it('F-18: a datagram of 65515 payload bytes completes (65535 with its header); 65516 does not', () => {
    const h = harness('inet');
    h.table.input(h.frag(UDP4, 1, 0, 65512, true));
    const r = h.table.input(h.frag(UDP4, 1, 65512, 3, false));
    expect(r.kind).toBe('complete');
    if (r.kind === 'complete') expect(r.payloadBytes).toBe(65515);
    h.table.input(h.frag(UDP4, 2, 0, 65512, true));
    const over = h.table.input(h.frag(UDP4, 2, 65512, 4, false));
    expect(reasons(over)).toEqual([
      '2:reassembled datagram beyond 65535',
      '3:reassembled datagram beyond 65535',
    ]);
    expect(h.timers.pendingCount).toBe(0);
  });
});

describe('ip_reass callouts (F-21)', () => {
  it('arms the bucket callout fragttl after the first queue, not again for a younger one', () => {
    const h = harness('inet', { 'net.inet.ip.reass_hashsize': 1, 'net.inet.ip.fragttl': 10 });
    h.setNow(2.5 * S);
    h.table.input(h.frag(UDP4, 1, 0, 8, true));
    h.setNow(4 * S);
    h.table.input(h.frag(UDP4, 2, 0, 8, true));
    expect(h.timerLog).toEqual([['arm', 12.5 * S]]);
  });

  it('frees every queue whose uptime expiry has come, then re-arms for the next oldest', () => {
    const h = harness('inet', { 'net.inet.ip.reass_hashsize': 1, 'net.inet.ip.fragttl': 10 });
    h.setNow(0.5 * S);
    h.table.input(h.frag(UDP4, 1, 0, 8, true)); // expires at uptime 10
    h.setNow(0.9 * S);
    h.table.input(h.frag(UDP4, 1, 8, 8, true));
    h.table.input(h.frag(UDP4, 2, 0, 8, true)); // also uptime 10
    h.setNow(3.2 * S);
    h.table.input(h.frag(UDP4, 3, 0, 8, true)); // uptime 13
    h.advance(10.5 * S - 3.2 * S);
    expect(h.expired).toHaveLength(1);
    expect(h.expired[0]?.map((d) => `${d.pkt.id}:${d.reason}`)).toEqual([
      '0:reassembly timeout',
      '1:reassembly timeout',
      '2:reassembly timeout',
    ]);
    expect(h.stats.get('ips_fragtimeout')).toBe(3);
    expect(h.table.heldQueues).toBe(1);
    // Re-armed 13 - 10 = 3 s after the callout ran.
    expect(h.timerLog.at(-1)).toEqual(['arm', 13.5 * S]);
    h.advance(3 * S);
    expect(h.expired).toHaveLength(2);
    expect(h.table.heldQueues).toBe(0);
    expect(h.timers.pendingCount).toBe(0);
  });

  it('re-arms for the new oldest when the oldest completes, at least 1 s away', () => {
    const h = harness('inet', { 'net.inet.ip.reass_hashsize': 1, 'net.inet.ip.fragttl': 10 });
    h.table.input(h.frag(UDP4, 1, 0, 8, true)); // expires at 10
    h.setNow(4 * S);
    h.table.input(h.frag(UDP4, 2, 0, 8, true)); // expires at 14
    h.setNow(6 * S);
    expect(h.table.input(h.frag(UDP4, 1, 8, 8, false)).kind).toBe('complete');
    expect(h.timerLog).toEqual([['arm', 10 * S], ['cancel'], ['arm', 14 * S]]);
    // Past the expiry (the callout has not run yet): one second from now.
    h.table.input(h.frag(UDP4, 3, 0, 8, true));
    h.setNow(20 * S);
    expect(h.table.input(h.frag(UDP4, 2, 8, 8, false)).kind).toBe('complete');
    expect(h.timerLog.slice(3)).toEqual([['cancel'], ['arm', 21 * S]]);
    h.advance(S);
    expect(h.flat().map((d) => d.pkt.id)).toEqual([3]);
  });

  it('stops the callout when its bucket empties, and arms a fresh one for the next queue', () => {
    const h = harness('inet', { 'net.inet.ip.reass_hashsize': 1, 'net.inet.ip.fragttl': 10 });
    h.table.input(h.frag(UDP4, 1, 0, 8, true));
    h.table.input(h.frag(UDP4, 1, 8, 8, false));
    expect(h.timerLog).toEqual([['arm', 10 * S], ['cancel']]);
    h.setNow(2 * S);
    h.table.input(h.frag(UDP4, 2, 0, 8, true));
    expect(h.timerLog.slice(2)).toEqual([['arm', 12 * S]]);
    h.advance(20 * S);
    expect(h.timerLog.slice(3)).toEqual([]);
    expect(h.expired).toHaveLength(1);
  });
});
