import type { Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { isLinuxTrace } from './linux-trace.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const LINUX_RPS_IPI = 'linux-rps-ipi';

const v = (events: number[], message: string): Violation => ({
  property: LINUX_RPS_IPI,
  rule: 'R10',
  events,
  message,
});

/** Per CPU: the remote CPUs it owes an RPS IPI, and the event that made each one owed. */
type Owed = Map<number, Map<number, number>>;

function owedBy(owed: Owed, cpu: number): Map<number, number> {
  let m = owed.get(cpu);
  if (m === undefined) {
    m = new Map();
    owed.set(cpu, m);
  }
  return m;
}

function unsent(cpu: number, pending: Map<number, number>, what: string, i: number): Violation {
  const [target, since] = [...pending.entries()][0] ?? [-1, i];
  return v(
    [since, i],
    `cpu ${cpu} ${what} while its RPS IPI to cpu ${target} (owed since event #${since}) was still unsent`,
  );
}

/**
 * RPS IPIs (net/core/dev.c, R10): enqueue_to_backlog that finds another CPU's backlog empty and
 * unscheduled puts that CPU on this CPU's rps_ipi_list (napi_schedule_rps). The IPIs go out when
 * this CPU's process_backlog starts ("Check if we have pending ipi, its better to send them now,
 * not waiting net_rx_action() end": sd_has_rps_ipi_waiting) and at the latest when its
 * net_rx_action ends (net_rps_action_and_irq_enable). So no owed IPI is pending when this CPU's
 * process_backlog splices its input queue (`batch`), nor when its net_rx_action ends.
 */
export function checkLinuxRpsIpi(trace: Trace): readonly Violation[] {
  if (!isLinuxTrace(trace)) return [];
  const sched = new Set<number>();
  const owed: Owed = new Map();
  const from = new Map<number, number>(); // pkt -> CPU that placed it
  const out: Violation[] = [];
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'dispatch') from.set(ev.pkt, ev.fromCpu);
    else if (kind === 'enqueue' && ev.qlenBeforePackets === 0 && !sched.has(ev.cpu)) {
      sched.add(ev.cpu);
      const here = from.get(ev.pkt);
      if (here !== undefined && here !== ev.cpu) owedBy(owed, here).set(ev.cpu, i);
    } else if (kind === 'napi-poll' && ev.napi === 'backlog' && ev.completed) sched.delete(ev.cpu);
    else if (kind === 'ipi' && ev.reason === 'rps') owed.get(ev.fromCpu)?.delete(ev.toCpu);
    else if (kind === 'batch') {
      const pending = owed.get(ev.cpu);
      if (pending !== undefined && pending.size > 0)
        out.push(unsent(ev.cpu, pending, `process_backlog took ${ev.packets} packets`, i));
    } else if (kind === 'softirq' && ev.phase === 'end') {
      const pending = owed.get(ev.cpu);
      if (pending !== undefined && pending.size > 0)
        out.push(unsent(ev.cpu, pending, 'ended net_rx_action', i));
    }
  }
  return out;
}

export const linuxRpsIpi: PropertySpec = {
  name: LINUX_RPS_IPI,
  rules: ['R10'],
  summary: summaryOf(LINUX_RPS_IPI),
  check: checkLinuxRpsIpi,
};
