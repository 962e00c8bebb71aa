import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The code a fuzz worker thread is started with. Node 20 does not carry the parent's module hooks
 * into workers, and policy modules may be TypeScript, so the bootstrap registers tsx's loader and
 * a hook that makes every policy file an ES module (esm-hook.ts). Hooks cost a loader thread and
 * a round trip per module loaded after them (about two thirds of a worker's start), so:
 * - a worker module that is prebuilt JavaScript (dist/, or NETSTACK_FUZZ_WORKER: a bundle of
 *   worker.ts, as the test suite builds once) is loaded before the hooks, natively;
 * - a `.mjs` policy needs no hooks at all (it is an ES module, and Node loads it as it is).
 */
export const WORKER_OVERRIDE_ENV = 'NETSTACK_FUZZ_WORKER';

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
  const hooks =
    !tsEntry && extname(policyFile) === '.mjs'
      ? 'Promise.resolve()'
      : `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); require('node:module').register(${JSON.stringify(asModule)}); })`;
  const load = `import(${JSON.stringify(entry)})`;
  return tsEntry
    ? `${hooks}.then(() => ${load}).then((worker) => worker.serve());`
    : `${load}.then((worker) => ${hooks}.then(() => worker.serve()));`;
}
