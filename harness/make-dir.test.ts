import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDir } from './make-dir.ts';

describe('makeDir (mkdir -p that cannot loop)', () => {
  it('makes every missing level, with the mode asked; an existing directory is fine', () => {
    const root = mkdtempSync(join(tmpdir(), 'make-dir-'));
    const deep = join(root, 'a', 'b', 'c');
    makeDir(deep, 0o700);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700);
    makeDir(deep);
    makeDir(root);
  });

  it('a file in the way: the error, not a directory', () => {
    const root = mkdtempSync(join(tmpdir(), 'make-dir-'));
    writeFileSync(join(root, 'f'), '');
    expect(() => makeDir(join(root, 'f', 'sub'))).toThrow(/ENOTDIR/);
  });

  it.runIf(existsSync('/proc/self'))(
    'a place mkdir refuses with ENOENT although its parent exists (/proc): the error at once',
    () => {
      // Node 20's mkdirSync(..., { recursive: true }) retries this forever.
      expect(() => makeDir('/proc/netstack-conformance-nope/db')).toThrow(/ENOENT/);
    },
  );
});
