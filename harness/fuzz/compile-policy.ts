import { isBuiltin } from 'node:module';
import { resolve } from 'node:path';
import { importModule } from './import-module.ts';
import { policyBuildCache, sha256Of } from './policy-build-cache.ts';

/**
 * A TypeScript policy file and the files it imports, bundled by esbuild (tsx's own compiler) into
 * one ES module and imported from memory: no loader thread, no module hooks, about 0.1 s of CPU
 * less than tsx's loader at a fuzz worker's start. `undefined` where the loader must do it:
 * - the build failed for another reason than a syntax error in the file itself (a syntax error
 *   is thrown as esbuild words it: the loader, which compiles with esbuild too, would say the same
 *   after starting its loader thread);
 * - an import of something other than a Node built-in is left (a module in memory cannot resolve
 *   a package from the file's place);
 * - the code reads `import.meta` (it would see the in-memory module, not the file);
 * - esbuild is not installed beside tsx.
 * A policy built before from the same files is taken from the build cache (policy-build-cache.ts).
 * `instance` > 0 evaluates the module anew (a URL of its own), with fresh module-level state.
 */
export async function importCompiledPolicy(
  file: string,
  instance = 0,
): Promise<Record<string, unknown> | undefined> {
  const code = await compiledPolicy(file);
  if (code === undefined) return undefined;
  const text = instance > 0 ? `${code}\n// instance ${instance}\n` : code;
  return (await importModule(
    `data:text/javascript;base64,${Buffer.from(text).toString('base64')}`,
  )) as Record<string, unknown>;
}

async function compiledPolicy(file: string): Promise<string | undefined> {
  const cache = policyBuildCache();
  const cached = cache?.read(file);
  if (cached !== undefined) return cached;
  let fileSha256: string;
  try {
    fileSha256 = sha256Of(file);
  } catch {
    return undefined;
  }
  let esbuild: typeof import('esbuild');
  try {
    esbuild = (await importModule('esbuild')) as typeof import('esbuild');
  } catch {
    return undefined;
  }
  try {
    const out = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      // Names stay as written: reports print the policy's class and function names.
      keepNames: true,
      metafile: true,
      logLevel: 'silent',
    });
    const output = Object.values(out.metafile.outputs)[0];
    const left = (output?.imports ?? []).filter((i) => !isBuiltin(i.path));
    const code = out.outputFiles[0]?.text;
    if (code === undefined || left.length > 0 || code.includes('import.meta')) return undefined;
    // esbuild names its inputs relative to its working directory.
    cache?.write(
      file,
      Object.keys(out.metafile.inputs).map((input) => resolve(input)),
      code,
      fileSha256,
    );
    return code;
  } catch (thrown) {
    if (isSyntaxErrorIn(thrown, file)) throw thrown;
    return undefined;
  } finally {
    // The build service is a child process: stopped, so the worker can end once it has answered.
    void esbuild.stop();
  }
}

/** esbuild's failure, every error of it in `file` itself and none an unresolved import. */
function isSyntaxErrorIn(thrown: unknown, file: string): boolean {
  const errors = (thrown as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return false;
  return errors.every((e: { text?: unknown; location?: { file?: unknown } | null }) => {
    const at = e.location?.file;
    return (
      typeof at === 'string' &&
      resolve(at) === resolve(file) &&
      typeof e.text === 'string' &&
      !e.text.startsWith('Could not resolve')
    );
  });
}
