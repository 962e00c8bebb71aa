/**
 * The suite's two tiers. `npm test` runs the core: the model, the properties and their teeth, the
 * ported ATF cases, the regressions, the counter tables and the recorded kernel traces, all in
 * process. The tool tier (`npm run test:tool`) tests the commands and their machinery: the fuzz
 * search, shrinking and reports, spawned commands, fuzz workers fed hostile policies, the live
 * kernel, the packed package, a browser and the repository's code rules. CI runs both.
 */
export const CORE = 'core';
export const TOOL = 'tool';
export const BROWSER = 'browser';

/** Folders whose tests belong to the tool tier. */
export const TOOL_FOLDERS: readonly string[] = ['bench/', 'cli/', 'harness/fuzz/', 'report/', 'test/'];

/** Tool-tier tests outside those folders: they drive this machine's kernel. */
export const TOOL_FILES: readonly string[] = ['live/kernel.test.ts', 'live/receiver.test.ts'];

/** Drives Chromium: a vitest worker of its own. */
export const BROWSER_TESTS: readonly string[] = ['report/browser.test.ts'];

export function isToolTest(path: string): boolean {
  return TOOL_FOLDERS.some((folder) => path.startsWith(folder)) || TOOL_FILES.includes(path);
}

/** The tool tier as vitest globs. */
export const TOOL_GLOBS: readonly string[] = [...TOOL_FOLDERS.map((f) => `${f}**/*.test.ts`), ...TOOL_FILES];

/**
 * What a core test file may not import (the packages itself, the modules through any chain): each
 * starts a process (the policy loaders start esbuild's), a thread or a browser, or is a command.
 */
export const STARTERS: readonly string[] = [
  'node:child_process',
  'node:worker_threads',
  'playwright-core',
  'bench/fuzz-rate.ts',
  'cli/check-counters.ts',
  'cli/fuzz-prestart.ts',
  'cli/fuzz.ts',
  'cli/live.ts',
  'harness/fuzz/compile-policy.ts',
  'harness/fuzz/load-policy.ts',
  'harness/fuzz/prestart.ts',
  'harness/fuzz/supervise.ts',
  'harness/fuzz/worker-bootstrap.ts',
  'live/run.ts',
  'test/cli-bundle.ts',
];
