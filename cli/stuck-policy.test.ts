import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliArgs } from '../test/cli-bundle.ts';

/**
 * A policy stuck in a native call the watchdog cannot interrupt: `terminate()` stops JavaScript,
 * not a synchronous child process (nor `fill` over a sparse array of 3e9 slots), so the worker
 * thread ran on after the watchdog stopped it, and Node waited for that thread on exit (with
 * `fill`, until its heap ran out and the process aborted, exit 134 a minute later). Spawned, as a
 * user runs it: the command reports the hang like any other and ends the process past the thread.
 * `execSync('sleep 10')` stands in for the native call: it burns no CPU and allocates nothing, so
 * the exit does not race a garbage collection of the stuck thread (docs/policy-isolation.md).
 */
const root = fileURLToPath(new URL('..', import.meta.url));

function fuzz(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      [...cliArgs('fuzz'), ...args],
      { cwd: root, timeout: 50_000 },
      (err, stdout, stderr) =>
        resolveRun({ code: err === null ? 0 : ((err as { code?: number }).code ?? null), stdout, stderr }),
    );
  });
}

/** A synchronous child process in place(), or while the module loads. */
const POLICIES: Record<string, string> = {
  'sleeps.mjs': `import { execSync } from 'node:child_process';\nexport default { name: 'sleeps', place() { execSync('sleep 10'); return { cpu: 0, mode: 'queue' }; } };`,
  'sleeps-loading.mjs': `import { execSync } from 'node:child_process';\nexecSync('sleep 10');\nexport default { name: 'sleeps-loading', place: () => ({ cpu: 0, mode: 'queue' }) };`,
};

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fuzz-stuck-'));
  for (const [name, text] of Object.entries(POLICIES)) writeFileSync(join(dir, name), text);
});

describe.concurrent('a policy stuck in a native call', () => {
  it('in place(): reported as timed-out with its packet and replay, and the command exits 1 at once', async () => {
    const file = join(dir, 'sleeps.mjs');
    const started = performance.now();
    const r = await fuzz([
      file,
      '--seed',
      '1',
      '--path',
      '0',
      '--cpus',
      '1-2',
      '--timeout',
      '0.2',
      '--no-db',
    ]);
    const seconds = (performance.now() - started) / 1000;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^ {2}policy:timed-out: policy sleeps on packet [\d,]+ .*no answer within 0\.2 s/m,
    );
    expect(r.stdout).toMatch(
      /^replay: npm run fuzz -- \S+sleeps\.mjs --seed 1 --path 0 --cpus 1-2 .*--timeout 0\.2/m,
    );
    expect(r.stderr).toContain('ending the process');
    // The stuck thread would otherwise hold the process until its call ended.
    expect(seconds).toBeLessThan(9);
  });

  it('while loading: the one line of exit 2, and the command ends at once', async () => {
    const started = performance.now();
    const r = await fuzz([join(dir, 'sleeps-loading.mjs'), '--timeout', '0.1', '--no-db']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^fuzz: policy file \S+sleeps-loading\.mjs did not finish loading within 0\.5 s\n$/,
    );
    expect((performance.now() - started) / 1000).toBeLessThan(9);
  });
});
