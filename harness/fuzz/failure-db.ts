import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { makeDir } from '../make-dir.ts';
import type { Deployment } from './deployment.ts';

/**
 * The failure database: counterexamples found earlier, replayed first on the next run of the same
 * policy file (as Hypothesis replays its example database), so a fix is checked against the cases
 * that broke it before any new case is drawn. One JSON file per policy file, keyed by the file's
 * path (its content changes with the fix); an entry that passes when replayed is pruned.
 */

/** What replays one stored counterexample: the seed, its path, and what generation depended on. */
export interface StoredFailure {
  readonly seed: number;
  readonly path: string;
  readonly property: string;
  readonly cpuCountMin: number;
  readonly cpuCountMax: number;
  readonly deployment: Deployment;
}

interface DbFile {
  readonly policyFile: string;
  readonly failures: readonly StoredFailure[];
}

/** Entries kept per policy file, newest first: replaying them must stay quick. */
export const STORED_PER_POLICY_MAX = 8;

/** The file holding a policy's entries: a hash of its path as given from the working directory. */
export function dbFileOf(db: string, policyFile: string): string {
  const key = relative(process.cwd(), resolve(policyFile));
  return join(db, `${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
}

function isStored(x: unknown): x is StoredFailure {
  const f = x as Partial<StoredFailure> | null;
  return (
    typeof f?.seed === 'number' &&
    typeof f.path === 'string' &&
    /^\d+(:\d+)*$/.test(f.path) &&
    typeof f.property === 'string' &&
    typeof f.cpuCountMin === 'number' &&
    typeof f.cpuCountMax === 'number' &&
    typeof f.deployment === 'object' &&
    f.deployment !== null
  );
}

/** The stored entries (none when the file is absent or unreadable: the database is a cache). */
export function readStored(db: string, policyFile: string): StoredFailure[] {
  try {
    const doc = JSON.parse(readFileSync(dbFileOf(db, policyFile), 'utf8')) as Partial<DbFile>;
    return Array.isArray(doc.failures) ? doc.failures.filter(isStored).slice(0, STORED_PER_POLICY_MAX) : [];
  } catch {
    return [];
  }
}

const sameCase = (a: StoredFailure, b: StoredFailure) =>
  a.seed === b.seed &&
  a.path === b.path &&
  a.cpuCountMin === b.cpuCountMin &&
  a.cpuCountMax === b.cpuCountMax &&
  JSON.stringify(a.deployment) === JSON.stringify(b.deployment);

/**
 * Writes the policy's entries (removes its file when none are left). Written to a temporary name
 * and renamed, so parallel CI jobs sharing a directory never read half a file. Returns why it
 * could not, for one line on stderr: a read-only checkout must not fail the fuzz run.
 */
export function writeStored(
  db: string,
  policyFile: string,
  failures: readonly StoredFailure[],
): string | undefined {
  const file = dbFileOf(db, policyFile);
  try {
    if (failures.length === 0) {
      rmSync(file, { force: true });
      return undefined;
    }
    makeDir(db);
    const doc: DbFile = {
      policyFile: relative(process.cwd(), resolve(policyFile)),
      failures: failures.slice(0, STORED_PER_POLICY_MAX),
    };
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    renameSync(tmp, file);
    return undefined;
  } catch (thrown) {
    return `failure database ${db}: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
  }
}

/** The entries with `found` first (once). */
export function withFailure(stored: readonly StoredFailure[], found: StoredFailure): StoredFailure[] {
  return [found, ...stored.filter((s) => !sameCase(s, found))];
}

/** The entries without `fixed`. */
export function withoutFailure(stored: readonly StoredFailure[], fixed: StoredFailure): StoredFailure[] {
  return stored.filter((s) => !sameCase(s, fixed));
}
