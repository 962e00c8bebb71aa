import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../model/trace.ts';
import { checkNoDropBelowLimit } from './no-drop-below-limit.ts';
import {
  arrive,
  counters,
  deliver,
  dispatch,
  drop,
  end,
  enqueue,
  handle,
  policyError,
  reassembled,
  row,
  withHole,
} from './test/trace-builder.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'no-drop-below-limit',
  rule,
  events,
  message,
});
const check = (...events: TraceEvent[]) => checkNoDropBelowLimit(events);
const queued = (pkt: number) => dispatch({ pkt, mode: 'queued' });
const enq = (pkt: number, qlenBeforePackets: number, qlimitPackets = 1) =>
  enqueue({ pkt, qlenBeforePackets, qlimitPackets });
const qdrop = (f: Parameters<typeof drop>[0]) =>
  drop({ pkt: 2, where: 'netisr-queue', counter: 'ip.QDrops', ...f });
/** pkt 1 queued on ip of cpu 0 (qlimit 1), then pkt 2 dispatched to the full queue. */
const full = [queued(1), enq(1, 0), queued(2)];

describe('no-drop-below-limit rules (N-8, N-9, I-1, I-3, INV-BOUND, INV-CONSERVE)', () => {
  it('an empty trace passes', () => {
    expect(check()).toEqual([]);
  });

  it('I-1: an enqueue into a queue at qlimit; below it passes', () => {
    expect(check(enq(1, 0), enq(2, 1))).toEqual([
      viol('I-1', [1], 'ip on cpu 0: enqueued at len 1 of qlimit 1'),
    ]);
    expect(check(enq(1, 0, 2), enq(2, 1, 2))).toEqual([]);
  });

  it('N-8: an enqueue reports the length the trace holds', () => {
    expect(check(enq(1, 3, 9))).toEqual([
      viol('N-8', [0], 'ip on cpu 0: enqueue reports len 3, trace holds 0'),
    ]);
  });

  it('INV-CONSERVE: a handler runs no more often than the packet was dispatched inline or enqueued', () => {
    expect(check(handle({ pkt: 1 }))).toEqual([
      viol('INV-CONSERVE', [0], 'packet 1 handled by ip more often than dispatched'),
    ]);
    expect(check(dispatch({ pkt: 1, mode: 'direct' }), handle({ pkt: 1 }))).toEqual([]);
    expect(check(dispatch({ pkt: 1, mode: 'hybrid' }), handle({ pkt: 1 }))).toEqual([]);
    expect(check(enq(1, 0), handle({ pkt: 1 }))).toEqual([]);
    expect(check(queued(1), handle({ pkt: 1 }))).toHaveLength(1);
    expect(check(dispatch({ pkt: 1, proto: 'ip6' }), handle({ pkt: 1 }))).toHaveLength(1);
    expect(check(dispatch({ pkt: 1 }), handle({ pkt: 1 }), handle({ pkt: 1 }))).toHaveLength(1);
  });

  it('I-3: a drop names one real counter', () => {
    expect(check(drop({ pkt: 1, where: 'rx-ring', counter: 'none' }))).toEqual([
      viol('I-3', [0], "drop of packet 1 at rx-ring names counter 'none', want one real counter"),
    ]);
    expect(check(drop({ pkt: 1, where: 'rx-ring', counter: 'ifi_iqdrops' }))).toEqual([]);
  });

  it('I-3: a policy drop follows a policy-error event for its packet', () => {
    const pd = drop({
      pkt: 1,
      where: 'policy',
      counter: 'ip.policy_errors',
      qlenPackets: 0,
      qlimitPackets: 5,
    });
    expect(check(pd)).toEqual([
      viol('I-3', [0], 'policy drop of packet 1 without a policy-error event for it'),
    ]);
    expect(check(policyError({ pkt: 1 }), pd)).toEqual([]);
    expect(check(policyError({ pkt: 2 }), pd)).toHaveLength(1);
  });

  it('INV-BOUND: other queue drops only when their reported length reaches their limit', () => {
    const ring = (qlenPackets?: number, qlimitPackets?: number) =>
      check(drop({ pkt: 1, where: 'rx-ring', counter: 'ifi_iqdrops', qlenPackets, qlimitPackets }));
    expect(ring(3, 4)).toEqual([viol('INV-BOUND', [0], 'rx-ring drop of packet 1 at len 3 below limit 4')]);
    expect(ring(4, 4)).toEqual([]);
    expect(ring(undefined, 4)).toEqual([]);
    expect(ring(3, undefined)).toEqual([]);
  });

  it('N-9: a netisr queue drop needs a queued dispatch of its packet', () => {
    expect(check(qdrop({ cpu: 1 }))).toEqual([
      viol('N-9', [0], 'queue drop of packet 2 on cpu 1 without a queued dispatch'),
    ]);
  });

  it('N-9: a netisr queue drop only at qlimit, reporting the length the trace holds', () => {
    expect(check(...full, qdrop({ qlenPackets: 1, qlimitPackets: 1 }))).toEqual([]);
    expect(check(...full, qdrop({ qlimitPackets: 1 }))).toEqual([]);
    expect(check(queued(2), qdrop({ qlenPackets: 0, qlimitPackets: 1 }))).toEqual([
      viol('N-9', [1], 'ip on cpu 0: packet 2 dropped at len 0, below qlimit 1'),
    ]);
    expect(check(...full, qdrop({ qlenPackets: 1 }))).toEqual([
      viol('N-9', [3], 'ip on cpu 0: packet 2 dropped at len 1, below qlimit ?'),
    ]);
    expect(check(...full, qdrop({ qlenPackets: 5, qlimitPackets: 1 }))).toEqual([
      viol('N-9', [3], 'ip on cpu 0: drop reports len 5, trace holds 1'),
    ]);
  });

  it("I-3: a netisr queue drop names its protocol's QDrops, unless it already names no real counter", () => {
    expect(check(...full, qdrop({ counter: 'ip6.QDrops', qlenPackets: 1, qlimitPackets: 1 }))).toEqual([
      viol('I-3', [3], 'ip queue drop of packet 2 names ip6.QDrops, want ip.QDrops'),
    ]);
    expect(check(...full, qdrop({ counter: 'none', qlenPackets: 1, qlimitPackets: 1 }))).toEqual([
      viol('I-3', [3], "drop of packet 2 at netisr-queue names counter 'none', want one real counter"),
    ]);
  });

  it('I-3: each protocol QDrops summed over the rows equals the drop events naming it', () => {
    const drops = [...full, qdrop({ qlenPackets: 1, qlimitPackets: 1 })];
    const rows = (a: number, b: number) => [
      row({ qdrops: a, queued: 1, lenPackets: 1, watermarkPackets: 1 }),
      row({ cpu: 1, qdrops: b }),
    ];
    expect(check(...drops, counters({}, { netisr: rows(1, 0) }))).toEqual([]);
    expect(check(...drops, counters({}, { netisr: rows(1, 1) }))).toEqual([
      viol('I-3', [4], 'ip QDrops total 2 at snapshot, but 1 drop events name ip.QDrops'),
    ]);
    expect(check(counters({}, { netisr: [row({ proto: 'ip6', qdrops: 1 })] }))).toEqual([
      viol('I-3', [0], 'ip6 QDrops total 1 at snapshot, but 0 drop events name ip6.QDrops'),
    ]);
  });

  it('I-3: each statistic a drop names equals its drop events (absent: 0)', () => {
    const d = drop({ pkt: 1, where: 'rx-ring', counter: 'ifi_iqdrops' });
    expect(check(d, counters({ ifi_iqdrops: 1 }))).toEqual([]);
    expect(check(d, counters({ ifi_iqdrops: 2 }))).toEqual([
      viol('I-3', [1], 'ifi_iqdrops is 2 at snapshot, but 1 drop events name it'),
    ]);
    expect(check(d, counters({}))).toEqual([
      viol('I-3', [1], 'ifi_iqdrops is 0 at snapshot, but 1 drop events name it'),
    ]);
  });

  it('I-3: a drop statistic no drop names must be 0; other statistics are not judged', () => {
    expect(check(counters({ ips_fragdropped: 1 }))).toEqual([
      viol('I-3', [0], 'ips_fragdropped is 1 at snapshot, but 0 drop events name it'),
    ]);
    expect(
      check(counters({ ips_fragdropped: 0, ips_reassembled: 5, 'ip.QDrops': 3, 'ip.policy_errors': 2 })),
    ).toEqual([]);
  });

  it('near miss for I-3 at snapshots: unnamed, policy and QDrops counters are judged elsewhere', () => {
    const pd = drop({ pkt: 1, where: 'policy', counter: 'ip.policy_errors' });
    expect(check(policyError({ pkt: 1 }), pd, counters({ 'ip.policy_errors': 0 }))).toEqual([]);
    expect(check(drop({ pkt: 1, where: 'rx-ring' }), counters({}))).toHaveLength(1);
    expect(check(...full, qdrop({ qlenPackets: 1, qlimitPackets: 1 }), counters({ 'ip.QDrops': 0 }))).toEqual(
      [],
    );
  });

  it('INV-CONSERVE: at a quiescent end every packet ended once or is still queued', () => {
    expect(check(arrive({ pkt: 1 }), end())).toEqual([
      viol('INV-CONSERVE', [0], 'packet 1 was never delivered, dropped or queued: lost'),
    ]);
    expect(check(arrive({ pkt: 1 }), deliver({ pkt: 1 }), end())).toEqual([]);
    expect(
      check(arrive({ pkt: 1 }), drop({ pkt: 1, where: 'rx-ring', counter: 'ifi_iqdrops' }), end()),
    ).toEqual([]);
    expect(check(arrive({ pkt: 1 }), enq(1, 0), end())).toEqual([]);
    expect(check(arrive({ pkt: 1 }), end({ outcome: 'steps-exhausted' }))).toEqual([]);
    const thrice = check(
      arrive({ pkt: 1 }),
      deliver({ pkt: 1 }),
      deliver({ pkt: 1 }),
      deliver({ pkt: 1 }),
      end(),
    );
    expect(thrice).toEqual([viol('INV-CONSERVE', [0, 1, 2], 'packet 1 ended 3 times')]);
    expect(check(arrive({ pkt: 1 }), deliver({ pkt: 1 }), deliver({ pkt: 1 }), end())).toHaveLength(1);
  });

  it('INV-CONSERVE: a packet id that arrives again starts over, in its first place', () => {
    expect(
      check(arrive({ pkt: 0 }), arrive({ pkt: 1 }), deliver({ pkt: 0 }), arrive({ pkt: 0 }), end()),
    ).toEqual([
      viol('INV-CONSERVE', [3], 'packet 0 was never delivered, dropped or queued: lost'),
      viol('INV-CONSERVE', [1], 'packet 1 was never delivered, dropped or queued: lost'),
    ]);
  });

  it('INV-CONSERVE: fragments end in their datagram, which must end itself', () => {
    const frags = [arrive({ pkt: 1 }), arrive({ pkt: 2 }), reassembled({ pkt: 100, fragments: [1, 2] })];
    expect(check(...frags, deliver({ pkt: 100 }), end())).toEqual([]);
    expect(check(...frags, end())).toEqual([
      viol('INV-CONSERVE', [2], 'packet 100 was never delivered, dropped or queued: lost'),
    ]);
    expect(check(...frags, deliver({ pkt: 1 }), deliver({ pkt: 100 }), end())).toEqual([
      viol('INV-CONSERVE', [0, 2, 3], 'packet 1 ended 2 times'),
    ]);
  });

  it('skips holes in a trace', () => {
    expect(checkNoDropBelowLimit(withHole(handle({ pkt: 1 })))[0]?.events).toEqual([1]);
  });

  it('stops at VIOLATIONS_MAX even when the last event shows two faults', () => {
    const bad = Array.from({ length: 70 }, (_, k) => handle({ pkt: k }));
    expect(check(...bad)).toHaveLength(64);
    const t = check(...bad.slice(0, 63), enq(1, 5, 0));
    expect(t).toHaveLength(64);
    expect(t[63]?.message).toBe('ip on cpu 0: enqueued at len 0 of qlimit 0');
  });
});
