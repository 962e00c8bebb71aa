import type fc from 'fast-check';

/**
 * The fast-check parameters that replay a counterexample printed by a failing run: vitest shows
 * fast-check's seed and path, and `FC_SEED=S FC_PATH=P npx vitest run <file> -t '<test name>'`
 * runs exactly that case. Without FC_SEED nothing is pinned and fast-check draws a fresh seed.
 */
export function replayParameters(env: Readonly<Record<string, string | undefined>>): fc.Parameters<unknown> {
  const seed = env.FC_SEED;
  if (seed === undefined || seed === '') return {};
  const asNumber = Number(seed);
  if (!Number.isInteger(asNumber)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(seed)}`);
  const path = env.FC_PATH;
  return path !== undefined && path !== ''
    ? { seed: asNumber, path, endOnFailure: true }
    : { seed: asNumber };
}
