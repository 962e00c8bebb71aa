import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The suite as Stryker runs it against each mutant of model/ and properties/: the tools on top
// (cli/, report/, counters/) are left out, as they spawn processes and browsers and mutate nothing.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['node_modules/**', '.stryker-tmp/**', 'cli/**', 'report/**', 'counters/**', 'bench/**'],
    },
  }),
);
