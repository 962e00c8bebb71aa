import type { AtLeast } from './at-least.ts';

/** What a rule says about a shortfall `readAtLeast` explained, in the words of its counters. */
export interface BendWords {
  /** `InErrors 10 is 1 below RcvbufErrors + MemErrors = 11`. */
  readonly observed: string;
  /** Why a read can be torn there: `a read while ...: which counter is charged first, which read first`. */
  readonly torn: string;
  /** Why a 32-bit counter reads below its parts: the one that counts them all wraps first. */
  readonly wrapped: string;
  /** The fault it may also be, with its rule id. */
  readonly fault: string;
}

/** The flag that rules each history out, and the fact it states. */
const RULE_OUT = {
  wrapped: '--counters-64bit if its counters are 64-bit',
  torn: '--quiescent if the host was idle',
} as const;

/**
 * The note for an explained shortfall: what was seen, each healthy reading, the fault, and the
 * flags that make the rule exact. A printed line is capped (cli/terminal-text.ts), so it is short.
 */
export function bendNote(v: Extract<AtLeast, { holds: false }>, w: BendWords): string {
  const how =
    v.explainedBy.length > 1
      ? `${w.wrapped}, plus counts moved while read (up to ${v.allowance})`
      : v.explainedBy[0] === 'wrapped'
        ? w.wrapped
        : `${w.torn} (a read may miss up to ${v.allowance})`;
  const flags = v.explainedBy.map((b) => RULE_OUT[b]).join(', ');
  return `${w.observed}: ${how}; or ${w.fault}. Check again with ${flags}.`;
}

/** Why a finding is no read in flight, when one was allowed for: past what such a read can miss. */
export function pastTornRead(v: Extract<AtLeast, { holds: false }>, counting: string): string | undefined {
  return v.allowance === 0n
    ? undefined
    : `more than the ${v.allowance} a read taken while ${counting} can miss`;
}
