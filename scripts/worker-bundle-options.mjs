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
