import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The workflows are YAML read by GitHub, never run here: parsed with a small reader of the block
 * subset they use (mappings, sequences, `- key:` items, `>-` / `|` scalars, flow lists), which
 * refuses tabs, bad indentation and duplicate keys, so a broken file fails here and not on a push.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };
interface Line {
  indent: number;
  text: string;
  n: number;
}

function scalar(text: string): Yaml {
  const t = text.trim();
  if (/^'.*'$/.test(t)) return t.slice(1, -1).replaceAll("''", "'");
  if (/^".*"$/.test(t)) return JSON.parse(t) as string;
  if (/^\[.*\]$/.test(t)) return t === '[]' ? [] : t.slice(1, -1).split(',').map(scalar);
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === '' || t === 'null' || t === '~') return null;
  if (/^[&*!|>{]/.test(t) || / #/.test(t)) throw new Error(`unsupported scalar: ${t}`);
  return t;
}

function parseYaml(source: string): Yaml {
  const lines: Line[] = [];
  for (const [i, raw] of source.split('\n').entries()) {
    if (/^\s*(#.*)?$/.test(raw)) continue;
    const indent = /^ */.exec(raw)?.[0].length ?? 0;
    if (raw[indent] === '\t') throw new Error(`line ${i + 1}: tab in indentation`);
    lines.push({ indent, text: raw.slice(indent).trimEnd(), n: i + 1 });
  }
  const [value, end] = block(lines, 0, 0);
  if (end !== lines.length) throw new Error(`line ${lines[end]?.n}: bad indentation`);
  return value;
}

function block(lines: Line[], i: number, indent: number): [Yaml, number] {
  const first = lines[i];
  if (first === undefined || first.indent !== indent) throw new Error(`line ${first?.n}: bad indentation`);
  return /^-( |$)/.test(first.text) ? sequence(lines, i, indent) : mapping(lines, i, indent);
}

function sequence(lines: Line[], i: number, indent: number): [Yaml, number] {
  const out: Yaml[] = [];
  let at = i;
  while (lines[at]?.indent === indent && /^-( |$)/.test(lines[at]?.text ?? '')) {
    const line = lines[at] as Line;
    const rest = line.text.slice(1).trim();
    if (rest === '') {
      const [v, next] = block(lines, at + 1, lines[at + 1]?.indent ?? indent + 2);
      out.push(v);
      at = next;
    } else if (/^[\w.-]+:( |$)/.test(rest)) {
      lines[at] = { indent: indent + 2, text: rest, n: line.n };
      const [v, next] = mapping(lines, at, indent + 2);
      out.push(v);
      at = next;
    } else {
      out.push(scalar(rest));
      at++;
    }
  }
  return [out, at];
}

function folded(lines: Line[], i: number, indent: number, style: string): [Yaml, number] {
  const parts: string[] = [];
  let at = i;
  while ((lines[at]?.indent ?? -1) > indent) parts.push((lines[at++] as Line).text);
  return [parts.join(style.startsWith('|') ? '\n' : ' '), at];
}

function mapping(lines: Line[], i: number, indent: number): [Yaml, number] {
  const out: { [key: string]: Yaml } = {};
  let at = i;
  while (lines[at]?.indent === indent && !/^-( |$)/.test(lines[at]?.text ?? '')) {
    const line = lines[at] as Line;
    const m = /^([\w.-]+|'[^']*'|"[^"]*"):(?: +(.*))?$/.exec(line.text);
    if (m === null) throw new Error(`line ${line.n}: want key: value, got ${line.text}`);
    const key = String(scalar(m[1] ?? ''));
    if (key in out) throw new Error(`line ${line.n}: duplicate key ${key}`);
    const rest = m[2] ?? '';
    const next = lines[at + 1];
    let value: Yaml = null;
    at++;
    if (/^[|>]-?$/.test(rest)) [value, at] = folded(lines, at, indent, rest);
    else if (rest !== '') value = scalar(rest);
    else if (next !== undefined && next.indent > indent) [value, at] = block(lines, at, next.indent);
    else if (next !== undefined && next.indent === indent && /^-( |$)/.test(next.text))
      [value, at] = sequence(lines, at, indent);
    out[key] = value;
  }
  return [out, at];
}

const read = (file: string): unknown => parseYaml(readFileSync(`${root}${file}`, 'utf8'));

describe('GitHub workflows', () => {
  it('the reader refuses what GitHub would', () => {
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(/duplicate key a/);
    expect(() => parseYaml('a:\n\tb: 1\n')).toThrow(/tab/);
    expect(() => parseYaml('a:\n    b: 1\n  c: 2\n')).toThrow(/bad indentation/);
    expect(parseYaml('a:\n  - x: 1\n    y: [1, 2]\n  - z\nb: >-\n  one\n  two\n')).toEqual({
      a: [{ x: 1, y: [1, 2] }, 'z'],
      b: 'one two',
    });
  });

  it('ci.yml parses', () => {
    const ci = read('.github/workflows/ci.yml') as { jobs: Record<string, unknown> };
    expect(Object.keys(ci.jobs)).toContain('fuzz-smoke');
  });

  it('fuzz-matrix.yml: started by hand only, four shards of one seed, JUnit per shard', () => {
    const wf = read('.github/workflows/fuzz-matrix.yml') as {
      on: Record<string, unknown>;
      jobs: {
        fuzz: {
          strategy: { matrix: { shard: number[] } };
          steps: { run?: string; with?: { path?: string } }[];
        };
      };
    };
    // Never on this repository's own pushes or pull requests.
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    const job = wf.jobs.fuzz;
    expect(job.strategy.matrix.shard).toEqual([1, 2, 3, 4]);
    const fuzz = job.steps.map((s) => s.run ?? '').find((r) => r.startsWith('npm run fuzz --'));
    expect(fuzz).toMatch(/--shard \$\{\{ matrix\.shard \}\}\/4/);
    expect(fuzz).toMatch(/--junit reports\/fuzz-shard-\$\{\{ matrix\.shard \}\}\.xml/);
    expect(fuzz).toMatch(/--seed \$\{\{ inputs\.seed \|\| github\.run_number \}\}/);
    expect(job.steps.some((s) => s.with?.path?.includes('reports/'))).toBe(true);
  });
});
