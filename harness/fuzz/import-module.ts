/**
 * `import()` for the fuzz worker's code. The package's worker runs as a script compiled with V8's
 * code cache (worker-script.ts), where Node 20 cannot resolve an `import()` of its own (the cached
 * code loses the script's loader), so the loader module that runs it lends its own `import()`
 * under this key. Everything the worker imports (policy files, `data:` URLs, esbuild, tsx) is an
 * absolute URL or a package name, resolved alike from either place.
 */
export const HOST_IMPORT_KEY = 'netstack-conformance.import';

type HostImport = (specifier: string) => Promise<unknown>;

export function importModule(specifier: string): Promise<unknown> {
  const host = (globalThis as { [key: symbol]: unknown })[Symbol.for(HOST_IMPORT_KEY)];
  return typeof host === 'function' ? (host as HostImport)(specifier) : import(specifier);
}
