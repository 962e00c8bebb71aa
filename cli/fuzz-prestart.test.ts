import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAP_MB_DEFAULT } from '../harness/fuzz/options.ts';
import { adoptPrestarted, prestartWorker } from '../harness/fuzz/prestart.ts';
import type { FuzzReport } from '../harness/fuzz/report.ts';
import { workerBootstrap } from '../harness/fuzz/worker-bootstrap.ts';
import { main } from './fuzz.ts';
import { prestartFuzzWorker } from './fuzz-prestart.ts';

/**
 * The first fuzz worker started before the command (cli/bin.ts, cli/fuzz-launch.mjs): the command
 * adopts it and reports exactly what a worker it starts itself reports; a worker started for
 * another bootstrap or heap, or one that died while waiting, is dropped for a fresh one.
 */
const BY_BUCKET = `export default { name: 'by-bucket', place(p, ctx) {
  const nws = ctx.workstreamCpus;
  return { cpu: nws[ctx.bucketCpu(ctx.bucketOf(p.hash)) % nws.length], mode: 'queue' };
} };
`;

let dir = '';
let policy = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fuzz-prestart-'));
  policy = join(dir, 'by-bucket.mjs');
  writeFileSync(policy, BY_BUCKET);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bootstrap the search asks for; `tuned` as for a search of at most 5,000 runs. */
const bootstrapOf = (file: string, tuned = true) =>
  workerBootstrap(file, new URL('../harness/fuzz/supervise.ts', import.meta.url).href, process.env, tuned);

async function report(argv: string[]): Promise<FuzzReport> {
  const out: string[] = [];
  const code = await main([...argv, '--json', '--no-db'], {
    io: { out: (t) => void out.push(t), err: () => {} },
  });
  expect(code).toBe(0);
  return { ...(JSON.parse(out.join('')) as FuzzReport), elapsedMs: 0 };
}

describe('a fuzz worker started before the command', () => {
  it('is adopted by the search, which reports what it reports with a worker of its own', async () => {
    const argv = [policy, '--runs', '12', '--seed', '5', '--cpus', '1-4'];
    const own = await report(argv);
    const waiting = prestartFuzzWorker(argv);
    let answers = 0;
    waiting?.on('message', () => answers++);
    const early = await report(argv);
    // It ran the search: its answer came from it, not from a worker started after it.
    expect(answers).toBeGreaterThan(0);
    // Taken by the search: nothing is left waiting.
    expect(adoptPrestarted(bootstrapOf(policy), HEAP_MB_DEFAULT)).toBeUndefined();
    expect(early).toEqual(own);
  });

  it('is taken only for the bootstrap and heap it was started with', async () => {
    const bootstrap = bootstrapOf(policy);
    expect(prestartFuzzWorker([policy, '--heap=128'])).toBeDefined();
    const taken = adoptPrestarted(bootstrap, 128);
    expect(taken).toBeDefined();
    await taken?.terminate();
    prestartFuzzWorker(['--seed', '1', policy, '--heap', '128']);
    expect(adoptPrestarted(bootstrap, 256)).toBeUndefined();
    prestartFuzzWorker([policy]);
    expect(adoptPrestarted(bootstrapOf(join(dir, 'other.cjs')), HEAP_MB_DEFAULT)).toBeUndefined();
  });

  it('starts with the compiler flags a search of its --runs gets (none past 5,000, or --duration alone)', async () => {
    const cases: ReadonlyArray<readonly [string[], boolean]> = [
      [[policy], true],
      [[policy, '--runs', '5000'], true],
      [[policy, '--runs=5001'], false],
      [[policy, '--duration', '1m'], false],
      [[policy, '--duration=1m', '--runs', '200'], true],
    ];
    for (const [argv, tuned] of cases) {
      expect(prestartFuzzWorker(argv)).toBeDefined();
      expect(adoptPrestarted(bootstrapOf(policy, !tuned), HEAP_MB_DEFAULT), argv.join(' ')).toBeUndefined();
      expect(prestartFuzzWorker(argv)).toBeDefined();
      const taken = adoptPrestarted(bootstrapOf(policy, tuned), HEAP_MB_DEFAULT);
      expect(taken, argv.join(' ')).toBeDefined();
      await taken?.terminate();
    }
  });

  it('is dropped when it died while waiting, and not started for --help, no policy file or a bad heap', async () => {
    const gone = prestartWorker('process.exit(0)', 64);
    expect(prestartWorker('process.exit(0)', 64)).toBeUndefined();
    if (gone !== undefined) await once(gone, 'exit');
    expect(adoptPrestarted('process.exit(0)', 64)).toBeUndefined();
    for (const argv of [
      [policy, '--help'],
      ['-h', policy],
      ['--runs', '3'],
      [policy, '--heap', 'lots'],
    ])
      expect(prestartFuzzWorker(argv)).toBeUndefined();
  });
});
