import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcRuns } from '../harness/fc-runs.ts';
import { checkCounters } from './index.ts';
import { realTables } from './testing.ts';

/** The parsers never crash: any text gets exit 0, 1 or 2, and a 2 names a line of the input. */
function assertVerdict(text: string): void {
  const v = checkCounters(text, { json: true });
  expect([0, 1, 2]).toContain(v.exitCode);
  if (v.exitCode !== 2) return;
  const m = /^check-counters: line (\d+): .+; expected .+\n$/s.exec(v.stderr);
  expect(m, v.stderr).not.toBeNull();
  const lines = text.split(/\r\n?|\n/).length;
  expect(Number(m?.[1])).toBeGreaterThanOrEqual(1);
  expect(Number(m?.[1])).toBeLessThanOrEqual(Math.max(lines, 1));
  expect(JSON.parse(v.stdout).ok).toBe(false);
}

const tables = realTables().map((t) => t.text);
const tableArb = fc.constantFrom(...tables);
const runs = { numRuns: fcRuns() };

/** A line picked by a fraction of the table, so shrinking moves toward the first line. */
function editLine(text: string, at: number, edit: (line: string) => string): string {
  const lines = text.split('\n');
  const i = Math.floor(at * lines.length) % lines.length;
  lines[i] = edit(lines[i] ?? '');
  return lines.join('\n');
}

describe('check-counters parsers under fuzzing (never a crash, exit 2 names a line)', () => {
  it('arbitrary text', () => {
    const unit = fc.oneof(
      fc.constantFrom('\n', ' ', '\t', ':', '0', 'ff', 'Udp:', 'ip:', 'WSID'),
      fc.string(),
    );
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 60 }).map((a) => a.join('')),
        assertVerdict,
      ),
      runs,
    );
  });

  it('truncated tables', () => {
    fc.assert(
      fc.property(tableArb, fc.double({ min: 0, max: 1, noNaN: true }), (t, cut) => {
        assertVerdict(t.slice(0, Math.floor(cut * t.length)));
      }),
      runs,
    );
  });

  it('huge and odd numbers in place of a counter', () => {
    const numberArb = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 80n) - 1n }).map(String),
      fc.stringMatching(/^-?[0-9a-f]{1,30}$/),
      fc.constantFrom('18446744073709551615', '18446744073709551616', '-1', '1e9', 'NaN', ''),
    );
    fc.assert(
      fc.property(
        tableArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(12),
        numberArb,
        (t, at, k, n) => {
          let seen = -1;
          assertVerdict(editLine(t, at, (l) => l.replace(/\d+/g, (d) => (++seen === k ? n : d))));
        },
      ),
      runs,
    );
  });

  it('wrong column counts: a field dropped or doubled', () => {
    fc.assert(
      fc.property(
        tableArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(12),
        fc.boolean(),
        (t, at, k, dup) => {
          let seen = -1;
          assertVerdict(
            editLine(t, at, (l) => l.replace(/\S+/g, (f) => (++seen === k ? (dup ? `${f} ${f}` : '') : f))),
          );
        },
      ),
      runs,
    );
  });

  it('names the line of a Workstreams row with a field missing', () => {
    const t = tables[0] ?? '';
    const lines = t.split('\n');
    const i = lines.findIndex((l) => /^\s+0\s+0\s+arp/.test(l));
    lines[i] = (lines[i] ?? '').replace(/\s+\d+$/, '');
    const v = checkCounters(lines.join('\n'), { json: false });
    expect(v.exitCode).toBe(2);
    expect(v.stderr).toBe(
      `check-counters: line ${i + 1}: workstream row has 9 fields; expected 10 fields as in the header\n`,
    );
  });

  it('refuses prose and empty input with one line', () => {
    expect(checkCounters('hello world\n', { json: false }).stderr).toBe(
      'check-counters: line 1: "hello world" is not part of a counter table; expected netstat -Q, netstat -s -p ip|udp, /proc/net/snmp, /proc/net/snmp6 or /proc/net/softnet_stat output (blank lines and shell prompts between them are fine)\n',
    );
    expect(checkCounters('\n \n', { json: false }).stderr).toMatch(
      /^check-counters: line 1: the input is empty \(blank lines at most\);/,
    );
    expect(checkCounters('$ netstat -Q\n', { json: false }).stderr).toMatch(
      /^check-counters: line 1: no counter table found;/,
    );
  });
});
