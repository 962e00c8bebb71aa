#!/usr/bin/env node
import { cpSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { WORKER_BUNDLE_OPTIONS } from './worker-bundle-options.mjs';

/**
 * The steps of `npm run build` after tsc: the files read beside their modules (the HTML report's
 * page script, the live-kernel agents), and the fuzz worker bundled in place. A fuzz worker is a
 * fresh thread that loads the whole model and every checker (about 140 modules): one file of them
 * starts it in less time than resolving and reading each (esbuild comes with tsx, a dependency).
 * Its esbuild options are in worker-bundle-options.mjs.
 */
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const root = fileURLToPath(new URL('../', import.meta.url));

cpSync(`${root}report/client.js`, `${dist}report/client.js`);
cpSync(`${root}live/agents`, `${dist}live/agents`, { recursive: true });

const worker = `${dist}harness/fuzz/worker.js`;
const out = await build({ ...WORKER_BUNDLE_OPTIONS, entryPoints: [worker], write: false });
const code = out.outputFiles[0]?.text;
if (code === undefined) throw new Error('finish-build: esbuild wrote no worker bundle');
// In place: the worker keeps its path, so the esm-hook module it registers is still beside it.
writeFileSync(worker, code);
