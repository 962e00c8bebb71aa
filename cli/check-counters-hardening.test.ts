import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INPUT_BYTES_MAX, runCheckCounters } from './check-counters.ts';

/**
 * check-counters on careless and hostile input: each case asserts the exit code and the
 * first line printed. In-process, except the endless pipe, where the reading process is the point.
 */
const stdin = (text: string) => () => Buffer.from(text);
const first = (text: string) => text.split('\n')[0];
const dir = mkdtempSync(join(tmpdir(), 'check-counters-'));

const CONFIG = `Thread count                         1            1
Default queue limit                256        10240
Dispatch policy                 direct          n/a
Threads bound to CPUs         disabled          n/a`;
const PROTOCOLS = `Name   Proto QLimit Policy Dispatch Flags
ip         1    256   flow  default   ---
ipsec     11   8192 source  default   ---`;
const work = (
  ipHandled: string,
  ipDisp: string,
) => `WSID CPU   Name     Len WMark   Disp'd  HDisp'd   QDrops   Queued  Handled
   0   0   ip         0     0 ${ipDisp}        0        0        0 ${ipHandled}
   0   0   ipsec   8192  8192        0        0 87097837 11805690 11789306`;

describe('check-counters: bounded, exact, escaped, and the tables people paste', () => {
  it.each([
    ['without titles or Setting header', `${CONFIG}\n\n${PROTOCOLS}\n\n${work('24726004', '24726004')}\n`],
    ['without titles, no blank lines', `${CONFIG}\n${PROTOCOLS}\n${work('24726004', '24726004')}\n`],
    [
      'with the Setting header, no titles',
      `Setting Current Limit\n${CONFIG}\n\n${PROTOCOLS}\n\n${work('24726004', '24726004')}\n`,
    ],
  ])('reads a real netstat -Q table %s: exit 0', (_, text) => {
    const r = runCheckCounters(['-'], stdin(text));
    expect(r.exitCode).toBe(0);
    expect(first(r.stdout)).toBe('1 table, 2 rows, 12 identity checks: every identity holds');
  });

  it('reads the same table saved by PowerShell (UTF-16 LE with its byte order mark): exit 0', () => {
    const text = `${CONFIG}\n${PROTOCOLS}\n${work('24726004', '24726004')}\n`;
    const r = runCheckCounters(['-'], () => Buffer.from(`\uFEFF${text}`, 'utf16le'));
    expect(r.exitCode).toBe(0);
    expect(first(r.stdout)).toBe('1 table, 2 rows, 12 identity checks: every identity holds');
  });

  it('keeps 64-bit counters exact: 2^64 - 1 holds, one off (invisible to a double) breaks I-4', () => {
    const max = '18446744073709551615';
    const ok = runCheckCounters(['-'], stdin(`${CONFIG}\n${PROTOCOLS}\n${work(max, max)}\n`));
    expect(ok.exitCode).toBe(0);
    expect(first(ok.stdout)).toBe('1 table, 2 rows, 12 identity checks: every identity holds');
    const off = runCheckCounters(
      ['-'],
      stdin(`${CONFIG}\n${PROTOCOLS}\n${work('18446744073709551614', max)}\n`),
    );
    expect(off.exitCode).toBe(1);
    expect(first(off.stdout)).toBe('1 table, 2 rows, 12 identity checks: 1 broken');
    expect(off.stdout).toContain("Handled 18446744073709551614 < Disp'd 18446744073709551615");
  });

  it('names a per-second netisrstat table as unsupported: exit 2', () => {
    const r = runCheckCounters(['-'], stdin('Proto   Disp/s  HDisp/s  Queued/s  Handled/s\nip 10 0 5 5\n'));
    expect(r.exitCode).toBe(2);
    expect(first(r.stderr)).toMatch(
      /^check-counters: line 1: format netisrstat \(per-second netisr rates\) is not supported; /,
    );
  });

  // As net-tools and iproute2 print them on Linux 6.18 (the first lines of each).
  it.each([
    [
      'Linux netstat -s',
      'Ip:\n    Forwarding: 2\n    92978 total packets received\nUdp:\n    2512 packets received\n',
      /^check-counters: line 1: format Linux netstat -s \(net-tools\) is not supported; .*; paste \/proc\/net\/snmp and \/proc\/net\/snmp6 instead/,
    ],
    [
      'nstat',
      '#kernel\nIpInReceives                    92978              0.0\n',
      /^check-counters: line 1: format nstat is not supported; .*deltas since its last run unless -a.*: paste \/proc\/net\/snmp and \/proc\/net\/snmp6 instead/,
    ],
    [
      'netstat --libxo json',
      '{"statistics": {"netisr": {"configuration": {"dispatch": "direct"}}}}\n',
      /^check-counters: line 1: format JSON or XML \(netstat --libxo\?\) is not supported; .*; paste the plain text the command prints without --libxo/,
    ],
  ])('names %s as unsupported and says what to paste instead: exit 2, one line', (_name, text, line) => {
    const r = runCheckCounters(['-'], stdin(text));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(line);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('escapes control characters and caps a message: exit 2, one short line', () => {
    const esc = runCheckCounters(['-'], stdin('Udp: InErrors \u001b[31mRcvbufErrors\nUdp: 1\n'));
    expect(esc.exitCode).toBe(2);
    expect(first(esc.stderr)).toBe(
      'check-counters: line 1: "Udp: InErrors \\x1b[31mRcvbufErrors" is not part of a counter table; expected netstat -Q, netstat -s -p ip|udp, /proc/net/snmp, /proc/net/snmp6 or /proc/net/softnet_stat output (blank lines and shell prompts between them are fine)',
    );
    // A token as long as a line may be (LINE_CHARS_MAX): the message quotes 40 characters of it.
    const huge = runCheckCounters(
      ['-'],
      stdin(`${PROTOCOLS}\n${work('1', '1').replace(' 87097837 ', ` ${'9'.repeat(60_000)} `)}\n`),
    );
    expect(huge.exitCode).toBe(2);
    expect(first(huge.stderr)).toMatch(
      /^check-counters: line 6: QDrops is '9{40}'; expected a non-negative integer/,
    );
    expect(huge.stderr.length).toBeLessThan(500);
    // Longer, the line is refused by its length before any table is read.
    const longer = runCheckCounters(
      ['-'],
      stdin(`${PROTOCOLS}\n${work('1', '1').replace(' 87097837 ', ` ${'9'.repeat(6_000_000)} `)}\n`),
    );
    expect(longer.exitCode).toBe(2);
    expect(first(longer.stderr)).toBe(
      'check-counters: line 6: a line of 6000066 characters; expected at most 65536 characters a line (the longest a kernel prints is a few kilobytes)',
    );
  });

  it.each([
    [
      'a file over 16 MiB',
      () => {
        const f = join(dir, 'big.txt');
        writeFileSync(f, Buffer.alloc(INPUT_BYTES_MAX + 1, 0x41));
        return f;
      },
      /^check-counters: \S+big\.txt is over 16777216 bytes: refused \(see --help for the limits\)$/,
    ],
    [
      'a file of 100,001 lines',
      () => {
        const f = join(dir, 'long.txt');
        writeFileSync(f, '\n'.repeat(100_001));
        return f;
      },
      /^check-counters: \S+long\.txt is over 100000 lines: refused \(see --help for the limits\)$/,
    ],
    ['an endless device', () => '/dev/zero', /^check-counters: \/dev\/zero is over 16777216 bytes: refused/],
  ])('refuses %s while reading: exit 2', (_, path, line) => {
    const r = runCheckCounters([path()]);
    expect(r.exitCode).toBe(2);
    expect(first(r.stderr)).toMatch(line);
  });

  it('stops reading an endless stdin at the limit: exit 2', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/check-counters.ts', '-'], { cwd: root });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const line = Buffer.from('y\n'.repeat(32 * 1024));
    const feed = () => {
      while (child.stdin.writable && child.stdin.write(line)) {}
    };
    child.stdin.on('drain', feed);
    child.stdin.on('error', () => {});
    feed();
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(2);
    expect(first(stderr)).toBe(
      'check-counters: stdin is over 100000 lines: refused (see --help for the limits)',
    );
  });

  it('a reader that closes the pipe early (`| head`) ends it with the exit code, no stack trace', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const f = join(dir, 'many-findings.txt');
    const header = "WSID CPU Name Len WMark Disp'd HDisp'd QDrops Queued Handled";
    const rows = Array.from({ length: 20_000 }, (_, cpu) => `${cpu} ${cpu} ip 0 0 10 0 0 0 5`);
    writeFileSync(f, `${header}\n${rows.join('\n')}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/check-counters.ts', f], { cwd: root });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('--help lists every identity, the limits and the exit codes: exit 0', () => {
    const r = runCheckCounters(['--help']);
    expect(r.exitCode).toBe(0);
    expect(first(r.stdout)).toBe(
      'usage: check-counters <file | -> [--json] [--qlimits-fixed] [--counters-64bit] [--quiescent] [--all-cpus-online] [--linux-release <uname -r>]',
    );
    for (const flag of [
      '--qlimits-fixed',
      '--counters-64bit',
      '--quiescent',
      '--all-cpus-online',
      '--linux-release',
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${flag}`, 'm'));
    for (const id of ['I-4', 'N-17', 'Q-5', 'U5', 'C-1'])
      expect(r.stdout).toMatch(new RegExp(`^  ${id} `, 'm'));
    expect(r.stdout).toContain('16777216 bytes (16 MiB) and 100000 lines');
    expect(r.stdout).toContain('exit codes: 0 every identity holds; 1 a row breaks one; 2 ');
  });
});
