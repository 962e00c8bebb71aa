import { packetText, type Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { isLinuxTrace, kernelOf } from './linux-trace.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const LINUX_KERNEL_VERSION = 'linux-kernel-version';

const v = (rule: ViolationRule, events: number[], message: string): Violation => ({
  property: LINUX_KERNEL_VERSION,
  rule,
  events,
  message,
});

/**
 * The versioned rules a trace can show, held to the version its first event names:
 * - udp-defer-free (net/ipv4/udp.c skb_consume_udp, 6471658dc66c "udp: use
 *   skb_attempt_defer_free()", 6.18): a datagram read by recvmsg is freed through
 *   skb_attempt_defer_free (a `defer-free` event) on a version with the rule, and freed at once on
 *   the reading CPU (a `free`) on a version without it.
 * A trace that names no kernel cannot be held to a version: it passes. Nor can a trace recorded
 * from a real kernel (source `live`): it holds no skb free events, so a free's path is not in it
 * (live/ records arrivals, queueing, drops and reads). Every model trace names its kernel
 * (model/machine.ts).
 */
export function checkLinuxKernelVersion(trace: Trace): readonly Violation[] {
  if (!isLinuxTrace(trace)) return [];
  const kernel = kernelOf(trace);
  if (kernel === undefined || kernel.os !== 'linux' || kernel.source === 'live') return [];
  const defers = kernel.rules.includes('udp-defer-free');
  const out: Violation[] = [];
  for (let i = 1; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev?.kind !== 'deliver' || !ev.layer.startsWith('udp:')) continue;
    // What recvmsg did with the skb next (a secpath tag may be released first: one event more).
    const deferred = defersFree(trace[i + 1], ev.pkt) || defersFree(trace[i + 2], ev.pkt);
    const freed = trace[i + 1]?.kind === 'free' && !deferred;
    if (defers && !deferred)
      out.push(
        v(
          'udp-defer-free',
          [i],
          `${kernel.version}: udp recvmsg of pkt ${packetText(ev.pkt)} did not go through skb_attempt_defer_free`,
        ),
      );
    if (!defers && !freed)
      out.push(
        v(
          'udp-defer-free',
          [i, i + 1],
          `${kernel.version}: udp recvmsg of pkt ${packetText(ev.pkt)} was not freed at once on cpu ${ev.cpu} (only TCP defers before 6.18)`,
        ),
      );
  }
  return out;
}

function defersFree(ev: Trace[number] | undefined, pkt: number): boolean {
  return ev?.kind === 'defer-free' && ev.pkt === pkt;
}

export const linuxKernelVersion: PropertySpec = {
  name: LINUX_KERNEL_VERSION,
  rules: ['udp-defer-free'],
  summary: summaryOf(LINUX_KERNEL_VERSION),
  check: checkLinuxKernelVersion,
};
