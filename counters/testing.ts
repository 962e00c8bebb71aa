import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
