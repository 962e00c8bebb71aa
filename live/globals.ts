import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Cleanup } from './cleanup.ts';
import { LIVE_GLOBAL_SYSCTLS } from './config.ts';
import { pidAlive, readSysctl, writeSysctl } from './system.ts';

/** Saved values of the global sysctls a run changed, so a killed run's changes can be undone. */
export const LIVE_STATE_DIR = '/run/nsc-live';
const LOCK = `${LIVE_STATE_DIR}/globals.lock`;
const LOCK_WAIT_MS = 30_000;

const sleepMs = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Restores what a dead run saved and removes its state file. Answers the names restored. */
export function restoreStaleGlobals(): string[] {
  mkdirSync(LIVE_STATE_DIR, { recursive: true });
  const restored: string[] = [];
  for (const f of readdirSync(LIVE_STATE_DIR)) {
    const pid = /^(\d+)\.json$/.exec(f)?.[1];
    if (pid === undefined || pidAlive(Number(pid))) continue;
    const saved = JSON.parse(readFileSync(`${LIVE_STATE_DIR}/${f}`, 'utf8')) as Record<string, string>;
    for (const [name, value] of Object.entries(saved)) {
      writeSysctl(name, value);
      restored.push(name);
    }
    rmSync(`${LIVE_STATE_DIR}/${f}`);
  }
  return restored;
}

/** One run at a time changes global sysctls: a lock file holding the owner's pid. */
function takeLock(): string | undefined {
  for (let waited = 0; ; waited += 100) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return undefined;
    } catch {
      const owner = Number(readFileSync(LOCK, 'utf8').trim());
      if (!pidAlive(owner)) {
        rmSync(LOCK, { force: true });
        continue;
      }
      if (waited >= LOCK_WAIT_MS)
        return `another live run (pid ${owner}) holds the global sysctls; wait for it or run without global knobs`;
      sleepMs(100);
    }
  }
}

/**
 * Sets the global sysctls of `wanted` (model names, which are the sysctl names), saving each
 * previous value first (in memory and in the state file) and registering its restore.
 */
export function applyGlobals(wanted: Readonly<Record<string, number>>, cleanup: Cleanup): string | undefined {
  const names = LIVE_GLOBAL_SYSCTLS.filter((n) => wanted[n] !== undefined);
  if (names.length === 0) return undefined;
  const locked = takeLock();
  if (locked !== undefined) return locked;
  cleanup.add('release the global sysctl lock', () => rmSync(LOCK, { force: true }));
  const state = `${LIVE_STATE_DIR}/${process.pid}.json`;
  const saved: Record<string, string> = {};
  for (const name of names) saved[name] = readSysctl(name);
  writeFileSync(state, JSON.stringify(saved));
  cleanup.add('remove the saved sysctl values', () => rmSync(state, { force: true }));
  for (const name of names) {
    const value = wanted[name] ?? 0;
    const text = name.endsWith('bitmap') ? value.toString(16) : String(value);
    cleanup.add(`restore ${name}=${saved[name]}`, () => writeSysctl(name, saved[name] ?? ''));
    writeSysctl(name, text);
  }
  return undefined;
}
