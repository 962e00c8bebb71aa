import { describe, expect, it } from 'vitest';
import {
  type CounterField,
  netstatRowFaults,
  type SettableQlimits,
  type WorkRowWithLimit,
} from './netstat-q.ts';

/**
 * One Workstreams row of `netstat -Q` (docs/reference/freebsd-netisr-rss-reass.md Q-4) against
 * the identities of sys/net/netisr.c's counters. The base row is a busy queue: Handled 31 =
 * Disp'd 10 + HDisp'd 3 + 18 taken off the queue by the SWI; Queued 25 - 18 - Len 2 = a batch
 * of 5 in flight (N-17); Len 2 <= WMark 5 <= QLimit 256.
 */
const busy: WorkRowWithLimit = {
  proto: 'ip',
  cpu: 1,
  lenPackets: 2,
  watermarkPackets: 5,
  dispatched: 10,
  hybridDispatched: 3,
  qdrops: 0,
  queued: 25,
  handled: 31,
  qlimitPackets: 256,
};
/** The same queue at a quiescent point: nothing in flight (N-10). */
const idle: WorkRowWithLimit = { ...busy, queued: 20 };

const row = (over: Partial<WorkRowWithLimit>): WorkRowWithLimit => ({ ...busy, ...over });
const rules = (r: WorkRowWithLimit, quiescent: boolean, settable?: SettableQlimits) =>
  netstatRowFaults(r, quiescent, settable).map((f) => f.rule);
/** Above 2^53: a real table's u64 counter, read as a bigint. */
const BIG = 2n ** 60n;

describe('netstat -Q row identities: rows a kernel prints pass', () => {
  it('a busy row (a batch in flight) and a quiescent one', () => {
    expect(netstatRowFaults(busy, false)).toEqual([]);
    expect(netstatRowFaults(idle, true)).toEqual([]);
    expect(netstatRowFaults(idle, false)).toEqual([]);
  });

  it('an all-zero row, and Len = WMark = QLimit (a full queue)', () => {
    const zero = row({
      lenPackets: 0,
      watermarkPackets: 0,
      dispatched: 0,
      hybridDispatched: 0,
      queued: 0,
      handled: 0,
    });
    expect(netstatRowFaults(zero, true)).toEqual([]);
    const full = row({ lenPackets: 256, watermarkPackets: 256, queued: 274, qdrops: 9 });
    expect(netstatRowFaults(full, true)).toEqual([]);
  });

  it('N-17: a batch in flight of exactly QLimit is allowed (the SWI took a full queue)', () => {
    expect(netstatRowFaults(row({ queued: 18 + 2 + 256 }), false)).toEqual([]);
  });

  it('without a Protocols section (QLimit unknown) any batch in flight and any WMark pass', () => {
    const r = row({ qlimitPackets: undefined, queued: 10_000, watermarkPackets: 9_000 });
    expect(netstatRowFaults(r, false)).toEqual([]);
  });

  it('64-bit counters above 2^53 (bigint) next to small ones are exact', () => {
    const r = row({ handled: BIG + 31n, dispatched: BIG + 10n, hybridDispatched: 3n });
    expect(netstatRowFaults(r, false)).toEqual([]);
    expect(netstatRowFaults(row({ handled: BIG + 31n, dispatched: BIG + 10n, queued: 20 }), true)).toEqual(
      [],
    );
    // The boundaries again in bigint: a batch of exactly QLimit, WMark = Len, a zero counter.
    const edge = row({ handled: BIG + 31n, dispatched: BIG + 10n, queued: 18 + 7 + 256, lenPackets: 7 });
    expect(
      netstatRowFaults({ ...edge, watermarkPackets: 7, hybridDispatched: 3n, qdrops: 0n }, false),
    ).toEqual([]);
  });
});

