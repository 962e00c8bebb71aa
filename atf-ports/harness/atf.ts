import type { CmdResult } from '../cmd/types.ts';

/** An atf-check output expectation: `ignore`, `empty`, `match:RE`, `not-match:RE`. */
export type OutputCheck = 'ignore' | 'empty' | { readonly match: string } | { readonly notMatch: string };

/** An atf-check status expectation. */
export type StatusCheck = 'exit:0' | 'not-exit:0' | 'exit:2' | 'exit:1' | 'ignore';

export interface CheckSpec {
  readonly s?: StatusCheck;
  readonly o?: OutputCheck | readonly OutputCheck[];
  readonly e?: OutputCheck | readonly OutputCheck[];
}

/** atf-check's `match:` is grep -E over the lines of the stream. */
export function grepE(text: string, pattern: string): boolean {
  const re = new RegExp(pattern);
  return text.split('\n').some((line) => re.test(line));
}

function checkStream(
  name: string,
  text: string,
  checks: OutputCheck | readonly OutputCheck[] | undefined,
): string[] {
  // atf-check with no -o/-e requires the stream to be empty.
  const list: readonly OutputCheck[] =
    checks === undefined ? ['empty'] : Array.isArray(checks) ? checks : [checks as OutputCheck];
  const problems: string[] = [];
  for (const c of list) {
    if (c === 'ignore') continue;
    if (c === 'empty') {
      if (text !== '') problems.push(`${name} not empty`);
    } else if ('match' in c) {
      if (!grepE(text, c.match)) problems.push(`${name} does not match /${c.match}/`);
    } else if (grepE(text, c.notMatch)) {
      problems.push(`${name} matches /${c.notMatch}/`);
    }
  }
  return problems;
}

function statusOk(status: number, s: StatusCheck): boolean {
  switch (s) {
    case 'exit:0':
      return status === 0;
    case 'exit:1':
      return status === 1;
    case 'exit:2':
      return status === 2;
    case 'not-exit:0':
      return status !== 0;
    case 'ignore':
      return true;
    default:
      return false;
  }
}

/** atf_check: throws with the command's full output when an expectation fails. */
export function atfCheck(label: string, result: CmdResult, spec: CheckSpec = {}): CmdResult {
  const s = spec.s ?? 'exit:0';
  const problems = [
    ...(statusOk(result.status, s) ? [] : [`status ${result.status}, expected ${s}`]),
    ...checkStream('stdout', result.stdout, spec.o),
    ...checkStream('stderr', result.stderr, spec.e),
  ];
  if (problems.length > 0) {
    throw new Error(
      `atf_check failed: ${label}\n  ${problems.join('\n  ')}\n--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`,
    );
  }
  return result;
}
