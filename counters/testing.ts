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

/**
 * Runs `work` and fails if it takes longer than `budgetMs` of wall time. The vm watchdog stops
 * synchronous code too (a backtracking regex included), so a quadratic parser fails the test
 * instead of holding the worker for minutes.
 */
export function withinMs<T>(budgetMs: number, work: () => T): T {
  const box: { work: () => T; out?: T } = { work };
  runInNewContext('box.out = box.work()', { box }, { timeout: budgetMs });
  return box.out as T;
}
