import { type CheckedSection, checkSections } from './check.ts';
import { parseCounters } from './detect.ts';
import { formatJson, formatParseError, formatText } from './format.ts';
import { type CounterReading, UNKNOWN_MACHINE } from './reading.ts';

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

/**
 * `json` for the JSON verdict, and what is known about the machine (reading.ts), each fact making
 * the identities it bends exact: `qlimitsFixed` (I-1, N-9), `counters64bit` (C-1, F-20, U5),
 * `quiescent` (U5, F-20, R8), `allCpusOnline` (R8), `linuxRelease` (C-2 on 9 columns). Unknown by
 * default: a row a healthy history explains gets a note, not a finding.
 */
export interface CheckCountersOptions extends Partial<CounterReading> {
  readonly json: boolean;
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
  const { json: _, ...known } = opts;
  const checked = checkSections(parsed.sections, { ...UNKNOWN_MACHINE, ...known });
  const broken = checked.some((c) => c.result.findings.length > 0);
  return {
    exitCode: broken ? 1 : 0,
    stdout: opts.json ? formatJson(checked) : formatText(checked),
    stderr: '',
    checked,
  };
}

export { type CounterSection, parseCounters } from './detect.ts';
export { parseLinuxRelease } from './linux-release.ts';
export type { CounterReading } from './reading.ts';
export { COUNTER_RULES, type CounterRuleId } from './rules.ts';
