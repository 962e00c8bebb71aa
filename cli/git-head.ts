import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The commit checked out in the working directory, for the report's header, read from git's own
 * files: starting `git rev-parse` blocked the command's main thread for the fork of a Node process
 * (tens of milliseconds, more on a busy machine) before its worker could start. Covers a plain
 * checkout, a linked worktree (`.git` is a file naming the git directory, refs live in the common
 * one), a detached HEAD, loose and packed refs, and `GIT_DIR`. Anything else (no repository, an
 * unborn branch, a ref format it does not know): undefined, and the header names no commit.
 */

/** As the kernel abbreviates commits (submitting-patches: at least 12 hex digits). */
export const COMMIT_DIGITS = 12;

const HASH = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The git directory of the repository holding `dir`, walking up as git does. */
function gitDirOf(dir: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.GIT_DIR !== undefined && env.GIT_DIR !== '') return resolve(dir, env.GIT_DIR);
  for (let d = resolve(dir); ; d = dirname(d)) {
    const dotGit = join(d, '.git');
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return dotGit;
      const line = read(dotGit);
      return line?.startsWith('gitdir: ') ? resolve(d, line.slice('gitdir: '.length)) : undefined;
    }
    if (dirname(d) === d) return undefined;
  }
}

/** A ref's commit: the loose ref file (in the worktree's or the common directory), else packed-refs. */
function refCommit(gitDir: string, commonDir: string, ref: string): string | undefined {
  for (const base of [gitDir, commonDir]) {
    const loose = read(join(base, ref));
    if (loose !== undefined) return loose;
  }
  for (const line of (read(join(commonDir, 'packed-refs')) ?? '').split('\n')) {
    const [hash, name] = line.split(' ');
    if (name === ref && hash !== undefined) return hash;
  }
  return undefined;
}

export function headCommit(
  dir: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  try {
    return commitOf(dir, env);
  } catch {
    return undefined;
  }
}

function commitOf(dir: string, env: NodeJS.ProcessEnv): string | undefined {
  const gitDir = gitDirOf(dir, env);
  if (gitDir === undefined) return undefined;
  const common = read(join(gitDir, 'commondir'));
  const commonDir = common === undefined ? gitDir : resolve(gitDir, common);
  const head = read(join(gitDir, 'HEAD'));
  if (head === undefined) return undefined;
  const hash = head.startsWith('ref: ') ? refCommit(gitDir, commonDir, head.slice(5).trim()) : head;
  return hash !== undefined && HASH.test(hash) ? hash.slice(0, COMMIT_DIGITS) : undefined;
}
