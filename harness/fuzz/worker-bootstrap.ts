import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compilerFlagsSource, FUZZ_V8_FLAGS } from './compiler-flags.ts';
import { HOOKS_REGISTERED_KEY } from './policy-hooks.ts';

/**
 * The code a fuzz worker thread is started with. Node 20 does not carry the parent's module hooks
 * into workers, and policy modules may be TypeScript, so the bootstrap registers tsx's loader and
 * a hook that makes every policy file an ES module (esm-hook.ts). Hooks cost a loader thread and
 * a round trip per module loaded after them (about two thirds of a worker's start), so:
 * - a worker that is prebuilt JavaScript is loaded before the hooks: the package's worker.cjs
 *   beside this module (or NETSTACK_FUZZ_WORKER naming such a bundle, as the test suite builds
 *   once) as a script with V8's code cache, by worker-script.ts beside it; a worker module in
 *   JavaScript, natively;
 * - a `.mjs` policy needs no hooks at all (it is an ES module, and Node loads it as it is);
 * - a `.ts` / `.mts` policy is compiled by esbuild in memory (compile-policy.ts), and the hooks are
 *   registered only where that cannot be done (policy-hooks.ts).
 */
export const WORKER_OVERRIDE_ENV = 'NETSTACK_FUZZ_WORKER';

/** Policy files a prebuilt worker starts without hooks. */
const HOOKLESS = ['.mjs', '.ts', '.mts'];

/** The source of the code that registers the hooks, then marks them registered (policy-hooks.ts). */
function hooksSource(esmHookUrl: string): string {
  return `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); require('node:module').register(${JSON.stringify(esmHookUrl)}); globalThis[Symbol.for(${JSON.stringify(HOOKS_REGISTERED_KEY)})] = true; })`;
}

/** How the worker is loaded: a module by `import()`, or a CommonJS bundle by worker-script.ts. */
type WorkerEntry =
  | { readonly kind: 'module'; readonly url: string }
  | { readonly kind: 'script'; readonly file: string; readonly loaderUrl: string };

function workerEntry(here: string, ext: string, env: NodeJS.ProcessEnv): WorkerEntry {
  const override = env[WORKER_OVERRIDE_ENV];
  if (override !== undefined && override !== '') {
    const url = pathToFileURL(override).href;
    // The suite's bundle directory holds its loader as an ES module whatever the sources are.
    return override.endsWith('.cjs')
      ? { kind: 'script', file: override, loaderUrl: new URL('./worker-script.mjs', url).href }
      : { kind: 'module', url };
  }
  const script = new URL('./worker.cjs', here);
  if (ext !== '.ts' && existsSync(script))
    return {
      kind: 'script',
      file: fileURLToPath(script),
      loaderUrl: new URL(`./worker-script${ext}`, here).href,
    };
  return { kind: 'module', url: new URL(`./worker${ext}`, here).href };
}

/**
 * `here` is supervise's own module URL: the worker and hook modules sit beside it, .ts or .js
 * alike. `tuned`: the worker sets the fuzz search's compiler flags (compiler-flags.ts) before it
 * compiles the worker: first thing, or, for the bundle, once the loader that compiles it is in.
 */
export function workerBootstrap(policyFile: string, here: string, env = process.env, tuned = false): string {
  const ext = extname(fileURLToPath(here));
  const entry = workerEntry(here, ext, env);
  const asModule = new URL(`./esm-hook${ext}`, here).href;
  const tsEntry = entry.kind === 'module' && entry.url.endsWith('.ts');
  // A TypeScript policy is compiled in memory by the worker, which registers the hooks only if
  // that fails (load-policy.ts); an .mjs policy needs none.
  const hooks =
    tsEntry || !HOOKLESS.includes(extname(policyFile)) ? hooksSource(asModule) : 'Promise.resolve()';
  const flags = tuned ? compilerFlagsSource() : '';
  if (entry.kind === 'script') {
    // The flags once the loader and the Node modules it imports are in (their code cached at
    // Node's build stays usable: about 3 ms), before the bundle is compiled; its cached code is
    // kept per set of flags (worker-script.ts).
    const cacheArgs = tuned ? `, process.env, ${JSON.stringify(FUZZ_V8_FLAGS.join(' '))}` : '';
    const compile = `l.loadWorkerScript(${JSON.stringify(entry.file)}${cacheArgs})`;
    const loaded = tuned ? `{ ${flags} return ${compile}; }` : compile;
    const load = `import(${JSON.stringify(entry.loaderUrl)}).then((l) => ${loaded})`;
    return `${load}.then((script) => ${hooks}.then(() => script.exports.serve(() => script.keepCompiledCode())));`;
  }
  const load = `import(${JSON.stringify(entry.url)})`;
  return tsEntry
    ? `${flags}${hooks}.then(() => ${load}).then((worker) => worker.serve());`
    : `${flags}${load}.then((worker) => ${hooks}.then(() => worker.serve()));`;
}
