import { propertyByName } from '../../properties/index.ts';
import type { FuzzCase } from '../arbitraries/run-case.ts';
import { guardPolicy } from './guard.ts';
import { CallKind, type Heartbeat } from './heartbeat.ts';
import { loadPolicy } from './load-policy.ts';
import { runFuzzCase } from './run-fuzz-case.ts';

/**
 * Whether a counterexample fails again with the policy module evaluated anew, as the replay's new
 * process will evaluate it. explain() runs the case again with a fresh factory call, which state
 * kept at module level survives: a counter outside the factory that turns bad after thousands of
 * calls fails there too, and its replay passes. `false` only when the fresh module loaded, the
 * model ran the case and the property held; anything else leaves the verdict as it was.
 */
export async function failsWithFreshModule(
  file: string,
  runCase: FuzzCase,
  propertyName: string,
  beat: Heartbeat,
  hooks: () => Promise<void>,
): Promise<boolean> {
  const spec = propertyByName(propertyName);
  if (spec === undefined) return true;
  // Watched as the first load was: top-level code runs again.
  beat.enter(CallKind.loading, 0);
  const loaded = await loadPolicy(file, hooks, 1);
  beat.leave();
  if (!loaded.ok) return true;
  const run = runFuzzCase(runCase, guardPolicy(loaded.value.source, loaded.value.fallbackName, beat));
  return !run.ok || spec.check(run.value.trace).length > 0;
}
