import type { PolicyErrorKind, Trace, VersionedRule } from '../model/trace.ts';
import type { RuleId } from './rule-ids.ts';

/**
 * A rule a violation names: an id the reference notes define, a policy fault of its own kind
 * (`policy:threw` ...), a rule that differs between kernel versions (`udp-defer-free`), or an RFC
 * rule the reference cites by number.
 */
export type ViolationRule = RuleId | `policy:${PolicyErrorKind}` | VersionedRule | 'RFC5722';

/**
 * What a checker reports: the property, the rule it guards (an id from the reference notes), the
 * trace events that show it, and a got/want message. Checkers return these; they never throw.
 */
export interface Violation {
  /** The property's name, e.g. `flow-order`. */
  readonly property: string;
  /** The rule id, e.g. `N-20`. */
  readonly rule: ViolationRule;
  /** Indexes into the trace of the events that show the violation, earliest first. */
  readonly events: readonly number[];
  readonly message: string;
}

/** A checker: one pass over the trace, linear in its length, pure. */
export type Checker = (trace: Trace) => readonly Violation[];

/** `flow-order violated: N-20: flow 2 on cpu 1: got seq 5 before seq 4 (trace events #88, #91)` */
export function formatViolation(v: Violation): string {
  const where = v.events.length > 0 ? ` (trace events ${v.events.map((i) => `#${i}`).join(', ')})` : '';
  return `${v.rule}: ${v.message}${where}`;
}

/**
 * A checker stops collecting after this many violations: one is enough to fail a run, and a
 * broken variant can otherwise report one per packet of a long trace.
 */
export const VIOLATIONS_MAX = 64;
