import { reportHtml } from './html.ts';
import { layoutTimeline } from './layout.ts';
import type { ReportInput } from './types.ts';

/**
 * The counterexample report: one self-contained HTML file with a per-CPU timeline of the trace
 * (a lane per CPU, a sub-lane per thread, virtual time across), the violation highlighted, and the
 * property, rule, configuration, replay command and netstat -Q table beside it.
 */
export function renderReport(input: ReportInput): string {
  return reportHtml(input, layoutTimeline(input.trace));
}

export { type FailureReport, writeFailureReport } from './on-failure.ts';
export type { ReportInput } from './types.ts';
