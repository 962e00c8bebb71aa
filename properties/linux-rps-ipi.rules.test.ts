import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../model/trace.ts';
import { checkLinuxRpsIpi } from './linux-rps-ipi.ts';
import { batch, dispatch, enqueue, ipi, napiPoll, softirq, withHole } from './test/trace-builder.ts';
import { VIOLATIONS_MAX } from './violation.ts';

const viol = (events: number[], message: string) => ({
  property: 'linux-rps-ipi',
  rule: 'R10',
  events,
  message,
});
const unsent = (cpu: number, what: string, to: number, since: number) =>
  `cpu ${cpu} ${what} while its RPS IPI to cpu ${to} (owed since event #${since}) was still unsent`;

/** A softirq start marks the trace as Linux; event #0 in every trace below. */
const linux = softirq({ cpu: 3, phase: 'start' });
/** cpu `from` places packet `pkt` on cpu `to`'s backlog (empty before unless `qlen` says so). */
const place = (pkt: number, from: number, to: number, qlen = 0): TraceEvent[] => [
  dispatch({ pkt, fromCpu: from, toCpu: to }),
  enqueue({ pkt, cpu: to, qlenBeforePackets: qlen }),
];
const rps = (fromCpu: number, toCpu: number) => ipi({ fromCpu, toCpu, reason: 'rps' });

describe('linux-rps-ipi rules (R10)', () => {
  it('an empty trace passes; a FreeBSD trace (no Linux event) passes vacuously', () => {
    expect(checkLinuxRpsIpi([])).toEqual([]);
    expect(checkLinuxRpsIpi([...place(1, 0, 1), batch({ cpu: 0, packets: 1 })])).toEqual([]);
  });

  it('R10: process_backlog with an IPI still owed; the IPI sent first passes', () => {
    expect(checkLinuxRpsIpi([linux, ...place(1, 0, 1), batch({ cpu: 0, packets: 3 })])).toEqual([
      viol([2, 3], unsent(0, 'process_backlog took 3 packets', 1, 2)),
    ]);
    expect(checkLinuxRpsIpi([linux, ...place(1, 0, 1), rps(0, 1), batch({ cpu: 0, packets: 3 })])).toEqual(
      [],
    );
  });

  it('R10: net_rx_action ends with an IPI still owed; its start, or another CPU ending, passes', () => {
    expect(checkLinuxRpsIpi([linux, ...place(1, 0, 1), softirq({ cpu: 0, phase: 'end' })])).toEqual([
      viol([2, 3], unsent(0, 'ended net_rx_action', 1, 2)),
    ]);
    expect(checkLinuxRpsIpi([linux, ...place(1, 0, 1), softirq({ cpu: 0, phase: 'start' })])).toEqual([]);
    expect(checkLinuxRpsIpi([linux, ...place(1, 0, 1), softirq({ cpu: 2, phase: 'end' })])).toEqual([]);
    expect(
      checkLinuxRpsIpi([linux, ...place(1, 0, 1), rps(0, 1), softirq({ cpu: 0, phase: 'end' })]),
    ).toEqual([]);
  });

  it('R10: only an rps IPI from the owing CPU to the owed CPU pays the debt', () => {
    const owed = (paid: TraceEvent) => checkLinuxRpsIpi([linux, ...place(1, 0, 1), paid, batch({ cpu: 0 })]);
    const report = [viol([2, 4], unsent(0, 'process_backlog took 0 packets', 1, 2))];
    expect(owed(ipi({ fromCpu: 0, toCpu: 1, reason: 'defer' }))).toEqual(report);
    expect(owed(rps(2, 1))).toEqual(report);
    expect(owed(rps(0, 2))).toEqual(report);
    expect(owed(rps(0, 1))).toEqual([]);
  });

  it('R10: placing on its own backlog, or with no dispatch seen, owes no IPI', () => {
    expect(checkLinuxRpsIpi([linux, ...place(1, 1, 1), batch({ cpu: 1 })])).toEqual([]);
    expect(
      checkLinuxRpsIpi([linux, enqueue({ pkt: 1, cpu: 1 }), batch({ cpu: 0 }), batch({ cpu: 1 })]),
    ).toEqual([]);
  });

  it('R10: a backlog that was not empty is already scheduled: no IPI owed', () => {
    expect(checkLinuxRpsIpi([linux, ...place(1, 0, 1, 2), batch({ cpu: 0 })])).toEqual([]);
  });

  it('R10: a backlog stays scheduled until its poll completes; then the next packet owes again', () => {
    const again = (poll: TraceEvent[]) =>
      checkLinuxRpsIpi([linux, ...place(1, 0, 1), rps(0, 1), ...poll, ...place(2, 0, 1), batch({ cpu: 0 })]);
    expect(again([])).toEqual([]);
    const report = [viol([6, 7], unsent(0, 'process_backlog took 0 packets', 1, 6))];
    expect(again([napiPoll({ cpu: 1, napi: 'backlog', completed: true })])).toEqual(report);
    expect(again([napiPoll({ cpu: 1, napi: 'backlog', completed: false })])).toEqual([]);
    expect(again([napiPoll({ cpu: 1, napi: 'rxq0', completed: true })])).toEqual([]);
    expect(again([napiPoll({ cpu: 2, napi: 'backlog', completed: true })])).toEqual([]);
  });

  it('R10: a CPU owes each remote CPU separately; the oldest unsent one is named', () => {
    const t = [linux, ...place(1, 0, 1), ...place(2, 0, 2), rps(0, 2), batch({ cpu: 0 })];
    expect(checkLinuxRpsIpi(t)).toEqual([viol([2, 6], unsent(0, 'process_backlog took 0 packets', 1, 2))]);
    const both = [linux, ...place(1, 0, 1), ...place(2, 0, 2), batch({ cpu: 0 })];
    expect(checkLinuxRpsIpi(both)).toEqual([viol([2, 5], unsent(0, 'process_backlog took 0 packets', 1, 2))]);
  });

  it('a hole in the trace is skipped', () => {
    expect(checkLinuxRpsIpi(withHole(linux, ...place(1, 0, 1), batch({ cpu: 0 })))).toEqual([
      viol([3, 4], unsent(0, 'process_backlog took 0 packets', 1, 3)),
    ]);
  });

  it(`reports at most VIOLATIONS_MAX (${VIOLATIONS_MAX})`, () => {
    const batches = Array.from({ length: VIOLATIONS_MAX + 1 }, () => batch({ cpu: 0 }));
    expect(checkLinuxRpsIpi([linux, ...place(1, 0, 1), ...batches])).toHaveLength(VIOLATIONS_MAX);
  });
});
