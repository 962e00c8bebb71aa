import { describe, expect, it } from 'vitest';
import { checkCounters } from './index.ts';
import { realTable } from './testing.ts';

/**
 * Dumps as people paste them from a terminal: tables one right under the other, netstat -ss,
 * files joined with `cat`, a command run twice. Each reads as the tables it holds.
 */
const verdict = (text: string) => checkCounters(text, { json: false });
const layouts = (text: string) => verdict(text).checked.map((c) => c.section.layout);
const spans = (text: string) => verdict(text).checked.map((c) => [c.section.firstLine, c.section.lastLine]);

const NETSTAT_Q = realTable('netstat-q/d9721-ipsec-qlimit-256.txt').trimEnd();
const UDP_UNTITLED = realTable('netstat-s/rss-blog-udp.txt').split('\n').slice(1).join('\n').trimEnd();
const SNMP = realTable('proc-net-snmp/udp-rcvbuf-blog.txt').trimEnd();
const SNMP6 = realTable('proc-net-snmp6/linux-6.18.txt').trimEnd();
const SOFTNET = realTable('softnet-stat/linux-6.18-2-cpus.txt').trimEnd();

const IP_SS = `ip:
\t987654321 total packets received
\t5000 fragments received
\t100 fragments dropped (dup or out of space)
\t2400 packets reassembled ok
\t987000000 packets for this host`;

describe('netstat -Q with netstat -s right under it, no prompt between', () => {
  it.each([
    ['udp:', `udp:\n${UDP_UNTITLED}`, 'netstat -s -p udp'],
    ['ip:', IP_SS, 'netstat -s -p ip'],
    ['an untitled udp table', UDP_UNTITLED, 'netstat -s -p udp (untitled)'],
  ])('%s ends the Workstreams table and opens netstat -s: exit 0', (_what, netstatS, layout) => {
    const text = `${NETSTAT_Q}\n${netstatS}\n`;
    const v = verdict(text);
    expect(v.stderr).toBe('');
    expect(v.exitCode).toBe(0);
    expect(layouts(text)).toEqual(['full format: Configuration, Protocols, Workstreams', layout]);
    const rows = NETSTAT_Q.split('\n').length;
    expect(spans(text)[0]).toEqual([1, rows]);
  });

  it('/proc/net/snmp and softnet_stat rows end it too', () => {
    expect(verdict(`${NETSTAT_Q}\n${SNMP}\n${SOFTNET}\n`).checked.map((c) => c.section.format)).toEqual([
      'netstat-q',
      'proc-net-snmp',
      'softnet-stat',
    ]);
  });
});

describe('netstat -ss (zero counters left out)', () => {
  it('a title with no counter under it is a table of zeros: exit 0', () => {
    expect(layouts('udp:\n')).toEqual(['netstat -s -p udp']);
    expect(verdict('udp:\n').exitCode).toBe(0);
  });

  it('every protocol in turn, icmp opening with its histogram: exit 0', () => {
    const text = `${IP_SS}\nicmp:\n\tOutput histogram:\n\t\techo reply: 8\n\tICMP address mask responses are disabled\nigmp:\nudp:\n\t10 datagrams received\n\t10 delivered\nrip6:\n`;
    const v = verdict(text);
    expect(v.stderr).toBe('');
    expect(v.exitCode).toBe(0);
    expect(layouts(text)).toEqual([
      'netstat -s -p ip',
      'netstat -s icmp (not checked)',
      'netstat -s igmp (not checked)',
      'netstat -s -p udp',
      'netstat -s rip6 (not checked)',
    ]);
  });

  it("Linux net-tools' capitalised titles are still named as another format: exit 2", () => {
    expect(verdict('Ip:\n    220212 total packets received\n').stderr).toMatch(
      /^check-counters: line 1: format Linux netstat -s \(net-tools\) is not supported;/,
    );
  });
});

describe('files joined with cat, commands run twice', () => {
  it('a byte order mark where a second file begins is skipped like one at the start', () => {
    const text = `\uFEFF${SOFTNET}\n\uFEFF${SNMP}\n`;
    const v = verdict(text);
    expect(v.stderr).toBe('');
    expect(v.exitCode).toBe(0);
    expect(v.checked.map((c) => c.section.format)).toEqual(['softnet-stat', 'proc-net-snmp']);
  });

  it.each([
    ['netstat -Q', NETSTAT_Q],
    ['/proc/net/snmp', SNMP],
    ['/proc/net/snmp6', SNMP6],
    ['/proc/net/softnet_stat with the CPU index (5.10 and later)', SOFTNET],
  ])('%s twice back to back: two tables', (_what, table) => {
    const n = table.split('\n').length;
    const text = `${table}\n${table}\n`;
    const v = verdict(text);
    expect(v.stderr).toBe('');
    expect(v.exitCode).toBe(0);
    expect(spans(text)).toEqual([
      [1, n],
      [n + 1, 2 * n],
    ]);
  });

  it('softnet_stat whose CPU index falls, but not to its first, stays one table with a C-4 finding', () => {
    const row = (cpu: number) => `00000010 ${'00000000 '.repeat(11)}${cpu.toString(16).padStart(8, '0')}`;
    const text = `${row(0)}\n${row(2)}\n${row(1)}\n`;
    expect(spans(text)).toEqual([[1, 3]]);
    expect(verdict(text).checked.flatMap((c) => c.result.findings.map((f) => f.rule))).toEqual(['C-4']);
    expect(spans(`${row(0)}\n${row(2)}\n${row(0)}\n`)).toEqual([
      [1, 2],
      [3, 3],
    ]);
  });

  it('softnet_stat without a CPU index (before 5.10) twice reads as one table of twice the CPUs', () => {
    const old = SOFTNET.split('\n')
      .map((r) => r.split(' ').slice(0, 11).join(' '))
      .join('\n');
    expect(spans(`${old}\n${old}\n`)).toEqual([[1, 4]]);
    expect(spans(`${old}\n\n${old}\n`)).toEqual([
      [1, 2],
      [4, 5],
    ]);
  });
});

describe('input that is no table says why in one line', () => {
  it.each([
    ['empty input', '', 'line 1: the input is empty (blank lines at most)'],
    ['blank lines', '\n  \n\n', 'line 1: the input is empty (blank lines at most)'],
    ['prose', 'ok\n', 'line 1: "ok" is not part of a counter table'],
    ['control bytes', '\u0001\u0002\u0003 x\n', 'line 1: binary data'],
    [
      'NUL bytes',
      '\u0000'.repeat(100),
      'line 1: binary data (a NUL or control byte, or bytes that are not UTF-8)',
    ],
    ['bytes that were not UTF-8', `${SOFTNET}\n\uFFFD\uFFFDx\n`, 'line 3: binary data'],
    ['a long binary line', '\u0000'.repeat(100_000), 'line 1: binary data'],
  ])('%s: exit 2', (_what, text, start) => {
    const v = verdict(text);
    expect(v.exitCode).toBe(2);
    expect(v.stderr.startsWith(`check-counters: ${start}`)).toBe(true);
    expect(v.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
