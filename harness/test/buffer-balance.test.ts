import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpuId, packetId, virtualNs } from '../../model/brand.ts';
import type { BufferKind, TraceEvent } from '../../model/trace.ts';
import { checkBufferBalance } from '../../properties/buffer-balance.ts';
import { queueCaseArb, runQueueCase } from '../arbitraries/ipsec.ts';
import { replayOf } from './helpers.ts';

/** A gateway run with a small ipsec queue, so enqueues fail as the schedule allows. */
const gatewayCase = queueCaseArb({ threadsMax: 3, qlimitMax: 6, scheduleMax: 128 });
const run = runQueueCase;

describe('buffer-balance (INV-FREE)', () => {
  it('every mbuf and tag of the deferral path is freed exactly once, also when the ipsec queue is full', () => {
    let refusedRuns = 0;
    fc.assert(
      fc.property(gatewayCase, (c) => {
        const trace = run(c);
        if (trace.some((e) => e.kind === 'drop' && e.counter === 'ipsec.QDrops')) refusedRuns++;
        expect(checkBufferBalance(trace)).toEqual([]);
      }),
    );
    // The path under test was taken: some runs refused enqueues.
    expect(refusedRuns).toBeGreaterThan(0);
  });

  it('teeth: a refused enqueue that frees the mbuf but not its deferral tag is caught as a leak', () => {
    const out = fc.check(
      fc.property(
        gatewayCase,
        (c) => checkBufferBalance(run(c, ['ipsec-tag-leaked-on-enqueue-failure'])).length === 0,
      ),
    );
    expect(out.failed, replayOf(out)).toBe(true);
    const c = out.counterexample?.[0];
    if (c === undefined) throw new Error('no counterexample');
    const v = checkBufferBalance(run(c, ['ipsec-tag-leaked-on-enqueue-failure']));
    expect(v[0]?.rule, replayOf(out)).toBe('INV-FREE');
    expect(v[0]?.message, replayOf(out)).toMatch(
      /^tag \d+ of packet \d+ allocated on cpu \d+ and never freed \(leaked\)$/,
    );
    // The leaked tag belongs to a packet the ipsec queue refused.
    const pkt = Number(/of packet (\d+)/.exec(v[0]?.message ?? '')?.[1]);
    const trace = run(c, ['ipsec-tag-leaked-on-enqueue-failure']);
    expect(trace.some((e) => e.kind === 'drop' && e.pkt === pkt && e.counter === 'ipsec.QDrops')).toBe(true);
  });

  describe('checker', () => {
    const at = { atNs: virtualNs(0), cpu: cpuId(0), pkt: packetId(1) };
    const alloc = (buf: number, what: BufferKind = 'mbuf'): TraceEvent => ({
      kind: 'alloc',
      ...at,
      buf,
      what,
    });
    const free = (buf: number, what: BufferKind = 'mbuf'): TraceEvent => ({
      kind: 'free',
      ...at,
      buf,
      what,
      allocCpu: cpuId(0),
    });
    const end = (outcome: 'quiescent' | 'steps-exhausted'): TraceEvent => ({
      kind: 'end',
      atNs: virtualNs(0),
      outcome,
      steps: 1,
      busyCpus: [],
      pendingPackets: 0,
    });

    it('double free, free without alloc, free as another kind', () => {
      const v = checkBufferBalance([alloc(1), free(1), free(1), free(2), alloc(3, 'tag'), free(3, 'mbuf')]);
      expect(v.map((x) => [x.events, x.message])).toEqual([
        [[1, 2], 'mbuf 1 of packet 1 freed twice'],
        [[3], 'mbuf 2 of packet 1 freed but never allocated'],
        [[4, 5], 'tag 3 of packet 1 freed as mbuf'],
      ]);
    });

    it('leaks count only at a quiescent end', () => {
      expect(checkBufferBalance([alloc(1), end('steps-exhausted')])).toEqual([]);
      expect(checkBufferBalance([alloc(1), end('quiescent')])).toHaveLength(1);
      expect(checkBufferBalance([alloc(1), free(1), end('quiescent')])).toEqual([]);
    });

    it('leaves traces with skbs to linux-resource-balance', () => {
      expect(checkBufferBalance([alloc(1, 'skb'), alloc(2), end('quiescent')])).toEqual([]);
    });
  });
});