describe('netstat -Q row identities: each broken alone is reported with its rule', () => {
  it('Q-4: every counter column must be a non-negative integer (a fraction, a negative)', () => {
    const fields: readonly CounterField[] = [
      'lenPackets',
      'watermarkPackets',
      'dispatched',
      'hybridDispatched',
      'qdrops',
      'queued',
      'handled',
    ];
    for (const f of fields) {
      // Off by a half: every identity below still holds in floating point.
      const half = row({ [f]: (busy[f] as number) - 0.5 });
      expect(netstatRowFaults(half, false), f).toEqual([
        { rule: 'Q-4', message: 'ip on cpu 1: a counter is not a non-negative integer' },
      ]);
    }
    expect(rules(row({ qdrops: -1 }), false)).toEqual(['Q-4']);
    expect(rules(row({ lenPackets: -1 }), false)).toEqual(['Q-4']);
    expect(rules(row({ handled: -BIG }), false)).toEqual(['Q-4']);
    expect(rules(row({ qdrops: Number.NaN }), false)).toEqual(['Q-4']);
    // Every counter negative, yet the sums balance: still not a table a kernel prints.
    const negative = { lenPackets: -2, watermarkPackets: -1, dispatched: -1, hybridDispatched: -1 };
    expect(rules(row({ ...negative, qdrops: -1, queued: -1, handled: -1 }), true)).toEqual(['Q-4']);
  });

  it("I-4: Handled below Disp'd + HDisp'd, and nothing else reported from it", () => {
    const r = row({ handled: 12, queued: 2 });
    expect(netstatRowFaults(r, true)).toEqual([
      { rule: 'I-4', message: "ip on cpu 1: Handled 12 < Disp'd 10 + HDisp'd 3" },
    ]);
    expect(netstatRowFaults(r, false)).toEqual([
      { rule: 'I-4', message: "ip on cpu 1: Handled 12 < Disp'd 10 + HDisp'd 3" },
    ]);
    // Near miss: Handled = Disp'd + HDisp'd (nothing taken off the queue yet).
    expect(netstatRowFaults(row({ handled: 13, queued: 2 }), true)).toEqual([]);
    expect(rules(row({ handled: BIG, dispatched: BIG + 1n }), false)).toEqual(['I-4']);
  });

  it('N-17: a batch in flight above QLimit, or Queued below what left the queue plus Len', () => {
    expect(netstatRowFaults(row({ queued: 18 + 2 + 257 }), false)).toEqual([
      {
        rule: 'N-17',
        message:
          'ip on cpu 1: Queued 277 - handled from queue 18 - Len 2 = 257, want 0..256 (the batch in flight)',
      },
    ]);
    // Queued 0 after 18 left the queue and 2 wait in it: -20 in flight.
    expect(netstatRowFaults(row({ queued: 0 }), false)).toEqual([
      {
        rule: 'N-17',
        message:
          'ip on cpu 1: Queued 0 - handled from queue 18 - Len 2 = -20, want 0..256 (the batch in flight)',
      },
    ]);
    // Handled from queue 0 (all dispatched), Queued 0, Len 2: -2 in flight.
    expect(rules(row({ handled: 13, queued: 0 }), false)).toEqual(['N-17']);
    const noLimit = row({ queued: 19, qlimitPackets: undefined });
    expect(netstatRowFaults(noLimit, false)[0]?.message).toBe(
      'ip on cpu 1: Queued 19 - handled from queue 18 - Len 2 = -1, want 0..Infinity (the batch in flight)',
    );
    expect(rules(row({ handled: BIG + 31n, dispatched: BIG + 10n, queued: 18 + 2 + 257 }), false)).toEqual([
      'N-17',
    ]);
  });

  it('N-10: at a quiescent point nothing is in flight: Queued = handled from queue + Len', () => {
    expect(netstatRowFaults(idle, true)).toEqual([]);
    expect(netstatRowFaults(row({ queued: 21 }), true)).toEqual([
      {
        rule: 'N-10',
        message: 'ip on cpu 1: Queued 21 - handled from queue 18 - Len 2 = 1, want 0 when quiescent',
      },
    ]);
    expect(rules(row({ queued: 19 }), true)).toEqual(['N-10']);
    expect(rules(row({ handled: BIG + 31n, dispatched: BIG + 10n, queued: 21 }), true)).toEqual(['N-10']);
  });

  it('I-2: WMark below Len; WMark = Len passes', () => {
    expect(netstatRowFaults(row({ watermarkPackets: 1 }), false)).toEqual([
      { rule: 'I-2', message: 'ip on cpu 1: WMark 1 below Len 2' },
    ]);
    expect(netstatRowFaults(row({ watermarkPackets: 2 }), false)).toEqual([]);
    expect(rules(row({ watermarkPackets: 1, handled: BIG + 31n, dispatched: BIG + 10n }), false)).toEqual([
      'I-2',
    ]);
  });

  it('I-1: WMark above QLimit; WMark = QLimit passes', () => {
    expect(netstatRowFaults(row({ watermarkPackets: 257 }), false)).toEqual([
      { rule: 'I-1', message: 'ip on cpu 1: WMark 257 above QLimit 256' },
    ]);
    expect(netstatRowFaults(row({ watermarkPackets: 256 }), false)).toEqual([]);
    expect(rules(row({ watermarkPackets: 257, handled: BIG + 31n, dispatched: BIG + 10n }), false)).toEqual([
      'I-1',
    ]);
  });

  it('settable qlimits (a real host): WMark bounded by maxqlimit, a batch in flight by max(QLimit, WMark)', () => {
    const settable = { maxqlimitPackets: 1024 };
    expect(netstatRowFaults(row({ watermarkPackets: 300, qlimitPackets: 100 }), false, settable)).toEqual([]);
    expect(netstatRowFaults(row({ watermarkPackets: 1024, qlimitPackets: 100 }), false, settable)).toEqual(
      [],
    );
    expect(netstatRowFaults(row({ watermarkPackets: 1025 }), false, settable)).toEqual([
      { rule: 'I-1', message: 'ip on cpu 1: WMark 1025 above maxqlimit 1024, which no qlimit can pass' },
    ]);
    expect(
      rules(row({ watermarkPackets: 1025, handled: BIG + 31n, dispatched: BIG + 10n }), false, settable),
    ).toEqual(['I-1']);
    expect(netstatRowFaults(row({ watermarkPackets: 9999 }), false, { maxqlimitPackets: undefined })).toEqual(
      [],
    );
    // 300 in flight: past QLimit 100, within WMark 300 (the batch was the whole queue).
    const busy = { watermarkPackets: 300, qlimitPackets: 100, queued: 18 + 2 + 300 };
    expect(netstatRowFaults(row(busy), false, settable)).toEqual([]);
    expect(rules(row(busy), false)).toEqual(['N-17', 'I-1']);
    expect(rules(row({ ...busy, queued: 18 + 2 + 301 }), false, settable)).toEqual(['N-17']);
    expect(rules(row({ ...busy, queued: 18 + 2 + 301 }), true, settable)).toEqual(['N-10']);
  });

  it('several broken at once are all reported, in rule order', () => {
    const r = row({ lenPackets: 300, watermarkPackets: 299, queued: 0, qlimitPackets: 298 });
    expect(rules(r, false)).toEqual(['N-17', 'I-2', 'I-1']);
  });
});
