/**
 * esbuild's options for the fuzz worker bundle: `finish-build.mjs` builds the package's worker
 * with them, and `bench/fuzz-rate.ts` measures code bundled the same way. Packages stay external,
 * as in the installed package. No `keepNames`: it wraps every function, closures made per run
 * among them, in a call that redefines its name (about 4% of a fuzz run); nothing reads them.
 */
export const WORKER_BUNDLE_OPTIONS = Object.freeze({
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  keepNames: false,
  logLevel: 'error',
});

/**
 * The fuzz worker as the package runs it: one CommonJS script (fast-check inside it) that
 * harness/fuzz/worker-script.ts compiles with V8's code cache, which ES modules cannot be given
 * on Node 20. esbuild and tsx stay outside (loaded only for a policy that needs them). `esmName`
 * is the worker module the script stands for, beside it: what its `import.meta.url` says (the
 * policy hooks are found beside that).
 */
export function workerScriptOptions(esmName) {
  const { packages: _allExternal, ...shared } = WORKER_BUNDLE_OPTIONS;
  return Object.freeze({
    ...shared,
    format: 'cjs',
    external: ['esbuild', 'tsx', 'tsx/*'],
    define: { 'import.meta.url': '__workerModuleUrl' },
    banner: {
      js: `const __workerModuleUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(esmName)})).href;`,
    },
  });
}
