import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';

/** Every real counter table kept in fixtures/, by `dir/name`. */
export function realTables(): { name: string; text: string }[] {
  const root = fileURLToPath(new URL('../fixtures/', import.meta.url));
  const dirs = ['netstat-q', 'netstat-s', 'proc-net-snmp', 'proc-net-snmp6', 'softnet-stat'];
  return dirs.flatMap((dir) => {
    let names: string[];
    try {
      names = readdirSync(`${root}${dir}`).filter((n) => n.endsWith('.txt'));
    } catch {
      return [];
    }
    return names
      .sort()
      .map((n) => ({ name: `${dir}/${n}`, text: readFileSync(`${root}${dir}/${n}`, 'utf8') }));
  });
}

export function realTable(name: string): string {
  const t = realTables().find((f) => f.name === name);
  if (t === undefined) throw new Error(`no fixture ${name}`);
  return t.text;
}

/** How much wall time a budgeted call may take on a busy machine before the watchdog stops it. */
const WALL_FACTOR = 12;

/**
 * Runs `work` and fails if it uses more than `budgetMs` of this process's CPU time: CPU time, not
 * wall time, so test files running beside it on a busy CI machine do not fail it. A vm watchdog
 * stops synchronous code (a backtracking regex included) after WALL_FACTOR times the budget, so a
 * quadratic parser fails the test instead of holding the worker for minutes.
 */
export function withinMs<T>(budgetMs: number, work: () => T): T {
  const box: { work: () => T; out?: T } = { work };
  const before = process.cpuUsage();
  runInNewContext('box.out = box.work()', { box }, { timeout: budgetMs * WALL_FACTOR });
  const used = process.cpuUsage(before);
  const usedMs = (used.user + used.system) / 1000;
  if (usedMs > budgetMs)
    throw new Error(`took ${Math.round(usedMs)} ms of CPU, over the budget of ${budgetMs} ms`);
  return box.out as T;
}
