import { defineConfig } from 'vitest/config';
import { BROWSER, BROWSER_TESTS, CORE, TOOL, TOOL_GLOBS } from './test/tiers.ts';

const NEVER = ['node_modules/**', '.stryker-tmp/**', 'dist/**'];

/**
 * The suite's configuration, one project per tier (test/tiers.ts): `npm test` runs `core`,
 * `npm run test:tool` the other two. `isolatePure: true` gives every in-process test file a
 * module graph of its own, as the mutation run needs: with one graph per worker, Stryker reported
 * mutants as survived that the tests kill (the emptied body of model/net/boot.ts's bootHost, which
 * every ported ATF test calls, among them).
 */
export function suiteConfig({ isolatePure }: { isolatePure: boolean }) {
  return defineConfig({
    test: {
      // Transformed modules kept on disk between runs (node_modules/.experimental-vitest-cache, keyed
      // by content): a rerun skips compiling ~400 TypeScript files (about 15% of the pure suites' CPU).
      experimental: { fsModuleCache: true },
      exclude: NEVER,
      // Property tests are CPU-bound; two workers match the 2-core machines we target.
      maxWorkers: 2,
      // FC_SEED / FC_PATH replay a counterexample printed by a failing run.
      setupFiles: ['test/fc-setup.ts'],
      testTimeout: 60_000,
      projects: [
        {
          extends: true,
          // Model, checkers, property suites, regressions, ports, counter tables: one module graph
          // per worker, loaded once instead of once per file; they share no mutable state.
          test: {
            name: CORE,
            include: ['**/*.test.ts'],
            exclude: [...TOOL_GLOBS, ...NEVER],
            isolate: isolatePure,
          },
        },
        {
          extends: true,
          // The fuzz machinery, in-process commands with their fuzz workers, the spawned ones: they
          // leave no module state behind, and a worker of their own would cost a vitest start per file.
          test: {
            name: TOOL,
            include: [...TOOL_GLOBS],
            // The fuzz worker and the commands bundled once, loaded by every fuzz worker and spawned
            // command of the tier (test/worker-bundle.ts); the core starts none.
            globalSetup: ['test/worker-bundle.ts'],
            exclude: [...BROWSER_TESTS, ...NEVER],
            isolate: isolatePure,
          },
        },
        { extends: true, test: { name: BROWSER, include: [...BROWSER_TESTS] } },
      ],
      coverage: {
        provider: 'v8',
        include: ['model/**/*.ts', 'properties/**/*.ts'],
        exclude: ['**/*.test.ts'],
        // Just under what the suite measures (lines 97.3, statements 94.7, branches 88.5, functions 95.6).
        thresholds: { lines: 97.5, statements: 95, branches: 89, functions: 96 },
      },
    },
  });
}

export default suiteConfig({ isolatePure: false });
