/**
 * How tests spawn the fuzz command: `node <bundle>` when the suite's global setup bundled it
 * (test/worker-bundle.ts), else through tsx as `npm run fuzz` did before the package was built.
 */
export const FUZZ_CLI_ENV = 'NETSTACK_TEST_FUZZ_CLI';

/** The node arguments that start the fuzz command from the current sources. */
export function fuzzCliArgs(env = process.env): string[] {
  const bundle = env[FUZZ_CLI_ENV];
  return bundle !== undefined && bundle !== '' ? [bundle] : ['--import', 'tsx', 'cli/fuzz.ts'];
}
