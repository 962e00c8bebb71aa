import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCounterConsistency } from '../../properties/counters.ts';
import { checkLiveness } from '../../properties/liveness.ts';
import { checkNoDropBelowLimit } from '../../properties/no-drop-below-limit.ts';
import { checkFlowOrder } from '../../properties/ordering.ts';
import { queueCaseArb, runQueueCase } from '../arbitraries/ipsec.ts';
import { fcRuns } from '../fc-runs.ts';
import { replayOf } from './helpers.ts';

/** Deferral on (i386 default), 1..4 workstreams, short ipsec queues, any interleaving. */
const queueCase = queueCaseArb({ threadsMax: 4, qlimitMax: 16, scheduleMax: 160 });
const run = runQueueCase;

describe('flow order and no-drop-below-limit through the ipsec netisr queue and ip re-injection', () => {
  it('packets of a flow leave in order, drops happen only at the ipsec qlimit and are counted, queues drain', () => {
    let queued = 0;
    let reinjected = 0;
    fc.assert(
      fc.property(queueCase, (c) => {
        const trace = run(c);
        queued += trace.filter((e) => e.kind === 'enqueue' && e.proto === 'ipsec').length;
        // Under direct dispatch only a decrypted packet's re-injection queues to ip (S-3).
        if (c.dispatch === 'direct')
          reinjected += trace.filter((e) => e.kind === 'enqueue' && e.proto === 'ip').length;
        expect(checkFlowOrder(trace)).toEqual([]);
        expect(checkNoDropBelowLimit(trace)).toEqual([]);
        expect(checkCounterConsistency(trace)).toEqual([]);
        expect(checkLiveness(trace)).toEqual([]);
      }),
    );
    expect(queued).toBeGreaterThan(0);
    expect(reinjected).toBeGreaterThan(0);
  });

  it('teeth: an ipsec queue that refuses one packet early is caught at its first early drop (N-9)', () => {
    const out = fc.check(
      fc.property(queueCase, (c) => checkNoDropBelowLimit(run(c, ['netisr-drops-one-early'])).length === 0),
    );
    expect(out.failed, replayOf(out)).toBe(true);
    const c = out.counterexample?.[0];
    if (c === undefined) throw new Error('no counterexample');
    const v = checkNoDropBelowLimit(run(c, ['netisr-drops-one-early']));
    expect(v[0], replayOf(out)).toMatchObject({ property: 'no-drop-below-limit', rule: 'N-9' });
    expect(v[0]?.message, replayOf(out)).toMatch(
      new RegExp(`^ipsec on cpu \\d+: packet \\d+ dropped at len ${c.qlimit - 1}, below qlimit ${c.qlimit}$`),
    );
  });

  it('teeth: spreading deferred packets over the workstreams one by one instead of by SPI reorders a flow', () => {
    const out = fc.check(
      fc.property(queueCase, (c) => checkFlowOrder(run(c, ['ipsec-deferral-round-robin'])).length === 0),
      { numRuns: Math.max(fcRuns(), 200) },
    );
    expect(out.failed, replayOf(out)).toBe(true);
    const c = out.counterexample?.[0];
    if (c === undefined) throw new Error('no counterexample');
    expect(c.threads, replayOf(out)).toBeGreaterThan(1);
    const v = checkFlowOrder(run(c, ['ipsec-deferral-round-robin']));
    expect(v[0]?.rule, replayOf(out)).toMatch(/^(N-20|INV-ORDER)$/);
    // The same case keeps order when the SPI picks the workstream.
    expect(checkFlowOrder(run(c))).toEqual([]);
  });
});
