import { defineConfig } from 'vitest/config';
import { FUZZ_V8_FLAGS } from './harness/fuzz/compiler-flags.ts';
import { BROWSER, BROWSER_TESTS, CORE, TOOL, TOOL_GLOBS } from './test/tiers.ts';

const NEVER = ['node_modules/**', '.stryker-tmp/**', 'dist/**'];

/**
 * The core tier's modules loaded by Node itself, TypeScript compiled by tsx's loader, instead of
 * through Vite's module runner: on a fresh clone the runner sent every one of ~400 compiled modules
 * (with its source map) from the main process to the workers, and `npm test` took 18 to 21 s
 * where a warm run takes 13; loaded natively it is about 13.5 s either way, and the model runs
 * without the runner's wrapped imports. The suite uses neither `vi.mock` nor `import.meta.vitest`,
 * which need the runner (or Vitest's own loader, `nodeLoader`).
 */
const NATIVE_LOAD = {
  experimental: { viteModuleRunner: false, nodeLoader: false },
  // The fuzz worker's compiler flags too: the core tier is model runs and checks, the fuzz search's
  // own work, and runs in about 12% less CPU under them (harness/fuzz/compiler-flags.ts).
  execArgv: ['--import', 'tsx', ...FUZZ_V8_FLAGS],
};

/**
 * The suite's configuration, one project per tier (test/tiers.ts): `npm test` runs `core`,
 * `npm run test:tool` the other two. `isolatePure: true` gives every in-process test file a
 * module graph of its own, as the mutation run needs: with one graph per worker, Stryker reported
 * mutants as survived that the tests kill (the emptied body of model/net/boot.ts's bootHost, which
 * every ported ATF test calls, among them). `nativeLoad: false` keeps Vite's module runner for
 * the core tier too: coverage needs it (V8's coverage is mapped through Vite's pipeline), and
 * Stryker's runs keep it, as their scores were measured with it.
 */
export function suiteConfig({ isolatePure, nativeLoad }: { isolatePure: boolean; nativeLoad: boolean }) {
  return defineConfig({
    test: {
      // Transformed modules kept on disk between runs (node_modules/.experimental-vitest-cache, keyed
      // by content) wherever Vite's runner loads them: a rerun skips compiling them again.
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
            ...(nativeLoad ? NATIVE_LOAD : {}),
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

export default suiteConfig({ isolatePure: false, nativeLoad: true });
