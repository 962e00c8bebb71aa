import { defineConfig } from 'vitest/config';

/**
 * Tests that drive a browser: a worker each. The CLI tests (in-process commands with their fuzz
 * workers, and the few spawned CLIs) share the pure workers: they leave no module state behind,
 * and a worker of their own cost a vitest start (about 0.8 s of CPU) per file.
 */
const ISOLATED = ['report/browser.test.ts'];

/**
 * The suite's configuration. `isolatePure: true` gives every pure test file a module graph of its
 * own, as the mutation run needs: with one graph per worker, Stryker reported mutants as survived
 * that the tests kill (the emptied body of model/net/boot.ts's bootHost, which every ported ATF
 * test calls, among them).
 */
export function suiteConfig({ isolatePure }: { isolatePure: boolean }) {
  return defineConfig({
    test: {
      // Transformed modules kept on disk between runs (node_modules/.experimental-vitest-cache, keyed
      // by content): a rerun skips compiling ~400 TypeScript files (about 15% of the pure suites' CPU).
      experimental: { fsModuleCache: true },
      exclude: ['node_modules/**', '.stryker-tmp/**', 'dist/**'],
      // Property tests are CPU-bound; two workers match the 2-core machines we target.
      maxWorkers: 2,
      // FC_SEED / FC_PATH replay a counterexample printed by a failing run.
      setupFiles: ['test/fc-setup.ts'],
      // The fuzz worker bundled once, loaded by every fuzz worker of the suite (test/worker-bundle.ts).
      globalSetup: ['test/worker-bundle.ts'],
      testTimeout: 60_000,
      projects: [
        {
          extends: true,
          // Pure suites (model, checkers, harness, regressions, ports, report layout): one module
          // graph per worker, loaded once instead of once per file; they share no mutable state.
          test: {
            name: 'pure',
            include: ['**/*.test.ts'],
            exclude: [...ISOLATED, 'node_modules/**', '.stryker-tmp/**', 'dist/**'],
            isolate: isolatePure,
          },
        },
        { extends: true, test: { name: 'isolated', include: ISOLATED } },
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
