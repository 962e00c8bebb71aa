import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fileRows, isAsked, markdownTable, mergeTable } from './mutation-table.ts';

/**
 * `npm run mutate -- [--concurrency N] [file or folder ...]`: Stryker over the named sources
 * (default: all of model/ and properties/), incremental, FC_RUNS=20; then the per-file table of
 * this run, merged into the suite-strength page so per-folder runs add up. `--concurrency` sets
 * Stryker's test runners (default: the configuration's), so runs can share a small machine.
 * Exit: Stryker's own status; 2 for a path that does not exist or a bad flag.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const REPORT = `${root}reports/mutation/mutation.json`;
const STRENGTH_DOC = `${root}docs/suite-strength.md`;

function mutateGlobs(paths: readonly string[]): string[] | string {
  const globs: string[] = [];
  for (const raw of paths) {
    const path = raw.replace(/\/+$/, '');
    if (!existsSync(`${root}${path}`)) return `mutate: ${raw}: no such file or folder`;
    globs.push(statSync(`${root}${path}`).isDirectory() ? `${path}/**/*.ts` : path);
  }
  return [...globs, '!**/*.test.ts', '!**/test/**'];
}

function parse(argv: readonly string[]): { paths: string[]; concurrency: string[] } | string {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { concurrency: { type: 'string' } },
      allowPositionals: true,
    });
    const n = values.concurrency;
    if (n === undefined) return { paths: positionals, concurrency: [] };
    if (!/^[1-9][0-9]*$/.test(n)) return `mutate: --concurrency ${n}: expected a positive integer`;
    return { paths: positionals, concurrency: ['--concurrency', n] };
  } catch (err) {
    return `mutate: ${(err as Error).message}`;
  }
}

function main(rawArgv: readonly string[]): number {
  const parsed = parse(rawArgv);
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n`);
    return 2;
  }
  const argv = parsed.paths;
  const globs = argv.length === 0 ? [] : mutateGlobs(argv);
  if (typeof globs === 'string') {
    process.stderr.write(`${globs}\n`);
    return 2;
  }
  const args = [
    'stryker',
    'run',
    ...parsed.concurrency,
    ...(globs.length > 0 ? ['--mutate', globs.join(',')] : []),
  ];
  const run = spawnSync('npx', args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FC_RUNS: process.env.FC_RUNS ?? '20' },
  });
  if (!existsSync(REPORT)) return run.status ?? 1;
  // The incremental report also carries files of earlier runs: merge only the files asked for now.
  const asked = argv.map((raw) => raw.replace(/\/+$/, ''));
  const rows = fileRows(JSON.parse(readFileSync(REPORT, 'utf8'))).filter((r) => isAsked(r.file, asked));
  const date = new Date().toISOString().slice(0, 10);
  process.stdout.write(`\n${markdownTable(rows, date)}\n`);
  writeFileSync(STRENGTH_DOC, mergeTable(readFileSync(STRENGTH_DOC, 'utf8'), rows, date));
  process.stdout.write(`\nper-file table merged into docs/suite-strength.md\n`);
  return run.status ?? 1;
}

process.exitCode = main(process.argv.slice(2));
