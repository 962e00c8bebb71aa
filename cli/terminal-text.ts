/**
 * What check-counters prints comes partly from its input (protocol names, a bad line quoted in a
 * message): control characters are shown escaped (`\x1b`), never sent to the terminal raw, and one
 * line is cut at a length a terminal can show.
 */

/** Longest line printed; longer ones end in `... (N more characters)`. */
export const LINE_CHARS_MAX = 400;

function escaped(line: string): string {
  let out = '';
  for (const ch of line) {
    const code = ch.codePointAt(0) ?? 0;
    const control = code < 0x20 ? code !== 0x09 : code === 0x7f || (code >= 0x80 && code < 0xa0);
    out += control ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}

/** Every line escaped and capped; line breaks kept. */
export function terminalText(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const head = escaped(line.length > LINE_CHARS_MAX * 4 ? line.slice(0, LINE_CHARS_MAX * 4) : line);
      if (head.length <= LINE_CHARS_MAX && line.length <= LINE_CHARS_MAX * 4) return head;
      return `${head.slice(0, LINE_CHARS_MAX)}... (${line.length - LINE_CHARS_MAX} more characters)`;
    })
    .join('\n');
}
