import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dbFileOf } from '../harness/fuzz/failure-db.ts';
import type { FuzzReport } from '../harness/fuzz/report.ts';
import { main } from './fuzz.ts';

/** A policy that throws from its factory on three or more CPUs; "fixed", it does not. */
const policyText = (broken: boolean) => `export default (cfg) => {
  if (${broken} && cfg.cpuCount >= 3) throw new RangeError('written for two CPUs');
  return { name: 'two-cpus', place: (_p, ctx) => ({ cpu: ctx.workstreamCpus[0], mode: 'queue' }) };
};
`;

async function fuzz(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--json', '--property', 'policy-conformance', '--workers', '1'], {
    io: { out: (t) => void out.push(t), err: (t) => void err.push(t) },
  });
  return { code, report: JSON.parse(out.join('')) as FuzzReport, stderr: err.join('') };
}

describe('failure database (--db)', () => {
  it('stores a counterexample, replays it first on the next run, and prunes it once the policy is fixed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-db-'));
    const policy = join(dir, 'two-cpus.mjs');
    const db = join(dir, 'failures');
    writeFileSync(policy, policyText(true));

    const found = await fuzz(policy, '--seed', '1', '--runs', '50', '--db', db);
    expect(found.code).toBe(1);
    const path = found.report.violation?.path ?? '';
    expect(readdirSync(db)).toEqual([dbFileOf(db, policy).slice(db.length + 1)]);
    expect(JSON.parse(readFileSync(dbFileOf(db, policy), 'utf8')).failures).toEqual([
      { seed: 1, path, property: 'policy-conformance', cpuCountMin: 1, cpuCountMax: 64, deployment: {} },
    ]);

    // Another seed: the stored case runs first and is what is reported, with its own replay line.
    const again = await fuzz(policy, '--seed', '2', '--runs', '50', '--db', db);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`fuzz: a counterexample stored in ${db} still fails`);
    expect(again.report).toMatchObject({ seed: 1, replayedPath: path });
    expect(again.report.violation?.replay).toContain(`--seed 1 --path ${path}`);

    writeFileSync(policy, policyText(false));
    const fixed = await fuzz(policy, '--seed', '2', '--runs', '50', '--db', db);
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toBe(`fuzz: 1 stored counterexample(s) passed now: pruned from ${db}\n`);
    expect(existsSync(dbFileOf(db, policy))).toBe(false);
  });
});
