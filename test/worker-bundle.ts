import { copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { WORKER_OVERRIDE_ENV } from '../harness/fuzz/worker-bootstrap.ts';
import { workerScriptOptions } from '../scripts/worker-bundle-options.mjs';
import { CLI_BUNDLE_ENV } from './cli-bundle.ts';

/**
 * Vitest global setup: the fuzz worker (harness/fuzz/worker.ts and what it imports) and the fuzz
 * and live commands (cli/fuzz.ts, cli/live.ts) bundled once per `vitest run` from the current
 * sources, as the package's dist/ holds them prebuilt. Every fuzz worker of the suite (in process
 * or in a spawned CLI) loads the worker as the package's does, one CommonJS script compiled with
 * V8's code cache (harness/fuzz/worker-script.ts, bundled here as the ES module that loads it),
 * instead of compiling its ~100 modules through tsx's loader thread (about 0.3 s of CPU less per
 * worker, and the suite starts dozens); the tests that spawn a command start its bundle with node
 * (test/cli-bundle.ts) (about 0.4 s of CPU less per spawn than `node --import tsx cli/fuzz.ts`).
 * The commands' packages stay external, as in the installed package.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

export default function setup(): () => void {
  const dir = join(root, 'node_modules', '.cache', 'netstack-conformance', `bundle-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  buildSync({
    entryPoints: {
      // Loads the worker bundle below with V8's code cache (harness/fuzz/worker-bootstrap.ts).
      'worker-script': join(root, 'harness', 'fuzz', 'worker-script.ts'),
      // Beside the command, where supervise looks for it (a .ts policy's worker registers it).
      'esm-hook': join(root, 'harness', 'fuzz', 'esm-hook.ts'),
      fuzz: join(root, 'cli', 'fuzz.ts'),
      live: join(root, 'cli', 'live.ts'),
    },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  buildSync({
    ...workerScriptOptions('fuzz-worker.mjs'),
    entryPoints: [join(root, 'harness', 'fuzz', 'worker.ts')],
    outfile: join(dir, 'fuzz-worker.cjs'),
  });
  // Files read beside their module, as dist/ holds them: the HTML report's script, the live agents.
  copyFileSync(join(root, 'report', 'client.js'), join(dir, 'client.js'));
  cpSync(join(root, 'live', 'agents'), join(dir, 'agents'), { recursive: true });
  process.env[WORKER_OVERRIDE_ENV] = join(dir, 'fuzz-worker.cjs');
  process.env[CLI_BUNDLE_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
