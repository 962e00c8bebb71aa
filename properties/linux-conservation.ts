import { packetText, type Trace } from '../model/trace.ts';
import { isLinuxTrace } from './linux-trace.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const LINUX_CONSERVATION = 'linux-conservation';

const v = (events: number[], message: string): Violation => ({
  property: LINUX_CONSERVATION,
  rule: 'INV-CONSERVE',
  events,
  message,
});

/**
 * Packet conservation on the Linux receive path (INV-CONSERVE): at a quiescent end every packet
 * that arrived was either read by a socket (`deliver`) or dropped (`drop`), exactly once, and each
 * counter a drop names moved by exactly the drops that name it (CPU_BACKLOG: softnet dropped of
 * the backlog's CPU; SOCKET_RCVBUFF: Udp RcvbufErrors). A packet with neither is lost without a
 * counter. Read on traces of a real kernel (live/), where nothing else accounts for every packet.
 */
export function checkLinuxConservation(trace: Trace): readonly Violation[] {
  if (!isLinuxTrace(trace)) return [];
  const arrived = new Map<number, number>(); // pkt -> arrive index
  const fate = new Map<number, number>(); // pkt -> index of its delivery or drop
  const byCounter = new Map<string, number>();
  const out: Violation[] = [];
  let quiescent = false;
  let stats: Readonly<Record<string, number>> | undefined;
  let countersAt = -1;
  for (const [i, ev] of trace.entries()) {
    const { kind } = ev;
    if (kind === 'arrive') arrived.set(ev.pkt, i);
    else if (kind === 'deliver' || kind === 'drop') {
      if (!arrived.has(ev.pkt))
        out.push(
          v(
            [i],
            `packet ${packetText(ev.pkt)} (flow ${ev.flow}) ${kind === 'drop' ? 'dropped' : 'read'} but never arrived`,
          ),
        );
      const was = fate.get(ev.pkt);
      if (was !== undefined)
        out.push(v([was, i], `packet ${packetText(ev.pkt)} (flow ${ev.flow}) ends twice`));
      fate.set(ev.pkt, i);
      if (kind === 'drop') byCounter.set(ev.counter, (byCounter.get(ev.counter) ?? 0) + 1);
    } else if (kind === 'counters') {
      stats = ev.stats;
      countersAt = i;
    } else if (kind === 'end') quiescent = ev.outcome === 'quiescent';
  }
  if (!quiescent) return out.slice(0, VIOLATIONS_MAX);
  for (const [pkt, i] of arrived)
    if (!fate.has(pkt))
      out.push(v([i], `packet ${packetText(pkt)} arrived but was neither read nor dropped with a counter`));
  if (stats !== undefined) {
    for (const [counter, n] of byCounter) {
      const got = stats[counter];
      if (got !== undefined && got !== n)
        out.push(v([countersAt], `${counter} moved by ${got}, but the trace shows ${n} drops counted there`));
    }
  }
  return out.slice(0, VIOLATIONS_MAX);
}

export const linuxConservation: PropertySpec = {
  name: LINUX_CONSERVATION,
  rules: ['INV-CONSERVE'],
  summary: 'every packet is read or dropped exactly once, and every drop moved its counter',
  check: checkLinuxConservation,
};
