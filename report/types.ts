import type { Trace } from '../model/trace.ts';

/** Everything one counterexample report shows. The trace is the only source of the timeline. */
export interface ReportInput {
  readonly property: string;
  readonly rule: string;
  readonly message: string;
  readonly trace: Trace;
  /** Trace indexes of the violating events. */
  readonly highlight: readonly number[];
  /** The shrunk configuration (and anything else worth showing), printed as JSON. */
  readonly config: unknown;
  readonly replayCommand: string;
  /** `netstat -Q` at the violation, as FreeBSD prints it. */
  readonly netstatQ: string;
  readonly policyName: string;
  /** The header's word: a counterexample is `violated` (the default); a clean live run `held`. */
  readonly verdict?: 'violated' | 'held';
}
