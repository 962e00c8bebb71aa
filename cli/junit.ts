import { writeFileSync } from 'node:fs';
import type { FuzzReport } from '../harness/fuzz/report.ts';
import { notReproducedNote } from './report-text.ts';

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JUnit XML for CI annotation: one test case per property. Violated: a failure with the rule,
 * message and replay command; not exercised: skipped; undecided: skipped with why.
 */
export function junitXml(r: FuzzReport): string {
  const cases = r.properties.map((p) => {
    const open = `  <testcase classname="fuzz.${xmlEscape(r.policyName)}" name="${xmlEscape(p.name)}">`;
    if (p.status === 'violated' && r.violation !== undefined) {
      const v = r.violation;
      const note = notReproducedNote(v)
        .map((line) => `\n${line}`)
        .join('');
      const body = `${v.rule}: ${v.message}${note}\nseed ${r.seed} path ${v.path}\nreplay: ${v.replay}`;
      return `${open}\n    <failure message="${xmlEscape(`${v.rule}: ${v.message}`)}">${xmlEscape(body)}</failure>\n  </testcase>`;
    }
    if (p.status === 'not-exercised')
      return `${open}<skipped message="not exercised in ${p.runs} runs"/></testcase>`;
    if (p.status === 'undecided')
      return `${open}<skipped message="undecided: the search stopped at the first violation"/></testcase>`;
    return `${open}</testcase>`;
  });
  const failures = r.properties.filter((p) => p.status === 'violated').length;
  const skipped = r.properties.filter((p) => p.status === 'not-exercised' || p.status === 'undecided').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="fuzz ${xmlEscape(r.policyFile)} seed ${r.seed}" tests="${r.properties.length}" failures="${failures}" skipped="${skipped}" time="${(r.elapsedMs / 1000).toFixed(3)}">`,
    ...cases,
    '</testsuite>',
    '',
  ].join('\n');
}

/** Writes the JUnit file; answers an error sentence when it cannot. */
export function writeJunit(file: string, r: FuzzReport): string | undefined {
  try {
    writeFileSync(file, junitXml(r));
    return undefined;
  } catch (err) {
    return `--junit ${file}: ${err instanceof Error ? err.message : String(err)}`;
  }
}
