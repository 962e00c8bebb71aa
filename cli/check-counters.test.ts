import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { realTable } from '../counters/testing.ts';
import { runCheckCounters } from './check-counters.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

describe('check-counters command', () => {
  it('checks a file: exit 0 and the aligned verdict', () => {
    const r = runCheckCounters([fixture('netstat-q/d9721-ipsec-qlimit-8192.txt')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^1 table, 7 rows, \d+ identity checks: every identity holds\n/);
  });

  it('reads stdin with -, several tables in one input, --json', () => {
    const input = [
      realTable('netstat-q/rss-8-bound-threads.txt'),
      realTable('proc-net-snmp/udp-rcvbuf-blog.txt'),
    ].join('\n');
    const r = runCheckCounters(['-', '--json'], () => Buffer.from(input));
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.sections.map((s: { format: string }) => s.format)).toEqual(['netstat-q', 'proc-net-snmp']);
  });

  it('exit 1 lists the rows that break an identity, in JSON too', () => {
    const broken = realTable('proc-net-snmp/udp-rcvbuf-blog.txt').replace(
      ' 261929024 42204463516',
      ' 261929023 42204463516',
    );
    const r = runCheckCounters(['-', '--json', '--quiescent'], () => Buffer.from(broken));
    expect(r.exitCode).toBe(1);
    const f = JSON.parse(r.stdout).sections[0].findings[0];
    expect(f).toMatchObject({ rule: 'U5', line: 2, row: 'Udp' });
  });

  it('one drop short on a host that may have been busy is a note naming --quiescent: exit 0', () => {
    const torn = realTable('proc-net-snmp/udp-rcvbuf-blog.txt').replace(
      ' 261929024 42204463516',
      ' 261929023 42204463516',
    );
    const r = runCheckCounters(['-'], () => Buffer.from(torn));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      'Udp: InErrors 261929023 is 1 below RcvbufErrors + InCsumErrors = 261929024: a read while',
    );
    expect(r.stdout).toContain('Check again with --quiescent if the host was idle.');
  });

  it('the facts about the machine reach the checks; a --linux-release that is no release is exit 2', () => {
    const throttled = '0001e240 0000000c 00000022 00000007 00000000 00000000 00000000 00000000 00000002\n';
    const stdin = () => Buffer.from(throttled);
    expect(runCheckCounters(['-'], stdin).exitCode).toBe(0);
    expect(runCheckCounters(['-', '--linux-release', '2.6.18-419.el5'], stdin).stdout).toContain(
      'C-2  column 4 not 0 (Linux 2.6.18 prints 0 there)',
    );
    const offline = `${'00000000 '.repeat(10)}000001f4\n`;
    expect(runCheckCounters(['-'], () => Buffer.from(offline)).exitCode).toBe(0);
    expect(
      runCheckCounters(['-', '--all-cpus-online', '--quiescent'], () => Buffer.from(offline)).exitCode,
    ).toBe(1);
    const i386 = 'udp:\n\t100 datagrams received\n\t200 dropped due to no socket\n\t4294967196 delivered\n';
    expect(runCheckCounters(['-'], () => Buffer.from(i386)).exitCode).toBe(0);
    expect(runCheckCounters(['-', '--counters-64bit'], () => Buffer.from(i386)).exitCode).toBe(1);
    const bad = runCheckCounters(['-', '--linux-release', 'latest'], stdin);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--linux-release latest: want what uname -r prints, e.g. 2.6.18-419.el5');
  });

  it('exit 2 with one line for unreadable input and bad usage', () => {
    expect(runCheckCounters([])).toMatchObject({ exitCode: 2 });
    expect(runCheckCounters(['a', 'b']).stderr).toContain('one input at a time');
    expect(runCheckCounters(['--bogus', 'x']).exitCode).toBe(2);
    const missing = runCheckCounters(['/nonexistent/netstat.txt']);
    expect(missing).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: 'check-counters: cannot read /nonexistent/netstat.txt: ENOENT\n',
    });
    const bad = runCheckCounters(['-'], () => Buffer.from('Udp: InErrors RcvbufErrors\nUdp: 1\n'));
    expect(bad).toEqual({
      exitCode: 2,
      stdout: '',
      stderr:
        'check-counters: line 2: Udp has 1 values for 2 fields; expected 2 values, one per field of line 1\n',
    });
  });

  it('runs as npm run check-counters does (tsx), exit code and output', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'));
    expect(pkg.scripts['check-counters']).toBe('tsx cli/check-counters.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/check-counters.ts', '-'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      input: realTable('netstat-s/rss-blog-udp.txt').replace('5121471700 delivered', '5121471699 delivered'),
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/line 11\s+udp\s+C-1\s+delivered 5121471699/);
  });
});
