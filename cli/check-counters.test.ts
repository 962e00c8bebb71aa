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
    const r = runCheckCounters(['-', '--json'], () => Buffer.from(broken));
    expect(r.exitCode).toBe(1);
    const f = JSON.parse(r.stdout).sections[0].findings[0];
    expect(f).toMatchObject({ rule: 'U5', line: 2, row: 'Udp' });
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
