import { defineConfig } from 'vitest/config';

/** Tests that start processes or a browser, or run a command on the process's streams: a worker each. */
const ISOLATED = [
  'cli/fuzz.test.ts',
  'cli/check-counters.test.ts',
  'cli/check-counters-hardening.test.ts',
  'cli/isolation.test.ts',
  'cli/scale.test.ts',
  'cli/failure-db.test.ts',
  'cli/signals.test.ts',
  'test/pack.test.ts',
  'report/browser.test.ts',
];

export default defineConfig({
  test: {
    exclude: ['node_modules/**', '.stryker-tmp/**', 'dist/**'],
    // Property tests are CPU-bound; two workers match the 2-core machines we target.
    maxWorkers: 2,
    // FC_SEED / FC_PATH replay a counterexample printed by a failing run.
    setupFiles: ['test/fc-setup.ts'],
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
          isolate: false,
        },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
    ],
    coverage: {
      provider: 'v8',
      include: ['model/**/*.ts', 'properties/**/*.ts'],
      exclude: ['**/*.test.ts'],
      // Just under what the suite measures (lines 97.3, statements 94.7, branches 88.5, functions 95.6).
      thresholds: { lines: 97, statements: 94, branches: 88, functions: 95 },
    },
  },
});
