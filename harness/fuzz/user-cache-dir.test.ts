import { chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { userCacheDir } from './user-cache-dir.ts';

const uid = process.getuid?.();

describe('the user cache directory', () => {
  it("defaults to the user's own directory under the system's temporary directory", () => {
    expect(userCacheDir({})).toBe(join(tmpdir(), `netstack-conformance-${uid ?? 'user'}`));
  });

  it('NETSTACK_POLICY_CACHE names another (made closed to others), or turns it off', () => {
    const asked = join(mkdtempSync(join(tmpdir(), 'cache-dir-')), 'mine');
    expect(userCacheDir({ NETSTACK_POLICY_CACHE: asked })).toBe(asked);
    expect(userCacheDir({ NETSTACK_POLICY_CACHE: 'off' })).toBeUndefined();
  });

  it('a file where the directory should be: none', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cache-dir-')), 'file');
    writeFileSync(file, '');
    expect(userCacheDir({ NETSTACK_POLICY_CACHE: file })).toBeUndefined();
  });

  // Only root can give a directory to someone else.
  it.skipIf(uid !== 0)("a directory of another user's: none, though closed to others", () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cache-dir-')), 'theirs');
    expect(userCacheDir({ NETSTACK_POLICY_CACHE: dir })).toBe(dir);
    chownSync(dir, 12345, 12345);
    expect(userCacheDir({ NETSTACK_POLICY_CACHE: dir })).toBeUndefined();
  });
});
