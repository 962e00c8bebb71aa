import { join } from 'node:path';

/**
 * How tests spawn a command (`fuzz`, `live`): `node <dir>/<command>.mjs` when the suite's global
 * setup bundled the commands (test/worker-bundle.ts), else through tsx from the sources.
 */
export const CLI_BUNDLE_ENV = 'NETSTACK_TEST_CLI_DIR';

/** The node arguments that start `cli/<command>.ts` as built from the current sources. */
export function cliArgs(command: 'fuzz' | 'live', env = process.env): string[] {
  const dir = env[CLI_BUNDLE_ENV];
  return dir !== undefined && dir !== ''
    ? [join(dir, `${command}.mjs`)]
    : ['--import', 'tsx', `cli/${command}.ts`];
}
