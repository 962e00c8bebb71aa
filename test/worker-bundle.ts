import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { WORKER_OVERRIDE_ENV } from '../harness/fuzz/worker-bootstrap.ts';

/**
 * Vitest global setup: the fuzz worker (harness/fuzz/worker.ts and what it imports) bundled once
 * per `vitest run` from the current sources into one ES module, which every fuzz worker of the
 * suite (in process or in a spawned CLI) loads natively instead of compiling its ~100 modules
 * through tsx's loader thread: about 0.3 s of CPU less per worker, and the suite starts dozens.
 * Packages stay external (fast-check loads from node_modules, as in a worker of the command).
 */
const root = fileURLToPath(new URL('..', import.meta.url));

export default function setup(): () => void {
  const dir = join(root, 'node_modules', '.cache', 'netstack-conformance');
  const outfile = join(dir, `fuzz-worker-${process.pid}.mjs`);
  mkdirSync(dir, { recursive: true });
  buildSync({
    entryPoints: [join(root, 'harness', 'fuzz', 'worker.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Class and function names stay as written: messages and reports print some of them.
    keepNames: true,
    logLevel: 'error',
  });
  process.env[WORKER_OVERRIDE_ENV] = outfile;
  return () => rmSync(outfile, { force: true });
}
