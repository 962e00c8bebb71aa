import { register } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importModule } from './import-module.ts';

/**
 * The module hooks a policy file may need: tsx's loader (TypeScript, and imports written with or
 * without extensions) and esm-hook.ts (every policy file an ES module). Registering them starts a
 * loader thread that every later import goes through (about 0.1 s of CPU in a fuzz worker), so
 * they are registered once, and only for a policy that compile-policy.ts could not compile.
 */

/** Marks a thread whose hooks are registered (the worker bootstrap may register them first). */
export const HOOKS_REGISTERED_KEY = 'netstack-conformance.policy-hooks';
const REGISTERED = Symbol.for(HOOKS_REGISTERED_KEY);

type Marked = typeof globalThis & { [REGISTERED]?: boolean };

/** Registers tsx and esm-hook.ts in this thread unless they already are. */
export async function ensurePolicyHooks(): Promise<void> {
  const g = globalThis as Marked;
  if (g[REGISTERED] === true) return;
  g[REGISTERED] = true;
  const tsx = (await importModule('tsx/esm/api')) as { register: () => unknown };
  tsx.register();
  const ext = extname(fileURLToPath(import.meta.url));
  register(new URL(`./esm-hook${ext}`, import.meta.url).href);
}
