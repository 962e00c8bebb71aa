import type { NapiPollEvent, SoftirqEvent, Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { isLinuxTrace } from './linux-trace.ts';
import { PacketTable } from './packet-table.ts';
import type { PropertySpec } from './registry.ts';
import { perStatName } from './stat-names.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const LINUX_NAPI_BUDGET = 'linux-napi-budget';

const v = (rule: ViolationRule, events: number[], message: string): Violation => ({
  property: LINUX_NAPI_BUDGET,
  rule,
  events,
  message,
});

/** One net_rx_action run on a CPU as its events show it. */
interface Action {
  readonly start: SoftirqEvent;
  readonly startIndex: number;
  budget: number;
  lastPoll: NapiPollEvent | undefined;
  /** NAPIs that used their full weight in this run (N4: not polled again in it); made at the first. */
  repolled: Map<string, number> | undefined;
}

/** The CPU number of a `softnet_cpuN.time_squeeze` statistic, as written. */
const timeSqueezeCpu = perStatName((key) => /^softnet_cpu(\d+)\.time_squeeze$/.exec(key)?.[1]);

/**
 * NAPI fairness and budget (net_rx_action, __napi_poll; N1..N4):
 * - N3: no poll does more than its weight, and a poll below its weight completes;
 * - N1: no poll starts once the run's netdev_budget is spent or its time limit (netdev_budget_usecs
 *   in jiffies, on the virtual clock) has passed; the budget each poll reports is the run's budget
 *   minus the work before it;
 * - N2: a run ends squeezed exactly when its last poll left the budget at or below zero or ended
 *   at or past the time limit, and each CPU's time_squeeze equals its squeezed runs;
 * - N4: a NAPI that used its full weight goes behind the others: it is not polled again in the same run.
 */
export function checkLinuxNapiBudget(trace: Trace): readonly Violation[] {
  if (!isLinuxTrace(trace)) return [];
  /** CPU -> its net_rx_action run under way (CPU ids index the table: no map churn per run). */
  const running = new PacketTable<Action | undefined>();
  const squeezes = new Map<number, number>();
  const out: Violation[] = [];
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'softirq' && ev.phase === 'start') {
      running.set(ev.cpu, {
        start: ev,
        startIndex: i,
        budget: ev.budgetPackets,
        lastPoll: undefined,
        repolled: undefined,
      });
    } else if (kind === 'napi-poll') {
      const a = running.get(ev.cpu);
      if (a !== undefined) poll(a, ev, i, out);
    } else if (kind === 'softirq') {
      const a = running.get(ev.cpu);
      if (a === undefined) continue;
      running.set(ev.cpu, undefined);
      const last = a.lastPoll;
      const hit = last !== undefined && (a.budget <= 0 || last.atNs >= a.start.timeLimitNs);
      if (ev.squeezed !== hit) {
        out.push(
          v(
            'N2',
            [a.startIndex, i],
            `net_rx_action on cpu ${ev.cpu} ended ${ev.squeezed ? '' : 'not '}squeezed with budget ${a.budget} left${last === undefined ? ' and no poll' : `, last poll ending at ${last.atNs} ns, time limit ${a.start.timeLimitNs} ns`}`,
          ),
        );
      }
      if (ev.squeezed) squeezes.set(ev.cpu, (squeezes.get(ev.cpu) ?? 0) + 1);
    } else if (kind === 'counters') {
      for (const key of Object.keys(ev.stats)) {
        const cpu = timeSqueezeCpu(key);
        if (cpu === undefined) continue;
        const got = ev.stats[key];
        const want = squeezes.get(Number(cpu)) ?? 0;
        if (got !== want)
          out.push(v('N2', [i], `${key} is ${got}, but the trace shows ${want} squeezed net_rx_action runs`));
      }
    }
  }
  return out.slice(0, VIOLATIONS_MAX);
}

/** Where a poll ran, for its violations (made only for one). */
const pollAt = (ev: NapiPollEvent): string => `${ev.napi} on cpu ${ev.cpu}`;

/** Appends to `out`. */
function poll(a: Action, ev: NapiPollEvent, i: number, out: Violation[]): void {
  if (ev.work > ev.weight)
    out.push(v('N3', [i], `${pollAt(ev)} did ${ev.work} packets in one poll, weight ${ev.weight}`));
  if (ev.completed !== ev.work < ev.weight)
    out.push(
      v(
        'N3',
        [i],
        `${pollAt(ev)} did ${ev.work} of weight ${ev.weight} and ${ev.completed ? 'completed' : 'stayed scheduled'}`,
      ),
    );
  if (ev.budgetLeftBeforePackets !== a.budget)
    out.push(
      v(
        'N1',
        [i],
        `${pollAt(ev)} started with budget ${ev.budgetLeftBeforePackets}, the run had ${a.budget} left`,
      ),
    );
  if (a.budget <= 0)
    out.push(
      v(
        'N1',
        [a.startIndex, i],
        `${pollAt(ev)} polled after net_rx_action spent its budget (${a.budget} left)`,
      ),
    );
  if (ev.startNs >= a.start.timeLimitNs)
    out.push(
      v(
        'N1',
        [a.startIndex, i],
        `${pollAt(ev)} polled at ${ev.startNs} ns, past the time limit ${a.start.timeLimitNs} ns`,
      ),
    );
  const earlier = a.repolled?.get(ev.napi);
  if (earlier !== undefined)
    out.push(
      v(
        'N4',
        [earlier, i],
        `${pollAt(ev)} used its full weight and was polled again in the same net_rx_action`,
      ),
    );
  if (ev.work >= ev.weight) {
    a.repolled ??= new Map();
    a.repolled.set(ev.napi, i);
  }
  a.budget -= ev.work;
  a.lastPoll = ev;
}

export const linuxNapiBudget: PropertySpec = {
  name: LINUX_NAPI_BUDGET,
  rules: ['N1', 'N2', 'N3', 'N4'],
  summary: summaryOf(LINUX_NAPI_BUDGET),
  check: checkLinuxNapiBudget,
};
