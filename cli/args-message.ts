/**
 * What every command says when node:util parseArgs refuses its flags: one line, in the same words
 * for fuzz, live and check-counters, without Node's hints.
 */
export function parseArgsMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n')[0] ?? text;
  const unknown = /Unknown option '([^']+)'/.exec(line);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '(--[a-z-]+)(?: <value>)?' argument missing/.exec(line);
  if (missing) return `${missing[1]}: missing value`;
  // `--runs --db x`: the flag's value is missing and another option follows it.
  const ambiguous = /Option '(--[a-z-]+)' argument is ambiguous/.exec(line);
  if (ambiguous)
    return `${ambiguous[1]}: missing value (an option follows it; a value starting with - is written ${ambiguous[1]}=-...)`;
  return line.replace(/^TypeError \[[A-Z_]+\]: /, '');
}

/**
 * parseArgs refuses `--runs -3` as ambiguous; a dash-number value is joined to its flag so the
 * command's own value check answers instead ("--runs -3: want a whole number").
 */
export function joinNegativeValues(argv: readonly string[], valueFlags: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if (valueFlags.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** The `--name` of every option of a parseArgs table that takes a value. */
export function valueFlagsOf(
  options: Readonly<Record<string, { readonly type: string }>>,
): ReadonlySet<string> {
  return new Set(
    Object.entries(options)
      .filter(([, spec]) => spec.type === 'string')
      .map(([name]) => `--${name}`),
  );
}
