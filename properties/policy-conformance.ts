import { type PolicyErrorKind, packetText, type Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { PacketTable } from './packet-table.ts';
import type { PropertySpec } from './registry.ts';
import { holdsAnyKind, packetsNumbered } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const POLICY_CONFORMANCE = 'policy-conformance';

/** What each kind of policy error means; a Record, so a new kind does not compile until named here. */
export const POLICY_ERROR_KINDS: Readonly<Record<PolicyErrorKind, string>> = {
  threw: 'place() threw',
  'not-a-placement': 'the answer is not a { cpu, mode } object',
  'cpu-not-integer': 'the CPU is not an integer',
  'cpu-out-of-range': 'the CPU is outside 0..cpuCount-1',
  'no-workstream': 'queued on a CPU without a netisr thread',
  'unknown-mode': 'the mode is not direct, hybrid or queue',
  'inline-to-other-cpu': 'direct or hybrid on a CPU other than the current one',
  'timed-out': 'place() did not answer within the time budget',
  'async-answer': 'the answer is a Promise (or thenable): place() must answer synchronously',
  exited: 'the policy called process.exit (or the worker running it exited)',
  killed: 'the policy signalled or aborted its own process',
  'heap-exhausted': 'the policy ran the fuzz worker out of its heap, or the process past its memory budget',
  'threw-later': 'deferred policy work (a timer, a promise) threw after the call returned',
};

/** The rule id of a policy error kind: `policy:threw`, `policy:cpu-out-of-range` ... */
export const policyRule = (kind: PolicyErrorKind): ViolationRule => `policy:${kind}`;

/**
 * Policy conformance: a dispatch policy answers every packet with an integer CPU in range, a known
 * mode, inline only on the current CPU, queues only where a netisr thread is, and answers in time
 * (model/policy.ts parsePlacement; the fuzz runner's watchdog records `timed-out`). Every
 * `policy-error` event is a violation of its own kind, naming the packet (its arrival is among the
 * events shown) and the answer.
 */
export function checkPolicyConformance(trace: Trace): readonly Violation[] {
  // Most traces hold no policy error: then no arrival needs remembering.
  if (!holdsAnyKind(trace, ['policy-error'])) return [];
  const arrivals = new PacketTable<number>(packetsNumbered(trace));
  const out: Violation[] = [];
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'arrive') arrivals.set(ev.pkt, i);
    if (kind !== 'policy-error') continue;
    const arrived = arrivals.get(ev.pkt);
    out.push({
      property: POLICY_CONFORMANCE,
      rule: policyRule(ev.error),
      events: arrived === undefined ? [i] : [arrived, i],
      message: `policy ${ev.policy} on packet ${packetText(ev.pkt)} (flow ${ev.flow}, cpu ${ev.cpu}): ${ev.message}`,
    });
  }
  return out;
}

export const policyConformance: PropertySpec = {
  name: POLICY_CONFORMANCE,
  rules: (Object.keys(POLICY_ERROR_KINDS) as PolicyErrorKind[]).map(policyRule),
  summary: summaryOf(POLICY_CONFORMANCE),
  check: checkPolicyConformance,
};
