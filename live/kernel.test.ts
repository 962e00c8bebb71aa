import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runAndJudgeLive } from '../harness/live-run.ts';
import { cliArgs } from '../test/cli-bundle.ts';
import { missingCapability } from './capabilities.ts';
import { defaultLiveConfig } from './config.ts';
import { readSysctl, run } from './system.ts';

/**
 * The live layer on this machine's kernel. Without root, namespaces or tracefs the tests are
 * skipped with the missing capability in their title; under NETSTACK_REQUIRE_LIVE=1 (CI) a
 * missing capability fails instead.
 */
const missing = missingCapability();
const required = process.env.NETSTACK_REQUIRE_LIVE === '1';
const exec = promisify(execFile);

it('live kernel capabilities: present, or not required here (NETSTACK_REQUIRE_LIVE unset)', () => {
  if (required) expect(missing).toBeUndefined();
});

const ours = (pid: number) =>
  run('ip', ['netns', 'list'])
    .split('\n')
    .filter((l) => l.startsWith(`nsc-${pid}-`));
const instances = (pid: number) =>
  ['/sys/kernel/tracing/instances']
    .filter(existsSync)
    .flatMap((d) => readdirSync(d).filter((n) => n.startsWith(`nsc-${pid}-`)));

describe.skipIf(missing !== undefined)(
  `live kernel${missing === undefined ? '' : ` (skipped: ${missing})`}`,
  () => {
    it('two small runs at once, IPv4 and IPv6: both judged ok, RPS agreement 100%, nothing left behind', async () => {
      const c = { ...defaultLiveConfig(2), flows: 8, packets: 200, durationMs: 4000 };
      const [a, b] = await Promise.all([runAndJudgeLive(c), runAndJudgeLive({ ...c, family: 'inet6' })]);
      for (const out of [a, b]) {
        expect(out.kind).toBe('ran');
        if (out.kind !== 'ran') continue;
        const v = out.verdict;
        expect(v.issues).toEqual([]);
        expect(v.properties.filter((p) => !p.held).map((p) => p.violations[0]?.message)).toEqual([]);
        expect(v.sent).toBe(200);
        expect(v.sent).toBe(v.delivered + v.drops.reduce((s, d) => s + d.count, 0));
        expect(v.differential.agreed).toBe(v.differential.compared);
        expect(v.ok).toBe(true);
        expect(out.cleanupErrors).toEqual([]);
      }
      if (a?.kind === 'ran' && b?.kind === 'ran') {
        expect(a.recording.device).not.toBe(b.recording.device);
        // Each run's datagrams are counted in its own family's MIB row.
        expect(a.verdict.stats['Udp.InDatagrams']).toBe(a.verdict.delivered);
        expect(b.verdict.stats['Udp6.InDatagrams']).toBe(b.verdict.delivered);
        expect(b.verdict.stats['Udp.InDatagrams']).toBe(0);
      }
      expect(ours(process.pid)).toEqual([]);
      expect(instances(process.pid)).toEqual([]);
    });

    it('SIGTERM mid-run restores the global sysctl and deletes the namespaces', async () => {
      const before = readSysctl('net.core.netdev_max_backlog');
      const changed = before === '999' ? '998' : '999';
      const child = spawn(
        process.execPath,
        [
          ...cliArgs('live'),
          '--sysctl',
          `net.core.netdev_max_backlog=${changed}`,
          '--read-delay-ms',
          '5000',
          '--packets',
          '50',
        ],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 100 && readSysctl('net.core.netdev_max_backlog') !== changed; i++)
        await new Promise((ok) => setTimeout(ok, 50));
      expect(readSysctl('net.core.netdev_max_backlog')).toBe(changed);
      child.kill('SIGTERM');
      const code = await new Promise((ok) => child.on('exit', (c, sig) => ok(c ?? sig)));
      expect(code).toBe(143);
      expect(readSysctl('net.core.netdev_max_backlog')).toBe(before);
      expect(ours(child.pid ?? 0)).toEqual([]);
      expect(instances(child.pid ?? 0)).toEqual([]);
    });

    it('bad input is one line and exit 2: an unknown sysctl, not root, an unwritable --save', async () => {
      // The other refusals (no such CPU, too many queues, ...) are liveConfigError's, in units.test.ts.
      const cases: [string[], RegExp, number?][] = [
        [['--sysctl', 'net.core.no_such=1'], /unknown sysctl net.core.no_such/],
        [[], /not root/, 65534],
        // Found only after the run: the recording cannot be kept where it was asked to go.
        [
          ['--save', '/proc/netstack-conformance.json', '--packets', '20', '--flows', '2'],
          /^live: --save \/proc\/netstack-conformance\.json: cannot write it: ENOENT/,
        ],
      ];
      for (const [args, line, uid] of cases) {
        const opts = uid === undefined ? {} : { uid, gid: uid };
        const err = await exec(process.execPath, [...cliArgs('live'), ...args], opts).then(
          () => undefined,
          (e: { code: number; stderr: string }) => e,
        );
        expect(err?.code).toBe(2);
        expect(err?.stderr.trim().split('\n')).toHaveLength(1);
        expect(err?.stderr).toMatch(line);
      }
    });
  },
);
