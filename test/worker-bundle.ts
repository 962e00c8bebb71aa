import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { WORKER_OVERRIDE_ENV } from '../harness/fuzz/worker-bootstrap.ts';
import { FUZZ_CLI_ENV } from './fuzz-cli.ts';

/**
 * Vitest global setup: the fuzz worker (harness/fuzz/worker.ts and what it imports) and the fuzz
 * command (cli/fuzz.ts) bundled once per `vitest run` from the current sources into ES modules, as
 * the package's dist/ holds them prebuilt. Every fuzz worker of the suite (in process or in a
 * spawned CLI) loads the worker bundle natively instead of compiling its ~100 modules through
 * tsx's loader thread (about 0.3 s of CPU less per worker, and the suite starts dozens); the tests
 * that spawn the command start the command bundle with node (about 0.4 s of CPU less per spawn
 * than `node --import tsx cli/fuzz.ts`). Packages stay external (fast-check loads from
 * node_modules, as in the installed package).
 */
const root = fileURLToPath(new URL('..', import.meta.url));

export default function setup(): () => void {
  const dir = join(root, 'node_modules', '.cache', 'netstack-conformance', `bundle-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  buildSync({
    entryPoints: {
      'fuzz-worker': join(root, 'harness', 'fuzz', 'worker.ts'),
      // Beside the command, where supervise looks for it (a .ts policy's worker registers it).
      'esm-hook': join(root, 'harness', 'fuzz', 'esm-hook.ts'),
      fuzz: join(root, 'cli', 'fuzz.ts'),
    },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Class and function names stay as written: messages and reports print some of them.
    keepNames: true,
    logLevel: 'error',
  });
  // The HTML report reads its script beside its module, as in dist/report/.
  copyFileSync(join(root, 'report', 'client.js'), join(dir, 'client.js'));
  process.env[WORKER_OVERRIDE_ENV] = join(dir, 'fuzz-worker.mjs');
  process.env[FUZZ_CLI_ENV] = join(dir, 'fuzz.mjs');
  return () => rmSync(dir, { recursive: true, force: true });
}
