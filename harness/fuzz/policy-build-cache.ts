import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { userCacheDir } from './user-cache-dir.ts';

/**
 * Compiled TypeScript policies kept between runs, so a fuzz worker whose policy (and every file it
 * imports) is unchanged since the last run starts without esbuild (whose build service is a child
 * process: most of a 10-run job's start). An entry is used only when every input still has the
 * content it was built from (compared by sha256 digest, not by time stamp). The cache is best effort:
 * anything amiss (no such directory, a directory not the user's own or open to others, a damaged
 * entry) means a build, never an error. `NETSTACK_POLICY_CACHE` names another directory, or `off`.
 */
export interface PolicyBuildCache {
  /** The code built from `file` when none of its inputs changed since. */
  read(file: string): string | undefined;
  /**
   * Keeps `code`, built from `inputs` (paths, `file` among them), unless `file` no longer has the
   * content `fileSha256` it had before the build.
   */
  write(file: string, inputs: readonly string[], code: string, fileSha256: string): void;
}

/** Changed whenever an entry's shape or what the build does changes. */
const ENTRY_FORMAT = 1;

interface Entry {
  readonly format: number;
  readonly file: string;
  readonly inputs: readonly { readonly path: string; readonly sha256: string }[];
  readonly code: string;
}

export function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function isEntry(x: unknown): x is Entry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Partial<Entry>;
  return (
    e.format === ENTRY_FORMAT &&
    typeof e.file === 'string' &&
    typeof e.code === 'string' &&
    Array.isArray(e.inputs) &&
    e.inputs.every((i: unknown) => {
      const input = i as { path?: unknown; sha256?: unknown } | null;
      return typeof input?.path === 'string' && typeof input.sha256 === 'string';
    })
  );
}

export function policyBuildCache(env: NodeJS.ProcessEnv = process.env): PolicyBuildCache | undefined {
  const dir = userCacheDir(env);
  if (dir === undefined) return undefined;
  const entryPath = (file: string) =>
    join(dir, `${createHash('sha256').update(resolve(file)).digest('hex').slice(0, 40)}.json`);
  return {
    read(file) {
      try {
        const entry: unknown = JSON.parse(readFileSync(entryPath(file), 'utf8'));
        if (!isEntry(entry) || entry.file !== resolve(file)) return undefined;
        return entry.inputs.every((i) => sha256Of(i.path) === i.sha256) ? entry.code : undefined;
      } catch {
        return undefined;
      }
    },
    write(file, inputs, code, fileSha256) {
      try {
        const hashed = inputs.map((path) => ({ path: resolve(path), sha256: sha256Of(path) }));
        // The file changed while it was built: the code is of the old text, the hashes of the new.
        if (hashed.find((i) => i.path === resolve(file))?.sha256 !== fileSha256) return;
        const entry: Entry = { format: ENTRY_FORMAT, file: resolve(file), inputs: hashed, code };
        const path = entryPath(file);
        // Per thread: the workers of one process (--workers) may build the same policy at once.
        const partial = `${path}.${process.pid}.${threadId}.partial`;
        writeFileSync(partial, JSON.stringify(entry), { mode: 0o600 });
        renameSync(partial, path);
      } catch {
        // Best effort: the next run builds again.
      }
    },
  };
}
