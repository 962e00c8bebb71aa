import { lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDir } from '../make-dir.ts';

/**
 * The directory the fuzz command keeps its builds in between runs (compiled TypeScript policies,
 * policy-build-cache.ts; the fuzz worker's compiled code, worker-script.ts): the user's own,
 * closed to others, or `undefined` if it cannot be had. `NETSTACK_POLICY_CACHE` names another
 * directory, or `off`. Both caches hold code that runs, so a directory someone else made (or can
 * write to) is never used.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const asked = env.NETSTACK_POLICY_CACHE;
  if (asked === 'off') return undefined;
  const uid = process.getuid?.();
  const dir = asked ?? join(tmpdir(), `netstack-conformance-${uid ?? 'user'}`);
  try {
    makeDir(dir, 0o700);
    const st = lstatSync(dir);
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0)
      return undefined;
    return dir;
  } catch {
    return undefined;
  }
}
