import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hooksSource } from './policy-hooks.ts';

/**
 * The code a fuzz worker thread is started with. Node 20 does not carry the parent's module hooks
 * into workers, and policy modules may be TypeScript, so the bootstrap registers tsx's loader and
 * a hook that makes every policy file an ES module (esm-hook.ts). Hooks cost a loader thread and
 * a round trip per module loaded after them (about two thirds of a worker's start), so:
 * - a worker module that is prebuilt JavaScript (dist/, or NETSTACK_FUZZ_WORKER: a bundle of
 *   worker.ts, as the test suite builds once) is loaded before the hooks, natively;
 * - a `.mjs` policy needs no hooks at all (it is an ES module, and Node loads it as it is);
 * - a `.ts` / `.mts` policy is compiled by esbuild in memory (compile-policy.ts), and the hooks are
 *   registered only where that cannot be done (policy-hooks.ts).
 */
export const WORKER_OVERRIDE_ENV = 'NETSTACK_FUZZ_WORKER';

/** Policy files a prebuilt worker starts without hooks. */
const HOOKLESS = ['.mjs', '.ts', '.mts'];

/** `here` is supervise's own module URL: the worker and hook modules sit beside it, .ts or .js alike. */
export function workerBootstrap(policyFile: string, here: string, env = process.env): string {
  const ext = extname(fileURLToPath(here));
  const override = env[WORKER_OVERRIDE_ENV];
  const entry =
    override !== undefined && override !== ''
      ? pathToFileURL(override).href
      : new URL(`./worker${ext}`, here).href;
  const asModule = new URL(`./esm-hook${ext}`, here).href;
  const tsEntry = entry.endsWith('.ts');
  // A TypeScript policy is compiled in memory by the worker, which registers the hooks only if
  // that fails (load-policy.ts); an .mjs policy needs none.
  const hooks =
    tsEntry || !HOOKLESS.includes(extname(policyFile)) ? hooksSource(asModule) : 'Promise.resolve()';
  const load = `import(${JSON.stringify(entry)})`;
  return tsEntry
    ? `${hooks}.then(() => ${load}).then((worker) => worker.serve());`
    : `${load}.then((worker) => ${hooks}.then(() => worker.serve()));`;
}
