import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trace } from '../model/trace.ts';
import type { Violation } from '../properties/violation.ts';
import { reportHtml } from './html.ts';
import { layoutTimeline } from './layout.ts';
import type { ReportInput } from './types.ts';

/** Where failing property tests write their reports; unset: none are written. */
export const REPORT_DIR_ENV = 'NETSTACK_REPORT_DIR';

/** What a failing test knows about its run: the model's RunResult has these fields. */
export interface FailureReport {
  readonly trace: Trace;
  readonly config: unknown;
  readonly netstatQ: string;
  readonly policyName: string;
}

/**
 * One file per property and rule. fast-check runs the property again on every shrink step, so the
 * same failure is written many times; the last write is the shrunk counterexample, the one to see.
 */
export function reportFileName(input: Pick<ReportInput, 'property' | 'rule'>): string {
  const safe = (s: string) => s.replace(/[^\w.-]+/g, '_').slice(0, 60) || '_';
  return `${safe(input.property)}-${safe(input.rule)}.html`;
}

/**
 * Writes the counterexample report of a failing run when NETSTACK_REPORT_DIR is set, so a CI
 * failure comes with its picture as an artifact; answers the file written, or undefined when
 * reports are off. Call it just before the assertion that fails:
 *
 *   const [v] = checkFlowOrder(run.trace);
 *   if (v) writeFailureReport(run, v, 'npx vitest run properties/ordering.test.ts');
 *   expect(v).toBeUndefined();
 */
export function writeFailureReport(
  run: FailureReport,
  violation: Violation,
  replayCommand: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const dir = env[REPORT_DIR_ENV];
  if (dir === undefined || dir === '') return undefined;
  const input: ReportInput = {
    property: violation.property,
    rule: violation.rule,
    message: violation.message,
    trace: run.trace,
    highlight: violation.events,
    config: run.config,
    replayCommand,
    netstatQ: run.netstatQ,
    policyName: run.policyName,
  };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, reportFileName(input));
  writeFileSync(file, reportHtml(input, layoutTimeline(input.trace)));
  return file;
}
