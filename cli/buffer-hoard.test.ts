import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliArgs } from '../test/cli-bundle.ts';

/**
 * A policy that keeps ArrayBuffers: they live outside the V8 heap `--heap` caps, so without the
 * memory budget (harness/fuzz/memory-budget.ts) the process grew until the machine ran out (12 GB
 * in a minute at 64 MiB a call). Spawned, so the memory it takes is its own process's.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

describe('a policy that hoards Buffers outside the heap', () => {
  it('is a heap-exhausted violation with its packet and the replay of the runs that built it up, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-hoard-'));
    const file = join(dir, 'hoard.mjs');
    writeFileSync(
      file,
      `const hoard = [];\nexport default { name: 'hoard', place(p, ctx) { hoard.push(new Uint8Array(8 * 1024 * 1024).fill(1)); return { cpu: ctx.workstreamCpus[0], mode: 'queue' }; } };`,
    );
    const r = await new Promise<{ code: number | null; stdout: string }>((resolveRun) => {
      execFile(
        process.execPath,
        [...cliArgs('fuzz'), file, '--seed', '1', '--runs', '20', '--cpus', '1-2', '--heap', '64', '--no-db'],
        { cwd: root, timeout: 50_000 },
        (err, stdout) =>
          resolveRun({ code: err === null ? 0 : ((err as { code?: number }).code ?? null), stdout }),
      );
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^ {2}policy:heap-exhausted: policy hoard on packet [\d,]+ .*: the fuzz worker grew the fuzz process past its memory budget of 320 MiB a worker/m,
    );
    expect(r.stdout).toMatch(
      /^replay: npm run fuzz -- \S+hoard\.mjs --seed 1 --runs \d+ --workers \d+ --cpus 1-2 --property policy-conformance --heap 64$/m,
    );
  });
});
