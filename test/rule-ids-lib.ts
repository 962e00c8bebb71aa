import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * How docs/reference writes a rule, one pattern per style:
 * - FreeBSD notes: a line opening with `N-8.`, `Q-3.`, `F-29.`, `R-6.`, `S-2.`, `I-4.` or `SC-15 `;
 * - Linux notes: a bullet opening with a bold id, `- **R8 (flow limit ...`;
 * - regression catalogue: `### R01 — ...` and the invariant vocabulary `- **INV-ORDER** ...`.
 * A rule whose text lists sub-items `(a)`, `(b)` ... also defines `N-13a`, `N-13b` ...
 */
const RULE_HEADS: readonly RegExp[] = [
  /^([A-Z]-\d+)\.\s/,
  /^(SC-\d+)\s/,
  /^- \*\*([A-Z]\d+)[\s*:]/,
  /^### (R\d\d)\b/,
  /^- \*\*(INV-[A-Z]+)\*\*/,
];
const SUB_ITEM = /(?:^|\s)\(([a-h])\)\s/g;

function headOf(line: string): string | undefined {
  for (const re of RULE_HEADS) {
    const m = re.exec(line);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}

/** Every rule id one reference note defines, sub-items included. */
export function definedIn(text: string): string[] {
  const ids: string[] = [];
  let current: string | undefined;
  let letters: string[] = [];
  const close = (): void => {
    if (current !== undefined && letters.includes('a')) ids.push(...letters.map((l) => current + l));
  };
  for (const line of text.split('\n')) {
    const head = headOf(line);
    if (head !== undefined || /^#/.test(line)) {
      close();
      current = head;
      letters = [];
      if (head !== undefined) ids.push(head);
    }
    for (const m of line.matchAll(SUB_ITEM)) if (m[1] !== undefined) letters.push(m[1]);
  }
  close();
  return ids;
}

export function referenceRuleIds(referenceDir: string): string[] {
  const names = readdirSync(referenceDir).filter((n) => n.endsWith('.md') && n !== 'README.md');
  const all = names.flatMap((n) => definedIn(readFileSync(join(referenceDir, n), 'utf8')));
  return [...new Set(all)].sort(compareIds);
}

/** `N-2` before `N-10`: prefix, then number, then sub-item letter. */
export function compareIds(a: string, b: string): number {
  const key = (id: string): [string, number, string] => {
    const m = /^(.*?)(\d+)([a-z]?)$/.exec(id);
    return m ? [m[1] ?? '', Number(m[2]), m[3] ?? ''] : [id, -1, ''];
  };
  const [pa, na, la] = key(a);
  const [pb, nb, lb] = key(b);
  return pa !== pb ? (pa < pb ? -1 : 1) : na !== nb ? na - nb : la < lb ? -1 : la > lb ? 1 : 0;
}

/**
 * What code cites as a rule id: `N-13c`, `F-29`, `SC-15`, `INV-ORDER`, Linux `R8`, `U2a`,
 * catalogue `R01`, and any other `ABC-12` so that made-up prefixes are caught too.
 * `RFC5722` is a standard, not a rule id, and does not match.
 */
const CITED = /(?<![\w-])(INV-[A-Z]+|[A-Z]{1,4}-\d{1,3}[a-z]?|[DFNRU]\d{1,2}[a-z]?)(?![\w-]|:\d)/g;

/** Names that look like rule ids and are not: an address format, a hash function. */
export const NOT_RULE_IDS: ReadonlySet<string> = new Set(['ECMA-48', 'EUI-64', 'FNV-1a', 'UTF-8', 'UTF-16']);

export interface Citation {
  id: string;
  at: string;
}

export function citationsIn(root: string, file: string): Citation[] {
  const out: Citation[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(CITED)) {
        const id = m[1];
        if (id !== undefined && !NOT_RULE_IDS.has(id))
          out.push({ id, at: `${relative(root, file)}:${i + 1}` });
      }
    });
  return out;
}

/** Non-test TypeScript sources: every .ts outside test/ and node_modules that is not a *.test.ts. */
export function sourceFiles(dir: string, root = dir): string[] {
  const out: string[] = [];
  const stack = [dir];
  for (let d = stack.pop(); d !== undefined; d = stack.pop()) {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const path = join(d, e.name);
      if (e.isDirectory()) {
        if (relative(root, path) !== 'test') stack.push(path);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(path);
    }
  }
  return out.sort();
}
