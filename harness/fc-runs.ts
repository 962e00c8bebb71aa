/**
 * Runs per property test. `FC_RUNS` wins; under CI (`CI=true`) the CI profile runs six times more;
 * the developer default keeps `npm test` (the core tier) at about 12 s on two cores. Bad values are
 * ignored with the default, as a typo must not silently turn the suite into zero runs.
 */
export const FC_RUNS_DEFAULT = 50;
export const FC_RUNS_CI = 300;

type Env = Readonly<Record<string, string | undefined>>;

export function fcRuns(env: Env = process.env): number {
  const asked = Number(env.FC_RUNS);
  if (env.FC_RUNS !== undefined && Number.isInteger(asked) && asked > 0) return asked;
  return env.CI === 'true' ? FC_RUNS_CI : FC_RUNS_DEFAULT;
}

/** What fc.assert takes from the environment: the run count, and `FC_SEED` / `FC_PATH` to replay a failure. */
export interface FcParams {
  readonly numRuns: number;
  readonly seed?: number;
  readonly path?: string;
  readonly endOnFailure?: boolean;
}

/**
 * fc.assert parameters for a property test. A failure prints `{ seed, path }`; paste them back as
 * `FC_SEED=... FC_PATH=... npx vitest run <file>` to replay the shrunk counterexample only.
 */
export function fcParams(env: Env = process.env): FcParams {
  const seed = Number(env.FC_SEED);
  const hasSeed = env.FC_SEED !== undefined && Number.isInteger(seed);
  const path = env.FC_PATH;
  return {
    numRuns: fcRuns(env),
    ...(hasSeed ? { seed } : {}),
    ...(hasSeed && path !== undefined && /^\d+(:\d+)*$/.test(path) ? { path, endOnFailure: true } : {}),
  };
}
