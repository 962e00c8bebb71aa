#!/usr/bin/env node
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { workerScriptOptions } from './worker-bundle-options.mjs';

/**
 * The steps of `npm run build` after tsc: the files read beside their modules (the HTML report's
 * page script, the live-kernel agents), and the fuzz worker bundled. A fuzz worker is a fresh
 * thread that loads the whole model, every checker and fast-check (about 140 modules): one script
 * of them, compiled with V8's code cache (harness/fuzz/worker-script.ts), starts it in less time
 * than resolving, reading and compiling each (esbuild comes with tsx, a dependency). Its esbuild
 * options are in worker-bundle-options.mjs.
 */
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const root = fileURLToPath(new URL('../', import.meta.url));

cpSync(`${root}report/client.js`, `${dist}report/client.js`);
cpSync(`${root}live/agents`, `${dist}live/agents`, { recursive: true });

// Beside worker.js, which it stands for: the policy hooks (esm-hook.js) are found beside that.
await build({
  ...workerScriptOptions('worker.js'),
  entryPoints: [`${dist}harness/fuzz/worker.js`],
  outfile: `${dist}harness/fuzz/worker.cjs`,
});
