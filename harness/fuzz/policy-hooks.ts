import { register } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The module hooks a policy file may need: tsx's loader (TypeScript, and imports written with or
 * without extensions) and esm-hook.ts (every policy file an ES module). Registering them starts a
 * loader thread that every later import goes through (about 0.1 s of CPU in a fuzz worker), so
 * they are registered once, and only for a policy that compile-policy.ts could not compile.
 */
const REGISTERED = Symbol.for('netstack-conformance.policy-hooks');

type Marked = typeof globalThis & { [REGISTERED]?: boolean };

/** The source of the code that registers the hooks (the worker bootstrap runs it, then marks them). */
export function hooksSource(esmHookUrl: string): string {
  return `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); require('node:module').register(${JSON.stringify(esmHookUrl)}); globalThis[Symbol.for('netstack-conformance.policy-hooks')] = true; })`;
}

/** Registers tsx and esm-hook.ts in this thread unless they already are. */
export async function ensurePolicyHooks(): Promise<void> {
  const g = globalThis as Marked;
  if (g[REGISTERED] === true) return;
  g[REGISTERED] = true;
  const tsx = (await import('tsx/esm/api')) as { register: () => unknown };
  tsx.register();
  const ext = extname(fileURLToPath(import.meta.url));
  register(new URL(`./esm-hook${ext}`, import.meta.url).href);
}
