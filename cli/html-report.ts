import { writeFileSync } from 'node:fs';
import type { FuzzReport } from '../harness/fuzz/report.ts';
import type { Trace } from '../model/trace.ts';
import { renderReport } from '../report/index.ts';
import { notReproducedNote } from './report-text.ts';

/**
 * `--report FILE.html`: the counterexample as one self-contained HTML page (a lane per CPU, the
 * violating events highlighted). Answers an error line if the file cannot be written.
 */
export function writeHtmlReport(file: string, report: FuzzReport, trace: Trace): string | undefined {
  const v = report.violation;
  if (v === undefined) return undefined;
  const html = renderReport({
    property: v.property,
    rule: v.rule,
    message: v.notReproduced === true ? `${v.message} (${notReproducedNote(v).join('; ')})` : v.message,
    trace,
    highlight: v.events,
    config: v.counterexample,
    replayCommand: v.replay,
    netstatQ: v.netstatQ,
    policyName: report.policyName,
  });
  try {
    writeFileSync(file, html);
    return undefined;
  } catch (err) {
    return `--report ${file}: cannot write it: ${err instanceof Error ? err.message : String(err)}`;
  }
}
