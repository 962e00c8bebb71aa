import { describe, expect, it } from 'vitest';
import { checkLinuxNapiBudget } from './linux-napi-budget.ts';
import { counters, ipi, napiPoll, softirq, withHole } from './test/trace-builder.ts';

const viol = (rule: string, events: number[], message: string) => ({
  property: 'linux-napi-budget',
  rule,
  events,
  message,
});
const start = (budgetPackets = 300) => softirq({ phase: 'start', budgetPackets, timeLimitNs: 1000 });
const stop = (squeezed = false) => softirq({ phase: 'end', squeezed });

describe('linux-napi-budget rules (N1..N4)', () => {
  it('an empty trace passes; a FreeBSD trace passes vacuously', () => {
    expect(checkLinuxNapiBudget([])).toEqual([]);
    expect(checkLinuxNapiBudget([counters({ 'softnet_cpu0.time_squeeze': 1 })])).toEqual([]);
  });

  it('N3: a poll over its weight; at its weight passes', () => {
    expect(checkLinuxNapiBudget([start(), napiPoll({ work: 65, weight: 64, completed: false })])).toEqual([
      viol('N3', [1], 'rxq0 on cpu 0 did 65 packets in one poll, weight 64'),
    ]);
    expect(checkLinuxNapiBudget([start(), napiPoll({ work: 64, weight: 64, completed: false })])).toEqual([]);
  });

  it('N3: a poll below its weight completes, one at its weight stays scheduled', () => {
    expect(checkLinuxNapiBudget([start(), napiPoll({ work: 63, weight: 64, completed: false })])).toEqual([
      viol('N3', [1], 'rxq0 on cpu 0 did 63 of weight 64 and stayed scheduled'),
    ]);
    expect(checkLinuxNapiBudget([start(), napiPoll({ work: 64, weight: 64, completed: true })])).toEqual([
      viol('N3', [1], 'rxq0 on cpu 0 did 64 of weight 64 and completed'),
    ]);
  });

  it('N1: each poll reports the run budget less the work before it', () => {
    const t = [
      start(),
      napiPoll({ work: 5, budgetLeftBeforePackets: 300 }),
      napiPoll({ napi: 'rxq1', budgetLeftBeforePackets: 300 }),
    ];
    expect(checkLinuxNapiBudget(t)).toEqual([
      viol('N1', [2], 'rxq1 on cpu 0 started with budget 300, the run had 295 left'),
    ]);
    const ok = [
      start(),
      napiPoll({ work: 5, budgetLeftBeforePackets: 300 }),
      napiPoll({ napi: 'rxq1', budgetLeftBeforePackets: 295 }),
    ];
    expect(checkLinuxNapiBudget(ok)).toEqual([]);
  });

  it('N1: no poll once the budget is spent; one packet left still polls', () => {
    const t = [
      start(2),
      napiPoll({ work: 2, budgetLeftBeforePackets: 2 }),
      napiPoll({ napi: 'rxq1', budgetLeftBeforePackets: 0 }),
    ];
    expect(checkLinuxNapiBudget(t)).toEqual([
      viol('N1', [0, 2], 'rxq1 on cpu 0 polled after net_rx_action spent its budget (0 left)'),
    ]);
    const ok = [
      start(3),
      napiPoll({ work: 2, budgetLeftBeforePackets: 3 }),
      napiPoll({ napi: 'rxq1', budgetLeftBeforePackets: 1 }),
    ];
    expect(checkLinuxNapiBudget(ok)).toEqual([]);
  });

  it('N1: no poll at or past the time limit; just before it passes', () => {
    expect(checkLinuxNapiBudget([start(), napiPoll({ startNs: 1000 })])).toEqual([
      viol('N1', [0, 1], 'rxq0 on cpu 0 polled at 1000 ns, past the time limit 1000 ns'),
    ]);
    expect(checkLinuxNapiBudget([start(), napiPoll({ startNs: 999 })])).toEqual([]);
  });

  it('N4: a NAPI that used its full weight is not polled again in the same run', () => {
    const full = napiPoll({ work: 64, weight: 64, completed: false, budgetLeftBeforePackets: 300 });
    const again = napiPoll({ budgetLeftBeforePackets: 236 });
    expect(checkLinuxNapiBudget([start(), full, again])).toEqual([
      viol('N4', [1, 2], 'rxq0 on cpu 0 used its full weight and was polled again in the same net_rx_action'),
    ]);
    const partial = napiPoll({ work: 63, weight: 64, completed: true, budgetLeftBeforePackets: 300 });
    expect(checkLinuxNapiBudget([start(), partial, napiPoll({ budgetLeftBeforePackets: 237 })])).toEqual([]);
    expect(checkLinuxNapiBudget([start(), full, stop(), start(), napiPoll()])).toEqual([]);
  });

  it('polls outside a run, and after its end, are not judged', () => {
    expect(checkLinuxNapiBudget([napiPoll({ work: 99 })])).toEqual([]);
    expect(checkLinuxNapiBudget([start(), stop(), napiPoll({ work: 99 }), stop()])).toEqual([]);
  });

  it('N2: a run whose last poll spent the budget ends squeezed', () => {
    const spent = [start(1), napiPoll({ work: 1, weight: 64, budgetLeftBeforePackets: 1 })];
    expect(checkLinuxNapiBudget([...spent, stop(false)])).toEqual([
      viol(
        'N2',
        [0, 2],
        'net_rx_action on cpu 0 ended not squeezed with budget 0 left, last poll ending at 0 ns, time limit 1000 ns',
      ),
    ]);
    expect(checkLinuxNapiBudget([...spent, stop(true)])).toEqual([]);
  });

  it('N2: a run with budget and time left does not end squeezed', () => {
    const t = [start(2), napiPoll({ work: 1, budgetLeftBeforePackets: 2, atNs: 999 }), stop(true)];
    expect(checkLinuxNapiBudget(t)).toEqual([
      viol(
        'N2',
        [0, 2],
        'net_rx_action on cpu 0 ended squeezed with budget 1 left, last poll ending at 999 ns, time limit 1000 ns',
      ),
    ]);
  });

  it('N2: a last poll ending at the time limit squeezes', () => {
    const t = [start(2), napiPoll({ work: 1, budgetLeftBeforePackets: 2, atNs: 1000 }), stop(true)];
    expect(checkLinuxNapiBudget(t)).toEqual([]);
  });

  it('N2: a run without polls never squeezes, whatever its budget', () => {
    expect(checkLinuxNapiBudget([start(), stop(true)])).toEqual([
      viol('N2', [0, 1], 'net_rx_action on cpu 0 ended squeezed with budget 300 left and no poll'),
    ]);
    expect(checkLinuxNapiBudget([start(0), stop(false)])).toEqual([]);
    expect(checkLinuxNapiBudget([stop(true)])).toEqual([]);
  });

  it('N2: time_squeeze equals the squeezed runs of that CPU', () => {
    const run = (cpu: number) => [
      softirq({ cpu, phase: 'start', budgetPackets: 1 }),
      napiPoll({ cpu, work: 1, budgetLeftBeforePackets: 1 }),
      softirq({ cpu, phase: 'end', squeezed: true }),
    ];
    const t = [
      ...run(12),
      ...run(12),
      counters({ 'softnet_cpu12.time_squeeze': 1, 'softnet_cpu3.time_squeeze': 1 }),
    ];
    expect(checkLinuxNapiBudget(t)).toEqual([
      viol('N2', [6], 'softnet_cpu12.time_squeeze is 1, but the trace shows 2 squeezed net_rx_action runs'),
      viol('N2', [6], 'softnet_cpu3.time_squeeze is 1, but the trace shows 0 squeezed net_rx_action runs'),
    ]);
    const ok = { 'softnet_cpu12.time_squeeze': 2, 'softnet_cpu3.time_squeeze': 0, 'softnet_cpu3.dropped': 5 };
    expect(checkLinuxNapiBudget([...run(12), ...run(12), counters(ok)])).toEqual([]);
    const lookalikes = {
      'xsoftnet_cpu3.time_squeeze': 1,
      'softnet_cpu3.time_squeezed': 1,
      'softnet_cpux.time_squeeze': 1,
    };
    expect(checkLinuxNapiBudget([ipi(), counters(lookalikes)])).toEqual([]);
  });

  it('skips holes in a trace', () => {
    expect(checkLinuxNapiBudget(withHole(start(), napiPoll({ work: 65 })))[0]?.events).toEqual([2]);
  });

  it('stops at VIOLATIONS_MAX, even when the last event shows two faults', () => {
    const idle = (k: number) =>
      napiPoll({ napi: `q${k}`, work: 0, completed: false, budgetLeftBeforePackets: 300 });
    expect(checkLinuxNapiBudget([start(), ...Array.from({ length: 70 }, (_, k) => idle(k))])).toHaveLength(
      64,
    );
    const two = napiPoll({ work: 65, weight: 64, completed: false, budgetLeftBeforePackets: 0 });
    const t = checkLinuxNapiBudget([start(), ...Array.from({ length: 63 }, (_, k) => idle(k)), two]);
    expect(t).toHaveLength(64);
    expect(t[63]?.message).toBe('rxq0 on cpu 0 did 65 packets in one poll, weight 64');
  });
});
