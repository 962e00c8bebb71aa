import { defineConfig, mergeConfig } from 'vitest/config';
import { suiteConfig } from './vitest.config.ts';

// The suite as Stryker runs it against each mutant of model/ and properties/: the commands and
// the report (cli/, report/), the live kernel and the package tests are left out, as they spawn
// processes, browsers and network namespaces. Every test file gets its own module graph.
export default mergeConfig(
  suiteConfig({ isolatePure: true, nativeLoad: false }),
  defineConfig({
    test: {
      // Stryker's runners share node_modules across sandboxes: no shared transform cache for them.
      experimental: { fsModuleCache: false },
      exclude: [
        'node_modules/**',
        '.stryker-tmp/**',
        'dist/**',
        'cli/**',
        'report/**',
        'bench/**',
        'live/kernel.test.ts',
        'test/pack.test.ts',
        // CPU budgets of the readers, meaningless on instrumented code (2.2 s for 0.6 s of work); a
        // mutant that makes a reader hang still fails by Stryker's own timeout.
        'counters/linear.test.ts',
      ],
    },
  }),
);
