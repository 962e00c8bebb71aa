/** The input as numbered lines; CR LF, a trailing newline and byte order marks are accepted. */
export interface InputLines {
  /** `text[i]` is line i + 1. */
  readonly text: readonly string[];
}

/** U+FEFF: a file saved with a byte order mark; `cat a b` puts b's in the middle of the input. */
const BOM = '\uFEFF';

export function splitLines(input: string): InputLines {
  const text = input
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => (line.startsWith(BOM) ? line.slice(BOM.length) : line));
  if (text.length > 0 && text[text.length - 1] === '') text.pop();
  return { text };
}

/**
 * The longest line read, in characters (string length). The longest a kernel prints is a few
 * kilobytes (/proc/net/netstat's TcpExt names, IcmpMsg with every type), so a longer line is no
 * counter line: the input is refused before any table is looked for. (The parsers are linear in a
 * line's length as well; the cap keeps a stray megabyte of one line from being read at all.)
 */
export const LINE_CHARS_MAX = 65_536;

/** Whitespace-only lines separate sections (the D9721 tables have a lone space on them). */
export function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === '';
}

export function fields(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(/\s+/);
}
