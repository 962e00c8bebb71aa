import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliArgs } from '../test/cli-bundle.ts';

/**
 * Ctrl-C and SIGTERM during a long search (the signal to a real process is what is tested, so
 * these two spawn the CLI): one line on stderr, the runs done, the seed, the replay and continue
 * commands on stdout, exit 128 + the signal, and the process (with its worker) gone.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * A safe policy that says so on stderr at its first packet (once per fuzz worker): the search is under way (signal
 * handlers installed, worker running), so the signal is sent then rather than after a fixed wait.
 */
const SEARCHING = 'searching\n';
const POLICY = `let said = false;
export default { name: 'says-searching', place(p, ctx) {
  if (!said) process.stderr.write(${JSON.stringify(SEARCHING)});
  said = true;
  const nws = ctx.workstreamCpus;
  return { cpu: nws[ctx.bucketCpu(ctx.bucketOf(p.hash)) % nws.length], mode: 'queue' };
} };`;
let policy = '';

beforeAll(() => {
  policy = join(mkdtempSync(join(tmpdir(), 'fuzz-signals-')), 'says-searching.mjs');
  writeFileSync(policy, POLICY);
});

function interrupt(signal: 'SIGINT' | 'SIGTERM') {
  const args = [...cliArgs('fuzz'), policy, '--runs', '1000000', '--seed', '4', '--no-db'];
  const child = spawn(process.execPath, args, { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    const first = stderr === '';
    stderr += d.toString();
    // A few runs in, so the report has runs to count.
    if (first) setTimeout(() => child.kill(signal), 100);
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
    child.on('close', (code) => done({ code, stdout, stderr: stderr.replaceAll(SEARCHING, '') })),
  );
}

describe.concurrent('fuzz stops cleanly on a signal', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: exit %i with the runs done and the commands to go on', async (signal, exit) => {
    const r = await interrupt(signal);
    expect(r.code).toBe(exit);
    const first = new RegExp(
      `^fuzz: interrupted by ${signal} after (\\d+) of 1000000 runs \\(seed 4, \\d+:\\d\\d\\.\\d\\)$`,
    );
    expect(r.stderr.trimEnd()).toMatch(first);
    const done = first.exec(r.stderr.trimEnd())?.[1];
    expect(r.stdout).toMatch(/^ {2}flow-order +(held so far {2}\d+ runs|undecided)$/m);
    expect(r.stdout).toContain(
      `continue the search:        npm run fuzz -- ${policy} --seed 4 --path ${done} --runs ${1_000_000 - Number(done)}`,
    );
  });
});
