import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node 20's `mkdirSync(dir, { recursive: true })` never returns
 * for a path it cannot make whose parent exists (`/proc/x`: mkdir answers ENOENT and it retries
 * forever); here that is the error it is, for the caller's one line.
 */
export function makeDir(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      mkdirSync(d, mode === undefined ? undefined : { mode });
      break;
    } catch (thrown) {
      const code = (thrown as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') break;
      // The parent is missing: make it first, unless this is the root (nothing above to make).
      if (code !== 'ENOENT' || dirname(d) === d) throw thrown;
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, mode === undefined ? undefined : { mode });
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code !== 'EEXIST') throw thrown;
    }
  }
}
