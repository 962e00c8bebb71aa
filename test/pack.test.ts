import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as a policy author gets it: `npm pack`, installed from the tarball into a project
 * outside this repository (no "type": "module" there, so its .ts files default to CommonJS), a
 * policy file written against the exported types, fuzzed with `npx netstack-conformance fuzz`.
 * It packs, builds and installs (tens of seconds), so it runs under CI=true or
 * NETSTACK_REQUIRE_PACK=1 (.ci/run sets it) and is skipped otherwise.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const exec = promisify(execFile);
const REQUIRED = process.env.CI === 'true' || process.env.NETSTACK_REQUIRE_PACK === '1';

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function sh(cmd: string, args: readonly string[], cwd: string): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(cmd, [...args], { cwd, timeout: 240_000, maxBuffer: 32 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const POLICY = `import type { DispatchContext, DispatchPolicy, PacketView } from 'netstack-conformance';

const spread: number = await Promise.resolve(1);

const policy: DispatchPolicy = {
  name: 'my-policy',
  place(pkt: PacketView, ctx: DispatchContext) {
    const nws = ctx.workstreamCpus;
    return { cpu: nws[ctx.bucketCpu(ctx.bucketOf(pkt.hash)) % nws.length] ?? ctx.cpu, mode: 'queue' };
  },
};
export default spread > 0 ? policy : policy;
`;

const BROKEN = `import type { DispatchPolicy } from 'netstack-conformance';
export default { name: 'anywhere', place: (_p, ctx) => ({ cpu: ctx.cpuCount, mode: 'queue' }) } satisfies DispatchPolicy;
`;

const suite = REQUIRED ? describe : describe.skip;

suite('npm pack, install into a project of its own, npx netstack-conformance', () => {
  let project = '';
  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'netstack-pack-'));
    const packed = await sh('npm', ['pack', '--json', '--pack-destination', work], root);
    expect(packed.code, packed.stderr).toBe(0);
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    project = join(work, 'my-project');
    await sh('mkdir', ['-p', project], work);
    writeFileSync(join(project, 'package.json'), '{ "name": "my-project", "private": true }\n');
    const installed = await sh(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, filename)],
      project,
    );
    expect(installed.code, installed.stderr).toBe(0);
    writeFileSync(join(project, 'my-policy.ts'), POLICY);
    writeFileSync(join(project, 'broken.ts'), BROKEN);
  }, 300_000);

  it('fuzzes a policy file of the project: exit 0', async () => {
    const r = await sh(
      'npx',
      ['netstack-conformance', 'fuzz', './my-policy.ts', '--runs', '20', '--seed', '1'],
      project,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^fuzz \.\/my-policy\.ts \(policy my-policy, default export\) {2}seed 1 {2}cpus 1-64 {2}/,
    );
  });

  it('reports a broken one with a replay command that works there: exit 1', async () => {
    const args = [
      'netstack-conformance',
      'fuzz',
      './broken.ts',
      '--runs',
      '20',
      '--seed',
      '1',
      '--property',
      'policy-conformance',
    ];
    const r = await sh('npx', args, project);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}policy:cpu-out-of-range: policy anywhere on packet [\d,]+/m);
    const replay = /^replay: npx (.*)$/m.exec(r.stdout)?.[1] ?? '';
    expect(replay).toMatch(
      /^netstack-conformance fuzz \.\/broken\.ts --seed 1 --path [\d:]+ --property policy-conformance$/,
    );
    const again = await sh('npx', replay.split(' '), project);
    expect(again.code).toBe(1);
  });

  it('exports the policy types: the policy file type-checks against the installed package', async () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const opts = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
    ];
    const r = await sh(process.execPath, [tsc, ...opts, 'my-policy.ts'], project);
    // Top-level await needs an ES module: tsc says so for a .ts in a CommonJS project, nothing else.
    expect(
      r.stdout
        .split('\n')
        .filter((l) => l.includes('error') && !l.includes('TS1378') && !l.includes('TS1309')),
    ).toEqual([]);
    // ...and the types have teeth: a bare number is not a CpuId.
    const broken = await sh(process.execPath, [tsc, ...opts, 'broken.ts'], project);
    expect(broken.stdout).toContain("error TS2322: Type 'number' is not assignable to type 'CpuId'");
  });

  it('runs check-counters, and live when this version has it', async () => {
    const r = await sh('npx', ['netstack-conformance', 'check-counters', 'my-policy.ts'], project);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(
      /^check-counters: line 1: "import type .*" is not part of a counter table/,
    );
    const live = await sh('npx', ['netstack-conformance', 'live'], project);
    expect([0, 2]).toContain(live.code);
  });
});

if (!REQUIRED) {
  console.warn(
    'test/pack.test.ts skipped: npm pack + install takes about 15 s; set NETSTACK_REQUIRE_PACK=1 or CI=true to run it',
  );
}
