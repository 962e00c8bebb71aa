import { type InputLines, isBlank } from './lines.ts';
import { type NetstatQTable, parseNetstatQ as parseNetstatQTable } from './netstat-q-table.ts';
import { startsNetstatS } from './netstat-s.ts';
import { isTerminalLine } from './prompt.ts';
import { startsSnmp } from './snmp.ts';
import { startsSnmp6 } from './snmp6.ts';
import { startsSoftnet } from './softnet.ts';
import type { ParseError, SectionBase } from './types.ts';

/**
 * FreeBSD `netstat -Q` (usr.bin/netstat/netisr.c, Q-1..Q-5) inside a longer input: this file finds
 * where one table starts and ends; the table itself is read by the suite's own parser
 * (counters/netstat-q-table.ts).
 */
export interface NetstatQSection extends SectionBase {
  readonly format: 'netstat-q';
  readonly table: NetstatQTable;
}

type Part = 'configuration' | 'protocols' | 'workstreams';
const PARTS: readonly Part[] = ['configuration', 'protocols', 'workstreams'];

const TITLES: Readonly<Record<string, Part>> = {
  'Configuration:': 'configuration',
  'Protocols:': 'protocols',
  'Workstreams:': 'workstreams',
};

/** Headers by their first two column titles, as the netstat -Q parser knows them. */
const HEADERS: Readonly<Record<string, Part>> = {
  'Setting Current': 'configuration',
  // FreeBSD 8 (before net.isr.dispatch): `Setting Value Maximum`.
  'Setting Value': 'configuration',
  'Name Proto': 'protocols',
  'WSID CPU': 'workstreams',
};

/**
 * The Configuration lines netstat prints (usr.bin/netstat/netisr.c), which people paste without
 * their `Setting Current Limit` header: such a line opens the Configuration part by itself.
 */
export const SETTING_LINE =
  /^\s*(Thread count|Default queue limit|Dispatch policy|Direct dispatch|Forced direct dispatch|Threads bound to CPUs)\s+\S+\s+\S+\s*$/;

function partAt(line: string | undefined): { part: Part; titled: boolean } | undefined {
  if (line === undefined) return undefined;
  const t = line.trim();
  const title = TITLES[t];
  if (title !== undefined) return { part: title, titled: true };
  if (SETTING_LINE.test(t)) return { part: 'configuration', titled: false };
  const [a, b] = t.split(/\s+/);
  const header = HEADERS[`${a} ${b}`];
  return header === undefined ? undefined : { part: header, titled: false };
}

export function startsNetstatQ(lines: InputLines, i: number): boolean {
  return partAt(lines.text[i]) !== undefined;
}

/**
 * Whether line `i` continues a part. A prompt pasted right under the table ends it
 * (`root@fbsd14:~ # ` starts like a row), and so does the first line of another table pasted with
 * no prompt between (`netstat -Q; netstat -s` prints `udp:` or `ip:` right under the last row).
 * A Workstreams row opens with WSID (or, in the 2012 layout, with the protocol name under it).
 */
function isRow(part: Part, lines: InputLines, i: number): boolean {
  const line = lines.text[i] ?? '';
  if (isTerminalLine(line) || opensOtherTable(lines, i)) return false;
  return part !== 'workstreams' || /^\s*(\d|[a-z])/.test(line);
}

const opensOtherTable = (lines: InputLines, i: number) =>
  startsNetstatS(lines, i) || startsSoftnet(lines, i) || startsSnmp(lines, i) || startsSnmp6(lines, i);

/**
 * The end (exclusive line index) of the table starting at `start`: its parts in order
 * (Configuration, Protocols, Workstreams), blank lines between them; a part seen twice or out of
 * order starts the next table.
 */
function extent(lines: InputLines, start: number): { end: number; titled: boolean; parts: Part[] } {
  const parts: Part[] = [];
  let titled = false;
  let i = start;
  let end = start;
  for (;;) {
    while (i < lines.text.length && isBlank(lines.text[i])) i++;
    const at = partAt(lines.text[i]);
    const last = parts.at(-1);
    if (at === undefined || (last !== undefined && PARTS.indexOf(at.part) <= PARTS.indexOf(last))) break;
    parts.push(at.part);
    titled ||= at.titled;
    i++;
    if (at.titled && partAt(lines.text[i])?.part === at.part) i++;
    while (i < lines.text.length) {
      const line = lines.text[i] ?? '';
      const setting = at.part === 'configuration' && SETTING_LINE.test(line);
      if (isBlank(line) || (partAt(line) !== undefined && !setting) || !isRow(at.part, lines, i)) break;
      i++;
    }
    end = i;
  }
  return { end, titled, parts };
}

export function parseNetstatQ(
  lines: InputLines,
  start: number,
): { section: NetstatQSection; next: number } | ParseError {
  const { end, titled, parts } = extent(lines, start);
  const r = parseNetstatQTable(lines.text.slice(start, end).join('\n'));
  if (!r.ok) return { ...r.error, line: r.error.line + start };
  const names = parts.map((p) => `${p[0]?.toUpperCase()}${p.slice(1)}`).join(', ');
  return {
    section: {
      format: 'netstat-q',
      layout: `${titled ? 'full format' : 'without section titles (older netstat)'}: ${names}`,
      firstLine: start + 1,
      lastLine: end,
      table: r.table,
    },
    next: end,
  };
}
