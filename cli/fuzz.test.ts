import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FuzzReport } from '../harness/fuzz/report.ts';
import { cliArgs } from '../test/cli-bundle.ts';
import { main } from './fuzz.ts';

/**
 * The fuzz command judged by exit code, stdout and stderr. A few cases spawn it as a user runs it
 * (exit codes, the policy's own output on stderr); the rest call the same command in this process
 * (its worker and watchdog included), which spares a Node and tsx start per case.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
/** The failure database is tested on its own (cli/failure-db.test.ts); here every run is fresh. */
const NO_DB = ['--no-db'];

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function fuzz(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...cliArgs('fuzz'), ...args, ...NO_DB], {
      cwd: root,
      timeout: 50_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The command in this process, its output captured. */
async function fuzzHere(...args: string[]): Promise<Outcome> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main([...args, ...NO_DB], {
    io: { out: (text: string) => void stdout.push(text), err: (text: string) => void stderr.push(text) },
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

async function fuzzJson(
  how: typeof fuzz,
  ...args: string[]
): Promise<{ code: number; report: FuzzReport; stderr: string }> {
  const out = await how(...args, '--json');
  return { code: out.code, report: JSON.parse(out.stdout) as FuzzReport, stderr: out.stderr };
}

/** Policies written for these tests: plain ES modules, so they need no imports. */
const POLICIES: Record<string, string> = {
  'by-bucket.mjs': `let said = false;
export const policy = {
  name: 'by-bucket',
  place(p, ctx) {
    if (!said) console.log('by-bucket: first packet');
    said = true;
    const nws = ctx.workstreamCpus;
    return { cpu: nws[ctx.bucketCpu(ctx.bucketOf(p.hash)) % nws.length], mode: 'queue' };
  },
};`,
  'nan-cpu.mjs': `export default { name: 'nan-cpu', place: () => ({ cpu: Number.NaN, mode: 'queue' }) };`,
  'later-mode.mjs': `export default { name: 'later-mode', place: (_p, ctx) => ({ cpu: ctx.cpu, mode: 'later' }) };`,
  'factory-throws.mjs': `export default () => { throw new RangeError('no CPUs to spare'); };`,
  'loops.mjs': `export default { name: 'loops', place() { for (;;) {} } };`,
  'loops-while-loading.mjs': `for (;;) {}\nexport default { name: 'never', place: () => ({ cpu: 0, mode: 'queue' }) };`,
  'syntax-error.ts': `export default { name: 'broken', place( {\n`,
  'exports-nothing.ts': `export const answer = 42;\n`,
};

let dir = '';
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fuzz-cli-'));
  for (const [name, text] of Object.entries(POLICIES)) writeFileSync(file(name), text);
});

describe.concurrent('npm run fuzz', () => {
  it('exits 0 when every property holds (named export `policy`), with a clean --json document', async () => {
    const { code, report, stderr } = await fuzzJson(
      fuzz,
      file('by-bucket.mjs'),
      '--runs',
      '25',
      '--seed',
      '3',
    );
    expect(code).toBe(0);
    expect(report).toMatchObject({
      result: 'held',
      policyName: 'by-bucket',
      exportName: 'policy',
      seed: 3,
      runs: 25,
    });
    // Nothing is "held" that had nothing to judge; the default mix gives the Linux properties runs.
    expect(report.properties.every((p) => p.runs === 25 && p.exercisedRuns !== undefined)).toBe(true);
    for (const p of report.properties)
      expect(p.status).toBe((p.exercisedRuns ?? 0) > 0 ? 'held' : 'not-exercised');
    expect(report.properties.find((p) => p.name === 'linux-napi-budget')?.exercisedRuns).toBeGreaterThan(0);
    // What the policy prints goes to stderr, so stdout stays one JSON document.
    expect(stderr).toBe('by-bucket: first packet\n');
  });

  it('exits 1 on a broken policy with the shrunk counterexample, and the printed replay reproduces it', async () => {
    const html = file('round-robin.html');
    const first = await fuzzJson(
      fuzz,
      'policies/unsafe/round-robin.ts',
      '--runs',
      '200',
      '--seed',
      '11',
      '--cpus',
      '1-4',
      '--report',
      html,
    );
    expect(first.code).toBe(1);
    const v = first.report.violation;
    expect(v).toMatchObject({ property: 'flow-order', shrunk: true });
    expect(v?.counterexample.config.cpuCount).toBeGreaterThanOrEqual(2);
    expect(v?.excerpt.filter((l) => l.highlighted).map((l) => l.index)).toEqual(v?.events);
    expect(v?.netstatQ).toContain('Workstreams:');
    expect(v?.replay).toBe(
      `npm run fuzz -- policies/unsafe/round-robin.ts --seed 11 --path ${v?.path} --cpus 1-4 --property flow-order`,
    );
    // --report: the HTML timeline carries the same replay command.
    expect(readFileSync(html, 'utf8')).toContain(v?.replay);
    // The replay, as a user pastes it, prints the text report of the same violation.
    const again = await fuzzHere(...(v?.replay ?? '').split(' ').slice(4));
    expect(again.code).toBe(1);
    const parts = [
      `flow-order violated on replay  seed 11  path "${v?.path}"`,
      `${v?.rule}: ${v?.message} (trace events ${v?.events.map((i) => `#${i}`).join(', ')})`,
      `  config:   ${JSON.stringify(v?.counterexample.config)}`,
      `  schedule: ${JSON.stringify(v?.counterexample.schedule)}`,
      `netstat -Q at event #${v?.netstatAtEvent}:`,
      `replay: ${v?.replay}`,
    ];
    for (const part of parts) expect(again.stdout).toContain(part);
    for (const i of v?.events ?? []) expect(again.stdout).toMatch(new RegExp(`^  > +#${i}  `, 'm'));
  });

  it.each([
    ['nan-cpu.mjs', 'policy:cpu-not-integer'],
    ['later-mode.mjs', 'policy:unknown-mode'],
    ['factory-throws.mjs', 'policy:threw'],
  ])('reports a policy answering nonsense (%s) as %s, exit 1', async (name, rule) => {
    const { code, report } = await fuzzJson(fuzzHere, file(name), '--runs', '20', '--seed', '5');
    expect(code).toBe(1);
    expect(report.violation).toMatchObject({ property: 'policy-conformance', rule });
    expect(report.violation?.message).toMatch(/on packet [\d,]+/);
  });

  it('stops a policy that never returns and reports it timed-out with its packet, exit 1', async () => {
    const { code, report } = await fuzzJson(
      fuzzHere,
      file('loops.mjs'),
      '--runs',
      '20',
      '--seed',
      '5',
      '--timeout',
      '0.2',
    );
    expect(code).toBe(1);
    expect(report.violation).toMatchObject({
      property: 'policy-conformance',
      rule: 'policy:timed-out',
      shrunk: false,
    });
    expect(report.violation?.message).toContain('no answer within 0.2 s');
    expect(report.violation?.replay).toContain('--timeout 0.2');
  });

  it.each([
    [['no/such/policy.ts'], /^fuzz: policy file no\/such\/policy.ts: no such file$/],
    [['SYNTAX'], /^fuzz: policy file .*syntax-error.ts does not load: syntax error: line 2:\d+: /],
    [
      ['NOTHING'],
      /^fuzz: policy file .*exports-nothing.ts exports answer, none a policy: want a default export or an export named 'policy'/,
    ],
    [
      ['LOADING', '--timeout', '0.1'],
      /^fuzz: policy file .*loops-while-loading.mjs did not finish loading within 0.5 s$/,
    ],
    [['policies/flow-hash.ts', '--frobnicate'], /^fuzz: unknown option --frobnicate$/],
    [['policies/flow-hash.ts', '--runs', '-3'], /^fuzz: --runs -3: want a whole number/],
    [['policies/flow-hash.ts', '--cpus', '0'], /^fuzz: --cpus 0: want N or A-B/],
    [['policies/flow-hash.ts', '--cpus', '9-2'], /^fuzz: --cpus 9-2: want N or A-B/],
  ])('refuses bad input %j with one line on stderr, exit 2', async (argv, message) => {
    const named: Record<string, string> = {
      SYNTAX: file('syntax-error.ts'),
      NOTHING: file('exports-nothing.ts'),
      LOADING: file('loops-while-loading.mjs'),
    };
    // One case is spawned for the exit code the shell sees; the rest run in process.
    const how = argv.includes('--frobnicate') ? fuzz : fuzzHere;
    const { code, stdout, stderr } = await how(...argv.map((a) => named[a] ?? a));
    expect(code).toBe(2);
    expect(stderr.trimEnd()).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
  });
});
