import { type CheckedSection, checkSections } from './check.ts';
import { parseCounters } from './detect.ts';
import { formatJson, formatParseError, formatText } from './format.ts';

/**
 * check-counters as a function: the text of one or more counter tables in, the verdict out.
 * Exit code 0 when every identity holds, 1 when one breaks, 2 for input that is not a table.
 */
export interface CounterVerdict {
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
  readonly checked: readonly CheckedSection[];
}

export interface CheckCountersOptions {
  readonly json: boolean;
  /**
   * The netisr qlimits were not changed since boot: WMark <= QLimit (I-1) and drops only at QLimit
   * (N-9) are then exact. Without it, a row a run-time qlimit change explains gets a note, not a finding.
   */
  readonly qlimitsFixed?: boolean;
}

export function checkCounters(input: string, opts: CheckCountersOptions): CounterVerdict {
  const parsed = parseCounters(input);
  if ('expected' in parsed) {
    const message = formatParseError(parsed);
    return {
      exitCode: 2,
      stdout: opts.json ? `${JSON.stringify({ ok: false, error: parsed }, null, 2)}\n` : '',
      stderr: `check-counters: ${message}\n`,
      checked: [],
    };
  }
  const checked = checkSections(parsed.sections, { qlimitsFixed: opts.qlimitsFixed === true });
  const broken = checked.some((c) => c.result.findings.length > 0);
  return {
    exitCode: broken ? 1 : 0,
    stdout: opts.json ? formatJson(checked) : formatText(checked),
    stderr: '',
    checked,
  };
}

export { type CounterSection, parseCounters } from './detect.ts';
export { COUNTER_RULES, type CounterRuleId } from './rules.ts';
