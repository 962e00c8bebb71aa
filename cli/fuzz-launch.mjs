#!/usr/bin/env node
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run fuzz`: the command prebuilt in dist/ (`npm run build`, which `prepare` runs on `npm ci`)
 * when it is at least as new as every source it is built from, so a fresh clone starts it with
 * plain node (no TypeScript compiler, no loader thread: about 0.3 s less per start); after an
 * edit, until the next build, the sources through tsx, as before. Plain JavaScript, so node can
 * start it before anything is compiled.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
/** What tsconfig.build.json compiles (tests aside): a change to any of it makes dist/ stale. */
const SOURCES = ['index.ts', 'cli', 'harness', 'live', 'model', 'properties', 'counters', 'report'];
/** Compiled or copied into dist/ (report/client.js, live/agents/*.mjs); test files are not. */
const BUILT = /(?<!\.test)\.ts$|\.m?js$/;
const self = fileURLToPath(import.meta.url);

/** The newest modification time (ms) of the build's sources, walked with an explicit stack. */
function newestSourceMs() {
  let newest = 0;
  const stack = SOURCES.map((s) => join(root, s));
  while (stack.length > 0) {
    const path = stack.pop();
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path))
        if (name !== 'test' && name !== 'fixtures') stack.push(join(path, name));
    } else if (BUILT.test(path) && path !== self) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

/** dist/cli/fuzz.js when it was built after the last change to the sources. */
function prebuilt() {
  const built = join(root, 'dist', 'cli', 'fuzz.js');
  try {
    return statSync(built).mtimeMs >= newestSourceMs() ? built : undefined;
  } catch {
    return undefined;
  }
}

const built = prebuilt();
if (built === undefined) {
  const tsx = await import('tsx/esm/api');
  tsx.register();
}
if (built !== undefined) {
  // The first worker boots while the command loads (cli/fuzz-prestart.ts).
  const early = await import(pathToFileURL(join(root, 'dist', 'cli', 'fuzz-prestart.js')).href);
  early.prestartFuzzWorker(process.argv.slice(2));
}
const fuzz = await import(pathToFileURL(built ?? join(root, 'cli', 'fuzz.ts')).href);
await fuzz.runFuzzCli(process.argv.slice(2));
