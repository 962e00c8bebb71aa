import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COUNTER_RULES } from '../counters/rules.ts';
import { RULE_IDS } from '../properties/rule-ids.ts';
import { citationsIn, compareIds, definedIn, referenceRuleIds, sourceFiles } from './rule-ids-lib.ts';

/**
 * Every rule id the code cites (comments, assertion messages, Violation `rule` fields) is one that
 * docs/reference defines. The counter identities of check-counters that no note states (C-1..C-4)
 * are defined, with their kernel source, in counters/rules.ts.
 * `RULE_IDS_WRITE=1 npx vitest run test/rule-ids.test.ts` regenerates properties/rule-ids.ts.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const reference = referenceRuleIds(join(root, 'docs/reference'));

function renderRuleIds(ids: readonly string[]): string {
  const lines = ids.map((id) => `  '${id}',`).join('\n');
  return `/**
 * Every rule id docs/reference defines, generated from the notes by test/rule-ids.test.ts
 * (\`RULE_IDS_WRITE=1 npx vitest run test/rule-ids.test.ts\`), which also fails when they differ.
 */
export const RULE_IDS = [
${lines}
] as const;

/** A rule id of the reference notes; \`Violation.rule\` can take this type. */
export type RuleId = (typeof RULE_IDS)[number];
`;
}

describe('rule ids', () => {
  it('reads the notes as they write rules: numbered lines, bold bullets, headings, sub-items', () => {
    const note = [
      'N-13. Effective policy HYBRID:',
      '      (a) m == NULL.',
      '      (c) target == curcpu.',
      'N-14. HYBRID does NOT check.',
      'SC-15 IPsec re-injection.',
      '- **R8 (flow limit):** x',
      '### R01 — FragmentSmack',
      '- **INV-ORDER**   per-flow FIFO',
      'F-5. (b) If O + L > 65535',
    ].join('\n');
    expect(definedIn(note).sort(compareIds)).toEqual(
      ['F-5', 'INV-ORDER', 'N-13', 'N-13a', 'N-13c', 'N-14', 'R01', 'R8', 'SC-15'].sort(compareIds),
    );
  });

  it('properties/rule-ids.ts lists exactly what docs/reference defines', () => {
    if (process.env.RULE_IDS_WRITE === '1') {
      writeFileSync(join(root, 'properties/rule-ids.ts'), renderRuleIds(reference));
    }
    expect([...RULE_IDS].sort()).toEqual([...reference].sort());
  });

  it('every rule id cited in code is defined in docs/reference', () => {
    const defined = new Set<string>([...reference, ...Object.keys(COUNTER_RULES)]);
    const missing = sourceFiles(root)
      .flatMap((file) => citationsIn(root, file))
      .filter((c) => !defined.has(c.id))
      .map((c) => `${c.at}: ${c.id}`);
    expect(missing).toEqual([]);
  });

  it('counters/rules.ts adds only C- ids; the rest are the reference notes', () => {
    const own = Object.keys(COUNTER_RULES).filter((id) => !reference.includes(id));
    expect(own.every((id) => /^C-\d+$/.test(id))).toBe(true);
  });

  it('catches a made-up id and skips names that only look like one', () => {
    const ids = (line: string): string[] => {
      const dir = mkdtempSync(join(tmpdir(), 'rule-ids-'));
      const file = join(dir, 'probe.ts');
      writeFileSync(file, line);
      const found = citationsIn(dir, file).map((c) => c.id);
      rmSync(dir, { recursive: true });
      return found;
    };
    expect(ids("assert(x, 'N-0: no protocol'); // N-13c, U2a, INV-ORDER, R01, RFC5722")).toEqual([
      'N-0',
      'N-13c',
      'U2a',
      'INV-ORDER',
      'R01',
    ]);
    expect(ids('// EUI-64, FNV-1a, FreeBSD-SA-18:10.ip, CVE-2018-5391, D9721, 0xD1')).toEqual([]);
  });
});
