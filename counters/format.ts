import type { CheckedSection } from './check.ts';
import { EXPLANATION_KERNEL, ruleText } from './rules.ts';
import type { CounterFormat, Explanation, ParseError } from './types.ts';

/** How check-counters prints its verdict: aligned text for people, JSON for machines. */

const FORMAT_NAMES: Readonly<Record<CounterFormat, string>> = {
  'netstat-q': 'netstat -Q',
  'softnet-stat': '/proc/net/softnet_stat',
  'proc-net-snmp': '/proc/net/snmp',
  'netstat-s': 'netstat -s',
};

/** Rows of cells, each column padded to its widest cell; the last column is left ragged. */
export function aligned(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    for (const [k, c] of r.entries()) widths[k] = Math.max(widths[k] ?? 0, c.length);
  }
  return rows.map(
    (r) => indent + r.map((c, k) => (k === r.length - 1 ? c : c.padEnd(widths[k] ?? 0))).join('  '),
  );
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export function formatText(checked: readonly CheckedSection[]): string {
  const findings = checked.flatMap((c) => c.result.findings);
  const checks = checked.reduce((a, c) => a + c.result.checks, 0);
  const rows = checked.reduce((a, c) => a + c.result.rows, 0);
  const out = [
    `${plural(checked.length, 'table')}, ${plural(rows, 'row')}, ${plural(checks, 'identity check')}: ` +
      (findings.length === 0 ? 'every identity holds' : `${findings.length} broken`),
    '',
    ...aligned(
      checked.map(({ section: s, result: r }) => [
        `lines ${s.firstLine}-${s.lastLine}`,
        FORMAT_NAMES[s.format],
        s.layout,
        `${r.findings.length === 0 ? 'ok' : `${r.findings.length} broken`}`,
      ]),
    ),
  ];
  if (findings.length > 0) {
    out.push('', 'Broken identities:');
    out.push(...aligned(findings.map((f) => [`line ${f.line}`, f.row, f.rule, f.message])));
    const rules = [...new Set(findings.map((f) => f.rule))];
    out.push('', ...rules.map((id) => `  ${id}: ${ruleText(id)}`));
  }
  const explanations = checked.flatMap((c) => c.result.explanations);
  if (explanations.length > 0) {
    out.push('', 'What the numbers say:');
    for (const e of explanations) {
      // A note on what cannot be checked has no knob to turn.
      const knobs = e.knobs.length > 0 ? [`    knobs: ${e.knobs.join(', ')}`] : [];
      out.push(`  ${e.row}: ${e.text}`, ...knobs, `    assumes: ${assumes(e)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The kernel whose defaults the advice quotes, and whether the table came from an older one. */
function assumes(e: Explanation): string {
  const kernel = EXPLANATION_KERNEL[e.format];
  return e.olderLayout === undefined
    ? kernel
    : `${kernel} (this table's layout is ${e.olderLayout}: knob names and defaults there may differ)`;
}

/** bigint-safe JSON: counters beyond 2^53 become decimal strings. */
export function formatJson(checked: readonly CheckedSection[]): string {
  const findings = checked.flatMap((c) => c.result.findings);
  return `${JSON.stringify(
    {
      ok: findings.length === 0,
      checks: checked.reduce((a, c) => a + c.result.checks, 0),
      sections: checked.map(({ section: s, result: r }) => ({
        format: s.format,
        layout: s.layout,
        firstLine: s.firstLine,
        lastLine: s.lastLine,
        rows: r.rows,
        checks: r.checks,
        findings: r.findings.map((f) => ({ ...f, rule_text: ruleText(f.rule) })),
        explanations: r.explanations.map((e) => {
          const { olderLayout: _, ...shown } = e;
          return { ...shown, assumes: assumes(e) };
        }),
      })),
    },
    null,
    2,
  )}\n`;
}

export function formatParseError(e: ParseError): string {
  return `line ${e.line}: ${e.message}; expected ${e.expected}`;
}
