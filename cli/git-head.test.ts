import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMIT_DIGITS, headCommit } from './git-head.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'git-head-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A repository's git directory by hand: `files` relative to it. */
function gitDir(root: string, files: Record<string, string>, at = '.git'): string {
  const dir = join(root, at);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const noEnv = {};

describe('the checked-out commit, read from git files', () => {
  it('agrees with git itself: a branch, its packed ref, a linked worktree, a detached HEAD', () => {
    const repo = tmp();
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, ...args], {
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'n',
          GIT_AUTHOR_EMAIL: 'n@example.org',
          GIT_COMMITTER_NAME: 'n',
          GIT_COMMITTER_EMAIL: 'n@example.org',
        },
      }).trim();
    git('init', '-q', '-b', 'main');
    git('commit', '-q', '--allow-empty', '-m', 'one');
    const one = git('rev-parse', 'HEAD');
    expect(headCommit(repo, noEnv)).toBe(one.slice(0, COMMIT_DIGITS));
    mkdirSync(join(repo, 'sub', 'deeper'), { recursive: true });
    expect(headCommit(join(repo, 'sub', 'deeper'), noEnv)).toBe(one.slice(0, 12));
    git('pack-refs', '--all');
    expect(headCommit(repo, noEnv)).toBe(one.slice(0, 12));
    git('commit', '-q', '--allow-empty', '-m', 'two');
    const two = git('rev-parse', 'HEAD');
    const linked = join(tmp(), 'linked');
    git('worktree', 'add', '-q', '--detach', linked, one);
    expect([headCommit(repo, noEnv), headCommit(linked, noEnv)]).toEqual([
      two.slice(0, 12),
      one.slice(0, 12),
    ]);
  });

  it('reads loose refs before packed ones, in the worktree then the common directory', () => {
    const root = tmp();
    gitDir(root, {
      HEAD: 'ref: refs/heads/x\n',
      'refs/heads/x': `${A}\n`,
      'packed-refs': `${B} refs/heads/x\n`,
    });
    expect(headCommit(root, noEnv)).toBe(A.slice(0, 12));
    const packedOnly = tmp();
    gitDir(packedOnly, {
      HEAD: 'ref: refs/heads/y\n',
      'packed-refs': `# pack-refs\n${A} refs/heads/x\n${B} refs/heads/y\n`,
    });
    expect(headCommit(packedOnly, noEnv)).toBe(B.slice(0, 12));
    const work = tmp();
    const common = gitDir(work, { 'packed-refs': `${A} refs/heads/z\n` }, 'common');
    gitDir(work, { HEAD: 'ref: refs/heads/z\n', commondir: `${common}\n` }, 'wt-git');
    writeFileSync(join(work, '.git'), 'gitdir: wt-git\n');
    expect(headCommit(work, noEnv)).toBe(A.slice(0, 12));
  });

  it('GIT_DIR names the git directory, relative to the working directory', () => {
    const root = tmp();
    gitDir(root, { HEAD: `${B}\n` }, 'elsewhere');
    expect(headCommit(root, { GIT_DIR: 'elsewhere' })).toBe(B.slice(0, 12));
    expect(headCommit(root, { GIT_DIR: '' })).toBeUndefined();
  });

  it('names no commit where there is none to name', () => {
    const none = tmp();
    const unborn = tmp();
    gitDir(unborn, { HEAD: 'ref: refs/heads/main\n' });
    const garbage = tmp();
    gitDir(garbage, { HEAD: 'not a hash\n' });
    const badLink = tmp();
    writeFileSync(join(badLink, '.git'), 'something else\n');
    const noHead = tmp();
    gitDir(noHead, { config: '' });
    expect([none, unborn, garbage, badLink, noHead].map((d) => headCommit(d, noEnv))).toEqual(
      Array(5).fill(undefined),
    );
  });
});
