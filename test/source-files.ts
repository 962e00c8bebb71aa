import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, and its TypeScript sources as root-relative POSIX paths. */
export const root = fileURLToPath(new URL('..', import.meta.url));

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', 'reports']);

export function tsFiles(dir: string = root): string[] {
  const out: string[] = [];
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const name of readdirSync(next)) {
      if (SKIPPED_DIRS.has(name) || name.startsWith('.')) continue;
      const path = join(next, name);
      if (statSync(path).isDirectory()) pending.push(path);
      else if (name.endsWith('.ts')) out.push(path);
    }
  }
  return out.sort();
}

export function repoPath(file: string): string {
  return relative(root, file).split(sep).join('/');
}

export function source(file: string): string {
  return readFileSync(file, 'utf8');
}
