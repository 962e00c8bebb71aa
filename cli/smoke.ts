import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FuzzReport } from '../harness/fuzz/report.ts';

/**
 * `npm run fuzz:smoke [-- --runs N]`: the fuzz command on every shipped policy. Each safe one in
 * policies/ must exit 0; each in policies/unsafe/ must exit 1 with a counterexample. One line per
 * policy; exit 1 on any mismatch.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const SMOKE_RUNS_DEFAULT = 300;
/** Two at a time: the machines we target have two cores. */
const PARALLEL = 2;

function policyFiles(dir: string): string[] {
  return readdirSync(join(root, dir))
    .filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !f.includes('.test.'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** Examples written for one kernel are fuzzed on it (each one's header comment says which). */
const PINNED: Readonly<Record<string, readonly string[]>> = {
  'policies/unsafe/rfs-without-qtail.ts': ['--kernel', 'linux'],
};

interface Verdict {
  readonly ok: boolean;
  readonly line: string;
}

async function smoke(file: string, expected: 0 | 1, runs: number): Promise<Verdict> {
  const started = performance.now();
  const args = [
    '--import',
    'tsx',
    'cli/fuzz.ts',
    file,
    '--runs',
    String(runs),
    '--seed',
    '1',
    '--json',
    '--no-db',
  ];
  args.push(...(PINNED[file] ?? []));
  let code = 0;
  let stdout = '';
  let stderr = '';
  try {
    ({ stdout, stderr } = await run(process.execPath, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    code = e.code ?? -1;
    stdout = e.stdout ?? '';
    stderr = e.stderr ?? '';
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  let what = stderr.trim().split('\n')[0] ?? '';
  if (code === 0 || code === 1) {
    const report = JSON.parse(stdout) as FuzzReport;
    const v = report.violation;
    what =
      v === undefined
        ? `held over ${report.runs} runs`
        : `${v.property} ${v.rule} after ${report.runs} ${report.runs === 1 ? 'run' : 'runs'}`;
  }
  const ok = code === expected;
  return {
    ok,
    line: `${ok ? 'ok  ' : 'FAIL'} ${file.padEnd(40)} exit ${code} (want ${expected})  ${what}  ${seconds} s`,
  };
}

async function main(): Promise<number> {
  const runsAt = process.argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : SMOKE_RUNS_DEFAULT;
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`fuzz:smoke: --runs ${process.argv[runsAt + 1]}: want a whole number >= 1\n`);
    return 2;
  }
  const jobs: [string, 0 | 1][] = [
    ...policyFiles('policies').map((f): [string, 0 | 1] => [f, 0]),
    ...policyFiles('policies/unsafe').map((f): [string, 0 | 1] => [f, 1]),
  ];
  let failures = 0;
  for (let i = 0; i < jobs.length; i += PARALLEL) {
    const verdicts = await Promise.all(jobs.slice(i, i + PARALLEL).map(([f, want]) => smoke(f, want, runs)));
    for (const v of verdicts) {
      process.stdout.write(`${v.line}\n`);
      if (!v.ok) failures++;
    }
  }
  process.stdout.write(`${jobs.length - failures}/${jobs.length} policies as expected\n`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fuzz:smoke: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
