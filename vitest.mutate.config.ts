import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The suite as Stryker runs it against each mutant of model/ and properties/: the commands and
// the report (cli/, report/) are left out, as they spawn processes and browsers.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['node_modules/**', '.stryker-tmp/**', 'cli/**', 'report/**', 'bench/**'],
    },
  }),
);
