import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FuzzReport } from '../harness/fuzz/report.ts';
import { main } from './fuzz.ts';

/**
 * --workers and --shard against one worker, in process (the workers and watchdogs are real). The
 * policy fails only on 37 or 41 CPUs: with seed 6 the first such case is run 85, in the second
 * chunk of 50 runs, which the second of two workers (and shard 2/2) owns, so the merge has to wait
 * for the first worker's chunks below it and drop what lies past it.
 */
const RARE = `export default (cfg) => {
  if (cfg.cpuCount === 37 || cfg.cpuCount === 41) throw new RangeError('no table for ' + cfg.cpuCount + ' CPUs');
  return { name: 'rare', place: (_p, ctx) => ({ cpu: ctx.workstreamCpus[0], mode: 'queue' }) };
};
`;

/** A policy that holds (flow-hash.ts as a plain ES module: its workers need no TypeScript loader). */
const HOLDS = `export default { name: 'by-bucket', place(p, ctx) {
  const nws = ctx.workstreamCpus;
  return { cpu: nws[ctx.bucketCpu(ctx.bucketOf(p.hash)) % nws.length], mode: 'queue' };
} };
`;

let rare = '';
let holds = '';

async function report(...args: string[]): Promise<{ code: number; report: FuzzReport }> {
  const out: string[] = [];
  const code = await main([...args, '--json', '--no-db'], {
    io: { out: (t) => void out.push(t), err: () => {} },
  });
  return { code, report: JSON.parse(out.join('')) as FuzzReport };
}

/** The report without what a clock decides. */
const timeless = (r: FuzzReport) => ({ ...r, elapsedMs: 0 });

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-scale-'));
  rare = join(dir, 'rare.mjs');
  holds = join(dir, 'holds.mjs');
  writeFileSync(rare, RARE);
  writeFileSync(holds, HOLDS);
});

describe.concurrent('fuzz over several workers and CI shards', () => {
  const failing = () => ['--seed', '6', '--runs', '200', '--property', 'policy-conformance'];

  it('--workers 2 reports what --workers 1 reports for the same seed: a failing policy', async () => {
    const [one, two] = await Promise.all([
      report(rare, ...failing(), '--workers', '1'),
      report(rare, ...failing(), '--workers', '2'),
    ]);
    expect(one.code).toBe(1);
    expect(one.report.runs).toBe(86);
    expect(one.report.violation?.path).toMatch(/^85:/);
    // Every run dispatched a packet, the failing one (whose factory threw) included.
    expect(one.report.properties[0]?.exercisedRuns).toBe(86);
    expect(timeless(two.report)).toEqual(timeless(one.report));
    expect(two.code).toBe(1);
  });

  it('--workers 2 reports what --workers 1 reports for the same seed: a policy that holds', async () => {
    const args = [holds, '--seed', '9', '--runs', '160', '--cpus', '1-8'];
    const [one, two] = await Promise.all([
      report(...args, '--workers', '1'),
      report(...args, '--workers', '2'),
    ]);
    expect(one.code).toBe(0);
    expect(one.report.runs).toBe(160);
    expect(timeless(two.report)).toEqual(timeless(one.report));
  });

  it('--shard: the jobs of a matrix search disjoint runs, and the one owning the failure replays the same case', async () => {
    const [first, second] = await Promise.all([
      report(rare, ...failing(), '--shard', '1/2', '--workers', '2'),
      report(rare, ...failing(), '--shard', '2/2'),
    ]);
    // Shard 1/2 owns chunks 0 and 2 (runs 0-49, 100-149): half of the 200 runs, no failure.
    expect(first.code).toBe(0);
    expect(first.report.runs).toBe(100);
    expect(second.code).toBe(1);
    // The path is the seed's, not the shard's: the replay line needs no --shard.
    const path = second.report.violation?.path ?? '';
    expect(path).toMatch(/^85:/);
    expect(second.report.violation?.replay).toBe(
      `npm run fuzz -- ${rare} --seed 6 --path ${path} --property policy-conformance`,
    );
    // Its own runs up to the failing one: runs 50-85.
    expect(second.report.runs).toBe(36);
  });
});
