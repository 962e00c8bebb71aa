import { describe, expect, it } from 'vitest';
import { checkCounters } from './index.ts';
import { LINE_CHARS_MAX } from './lines.ts';
import { parseNetstatQ, startsNetstatQ } from './netstat-q.ts';
import { parseNetstatS, startsNetstatS } from './netstat-s.ts';
import { isTerminalLine } from './prompt.ts';
import { parseSnmp, startsSnmp } from './snmp.ts';
import { parseSnmp6, startsSnmp6 } from './snmp6.ts';
import { parseSoftnet, startsSoftnet } from './softnet.ts';
import { withinMs } from './testing.ts';

/**
 * Every per-line reader is linear in the line: a quarter-megabyte line in each shape that made a
 * backtracking pattern quadratic (a prompt pattern over `a@a@...`, a counter-line pattern over a long
 * run of blanks: over a minute each at 1 MiB, several seconds at 256 KiB) is read within a budget
 * quadratic work would pass many times over.
 * The readers are called directly, past detect.ts's line cap, which would refuse such lines first.
 */
const MIB = 1 << 20;
const LINE_CHARS = 256 * 1024;
const BUDGET_MS = 2_000;

/** Lines of `chars` characters in the shapes that backtracking patterns are slow on. */
function hostileLines(chars: number): Record<string, string> {
  const half = chars / 2;
  return {
    'a@a@a@...': 'a@'.repeat(half),
    'an indented count, a word, then blanks': `\t1 x${' '.repeat(chars)}y`,
    'an indented count, then words': `\t1${' x'.repeat(half)} `,
    'blanks, then a mark': `${' '.repeat(chars)}!`,
    'digits and blanks': `\t${'1 '.repeat(half)}x`,
    'prompt signs': `${'a# '.repeat(chars / 3)}x`,
    'an open bracket': `[${'a'.repeat(chars)}`,
    'ANSI escapes cut short': '\x1b['.repeat(half),
    'an escape, then blanks without a final byte': `\x1b${' '.repeat(chars)}`,
    'a /proc/net/snmp header': `Ip:${' a'.repeat(half)}!`,
    'a /proc/net/snmp values line': `Ip:${' 1'.repeat(half)}x`,
    'a /proc/net/snmp6 line': `Ip6InReceives${' '.repeat(chars)}1 x`,
    'softnet_stat fields': `${'00000000 '.repeat(chars / 9)}x`,
    'a netstat -Q setting': `Thread count${' x'.repeat(half)} `,
    'a netstat -s title': `${'a'.repeat(chars)}:!`,
  };
}

const readers: Record<string, (line: string) => unknown> = {
  'prompt and terminal lines': (line) => isTerminalLine(line),
  'netstat -s': (line) => {
    const lines = { text: [`udp:`, line, line] };
    return [startsNetstatS({ text: [line] }, 0), parseNetstatS(lines, 0)];
  },
  'netstat -Q': (line) => {
    const header = "WSID CPU Name Len WMark Disp'd HDisp'd QDrops Queued Handled";
    return [startsNetstatQ({ text: [line] }, 0), parseNetstatQ({ text: ['Workstreams:', header, line] }, 0)];
  },
  '/proc/net/snmp': (line) => {
    const lines = { text: [line, line] };
    return startsSnmp(lines, 0) && parseSnmp(lines, 0);
  },
  '/proc/net/snmp6': (line) => {
    const lines = { text: [line, line] };
    return startsSnmp6(lines, 0) && parseSnmp6(lines, 0);
  },
  '/proc/net/softnet_stat': (line) => {
    const lines = { text: [line, line] };
    return startsSoftnet(lines, 0) && parseSoftnet(lines, 0);
  },
};

describe('every line is read in time linear in its length', () => {
  const cases = Object.entries(hostileLines(LINE_CHARS)).flatMap(([shape, line]) =>
    Object.entries(readers).map(([reader, read]) => [reader, shape, line, read] as const),
  );
  it.each(cases)('%s reader, a 256 KiB line of %s', (_reader, _shape, line, read) => {
    withinMs(BUDGET_MS, () => read(line));
  });

  it.each(
    Object.entries(hostileLines(LINE_CHARS_MAX - 8)),
  )('check-counters reads a line just under the cap of %s (exit 2, one line)', (_shape, line) => {
    const v = withinMs(BUDGET_MS, () => checkCounters(`${line}\n`, { json: false }));
    expect(v.exitCode).toBe(2);
    expect(v.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('refuses a line over the cap by its length, before looking for tables: exit 2', () => {
    const v = withinMs(BUDGET_MS, () =>
      checkCounters(`$ netstat -sp udp\n${'a@'.repeat(MIB)}\n`, { json: false }),
    );
    expect(v.exitCode).toBe(2);
    expect(v.stderr).toBe(
      `check-counters: line 2: a line of ${2 * MIB} characters; expected at most ${LINE_CHARS_MAX} characters a line (the longest a kernel prints is a few kilobytes)\n`,
    );
  });
});

describe('tables of many rows are checked in time linear in the rows', () => {
  const ROWS = 20_000;
  // About 0.6 to 0.9 s of CPU here. The quadratic row lookups this guards against took 16 s on
  // 60,000 rows, so about 1.8 s more on these: over the budget, where linear work has twice its time.
  const ROWS_BUDGET_MS = 2_000;
  const header = "WSID CPU Name Len WMark Disp'd HDisp'd QDrops Queued Handled";
  // Every row breaks I-4 (Handled 5 < Disp'd 10) on a CPU of its own: a finding per row, a CPU per row,
  // each row checked against the Protocols table too (the per-row identities and the per-protocol ones).
  const rows = Array.from({ length: ROWS }, (_, cpu) => `${cpu} ${cpu} ip 0 0 10 0 0 0 5`);

  it('20,000 netstat -Q rows on 20,000 CPUs under a Protocols table, each with a finding', () => {
    const protocols = 'Name Proto QLimit Policy Dispatch Flags\nip 1 256 flow default ---';
    const text = `${protocols}\n\n${header}\n${rows.join('\n')}\n`;
    const v = withinMs(ROWS_BUDGET_MS, () => checkCounters(text, { json: false }));
    expect(v.exitCode).toBe(1);
    expect(v.stdout.split('\n')[0]).toBe('1 table, 20000 rows, 100002 identity checks: 20000 broken');
  });
});
