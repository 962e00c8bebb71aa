import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { threadId } from 'node:worker_threads';
import { HOST_IMPORT_KEY } from './import-module.ts';
import { userCacheDir } from './user-cache-dir.ts';

/**
 * The fuzz worker bundle (CommonJS, scripts/worker-bundle-options.mjs) compiled with V8's code
 * cache. Every fuzz worker is a fresh V8 isolate that would otherwise parse and compile the model,
 * the checkers and fast-check again, and compile each function again on its first call: with the
 * code a worker compiled by the end of its first job, a 10-run job's worker starts in about a
 * quarter less CPU (bench, section 2). The cached code is made by the first worker that finds none
 * (or finds it rejected: another Node, another bundle) and kept in the user's cache directory
 * (user-cache-dir.ts), named by the digest of the bundle's text and the Node version and
 * architecture: V8 checks only the source's length and its own flags, so a changed bundle of the
 * same length must never meet old code. Anything amiss means compiling as before, never an error.
 */
export interface WorkerScript {
  /** What the bundle exports (worker.ts: `serve`). */
  readonly exports: Record<string, unknown>;
  /** Whether V8 compiled the bundle without cached code (none kept, or rejected). */
  readonly compiledWithoutCache: boolean;
  /** Keeps the code compiled so far for the next worker, if it compiled without cache. */
  keepCompiledCode(): void;
}

/**
 * Names the cached code of `source` (its text, or the UTF-8 bytes of it) on this Node, compiled
 * under `compilerFlags` (the V8 flags the worker set, compiler-flags.ts; V8 refuses code cached
 * under other flags, so a tuned and an untuned worker each keep their own).
 */
export function compiledCodeName(source: string | Uint8Array, compilerFlags = ''): string {
  const digest = createHash('sha256')
    .update(`${process.version}\0${process.arch}\0`)
    .update(compilerFlags === '' ? '' : `${compilerFlags}\0`)
    .update(source)
    .digest('hex');
  return `worker-${digest.slice(0, 40)}.v8code`;
}

/** Cached code kept: the newest few (the package's worker and a checkout's, across an upgrade). */
export const COMPILED_CODE_KEPT = 4;

/** Removes all but the newest COMPILED_CODE_KEPT entries of cached code (and stale partial writes). */
export function pruneCompiledCode(dir: string): void {
  const entries = readdirSync(dir)
    .filter((name) => /^worker-[0-9a-f]{40}\.v8code/.test(name))
    .map((name) => ({ path: join(dir, name), mtimeMs: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { path } of entries.slice(COMPILED_CODE_KEPT)) unlinkSync(path);
}

function readIfPresent(path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

export function loadWorkerScript(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  compilerFlags = '',
): WorkerScript {
  // Read as bytes and named from them: the digest of a string encodes it to UTF-8 first, and
  // reading with 'utf8' decodes more slowly than toString does (together ~6 ms of a worker's start).
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  const dir = userCacheDir(env);
  const codePath = dir === undefined ? undefined : join(dir, compiledCodeName(bytes, compilerFlags));
  const cachedData = readIfPresent(codePath);
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  // The script's own import() would fail (import-module.ts): it imports through this module.
  const hostImport = Symbol.for(HOST_IMPORT_KEY);
  if (!Object.hasOwn(globalThis, hostImport))
    Object.defineProperty(globalThis, hostImport, { value: (specifier: string) => import(specifier) });
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const compiledWithoutCache = cachedData === undefined || script.cachedDataRejected === true;
  let kept = false;
  return {
    exports: module.exports,
    compiledWithoutCache,
    keepCompiledCode() {
      if (!compiledWithoutCache || kept || codePath === undefined) return;
      kept = true;
      try {
        const partial = `${codePath}.${process.pid}.${threadId}.partial`;
        writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
        renameSync(partial, codePath);
        pruneCompiledCode(dirname(codePath));
      } catch {
        // Best effort: the next worker compiles without it.
      }
    },
  };
}
