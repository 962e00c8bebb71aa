import { type InputLines, isBlank, LINE_CHARS_MAX, splitLines } from './lines.ts';
import { type NetstatQSection, parseNetstatQ, startsNetstatQ } from './netstat-q.ts';
import { type NetstatSSection, parseNetstatS, startsNetstatS } from './netstat-s.ts';
import { isTerminalLine } from './prompt.ts';
import { parseSnmp, type SnmpSection, startsSnmp } from './snmp.ts';
import { parseSnmp6, startsSnmp6 } from './snmp6.ts';
import { parseSoftnet, type SoftnetSection, startsSoftnet } from './softnet.ts';
import type { ParseError } from './types.ts';

export type CounterSection = NetstatQSection | SoftnetSection | SnmpSection | NetstatSSection;

/** Input longer than this is refused (exit 2) rather than read: real tables are a few hundred lines. */
export const INPUT_LINES_MAX = 100_000;

type Parser = (lines: InputLines, i: number) => { section: CounterSection; next: number } | ParseError;

/** In this order: netstat -Q titles and headers are the most specific, netstat -s the least. */
const FORMATS: readonly [(lines: InputLines, i: number) => boolean, Parser][] = [
  [startsNetstatQ, parseNetstatQ],
  [startsSoftnet, parseSoftnet],
  [startsSnmp, parseSnmp],
  [startsSnmp6, parseSnmp6],
  [startsNetstatS, parseNetstatS],
];

const EXPECTED =
  'netstat -Q, netstat -s -p ip|udp, /proc/net/snmp, /proc/net/snmp6 or /proc/net/softnet_stat output (blank lines and shell prompts between them are fine)';

/** Output that looks like counters but is not read, named, with what to paste instead. */
interface Unsupported {
  readonly name: string;
  readonly instead: string;
}

/**
 * Tables of per-second netisr rates (netisrstat and similar monitors print Disp'd/s, Queued/s ...
 * per protocol each interval); Linux `netstat -s` (net-tools: `Ip:` alone on its line, then the
 * counters in words), `nstat` (`#kernel`, then deltas since its last run unless `-a`) and FreeBSD
 * netstat's `--libxo json` / `xml` output: named, so the refusal says what was pasted rather than
 * "not a table".
 */
function unsupportedFormat(line: string): Unsupported | undefined {
  const rates = line
    .trim()
    .split(/\s+/)
    .filter((f) => /\/s(ec)?$/i.test(f));
  if (rates.length >= 2)
    return {
      name: 'netisrstat (per-second netisr rates)',
      instead: 'per-second rates carry no identities, take two netstat -Q snapshots instead',
    };
  if (/^[A-Z][A-Za-z0-9]*:\s*$/.test(line))
    return {
      name: 'Linux netstat -s (net-tools)',
      instead: 'paste /proc/net/snmp and /proc/net/snmp6 instead: the same counters, by their kernel names',
    };
  if (/^\s*[{<]/.test(line))
    return {
      name: 'JSON or XML (netstat --libxo?)',
      instead: 'paste the plain text the command prints without --libxo',
    };
  if (/^#kernel\s*$/.test(line))
    return {
      name: 'nstat',
      instead:
        'its counters are deltas since its last run unless -a, which no identity can tell apart: paste /proc/net/snmp and /proc/net/snmp6 instead',
    };
  return undefined;
}

/** Text no table holds: a NUL, another C0 control but tab and ESC, or a byte that was not UTF-8 (U+FFFD). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it looks for.
const NOT_TEXT = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\ufffd]/;

const binary = (i: number): ParseError => ({
  line: i + 1,
  message: 'binary data (a NUL or control byte, or bytes that are not UTF-8)',
  expected: `text: ${EXPECTED}`,
});

/** Refusals of the input as a whole, before any table is looked for. */
function refuseInput(lines: InputLines): ParseError | undefined {
  if (lines.text.length > INPUT_LINES_MAX) {
    return {
      line: INPUT_LINES_MAX + 1,
      message: 'input too long',
      expected: `at most ${INPUT_LINES_MAX} lines`,
    };
  }
  const long = lines.text.findIndex((l) => l.length > LINE_CHARS_MAX);
  const longLine = lines.text[long] ?? '';
  if (long >= 0 && NOT_TEXT.test(longLine)) return binary(long);
  if (long >= 0) {
    return {
      line: long + 1,
      message: `a line of ${longLine.length} characters`,
      expected: `at most ${LINE_CHARS_MAX} characters a line (the longest a kernel prints is a few kilobytes)`,
    };
  }
  if (lines.text.every((l) => isBlank(l))) {
    return { line: 1, message: 'the input is empty (blank lines at most)', expected: EXPECTED };
  }
  return undefined;
}

/** Why line `i` is not read: binary data, a format named as unsupported, or text of no table. */
function unreadable(line: string, i: number): ParseError {
  if (NOT_TEXT.test(line)) return binary(i);
  const unsupported = unsupportedFormat(line);
  if (unsupported !== undefined) {
    return {
      line: i + 1,
      message: `format ${unsupported.name} is not supported`,
      expected: `${EXPECTED}; ${unsupported.instead}`,
    };
  }
  return {
    line: i + 1,
    message: `"${line.trim().slice(0, 40)}" is not part of a counter table`,
    expected: EXPECTED,
  };
}

/** Every table in the input, in order; the first malformed line stops the parse. */
export function parseCounters(input: string): { sections: CounterSection[] } | ParseError {
  const lines = splitLines(input);
  const refused = refuseInput(lines);
  if (refused !== undefined) return refused;
  const sections: CounterSection[] = [];
  let i = 0;
  while (i < lines.text.length) {
    const line = lines.text[i] ?? '';
    if (isBlank(line) || isTerminalLine(line)) {
      i++;
      continue;
    }
    const parser = FORMATS.find(([starts]) => starts(lines, i))?.[1];
    if (parser === undefined) return unreadable(line, i);
    const r = parser(lines, i);
    if ('expected' in r) return r;
    sections.push(r.section);
    // Every parser consumes its first line; the guard keeps a parser bug from looping forever.
    i = Math.max(r.next, i + 1);
  }
  // Prompts and nothing else.
  if (sections.length === 0) return { line: 1, message: 'no counter table found', expected: EXPECTED };
  return { sections };
}
