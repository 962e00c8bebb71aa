/** The input as numbered lines; CR LF and a trailing newline are accepted. */
export interface InputLines {
  /** `text[i]` is line i + 1. */
  readonly text: readonly string[];
}

export function splitLines(input: string): InputLines {
  const text = input.replace(/\r\n?/g, '\n').split('\n');
  if (text.length > 0 && text[text.length - 1] === '') text.pop();
  return { text };
}

/** Whitespace-only lines separate sections (the D9721 tables have a lone space on them). */
export function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === '';
}

export function fields(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(/\s+/);
}

/**
 * A shell prompt or the command echoed before a table, as pasted from a terminal:
 * `[root@R2]~# netstat -Q`, `root@abaddon:/home/adrian # netstat -sp udp`, `$ cat /proc/net/snmp`,
 * and a prompt alone (`root@fbsd14:~ # `) right under a table.
 */
const PROMPT = /^\s*(\[[^\]]*\]\S*|\S*@\S*|)\s?[#$%]( .*)?$/;

export function isPrompt(line: string | undefined): boolean {
  return line !== undefined && PROMPT.test(line);
}
