import { describe, expect, it } from 'vitest';
import type { PolicyFactory } from '../../model/policy.ts';
import { NULL_HEARTBEAT } from './heartbeat.ts';
import { type ChunkDone, searchPart } from './part.ts';
import { CHUNK_RUNS, owns, partsOf, runsOwned, shardPart } from './run-set.ts';
import type { SearchJob } from './search.ts';

describe('run split (--workers, --shard)', () => {
  it('deals every chunk of a seed to exactly one worker of exactly one shard', () => {
    const runsEnd = 37 * CHUNK_RUNS + 11;
    for (const count of [1, 3, 4])
      for (const workers of [1, 2, 5]) {
        const parts = Array.from({ length: count }, (_, i) =>
          partsOf({ index: i + 1, count }, workers),
        ).flat();
        for (let c = 0; c < 40; c++) expect(parts.filter((p) => owns(p, c))).toHaveLength(1);
        expect(parts.reduce((n, p) => n + runsOwned(p, runsEnd), 0)).toBe(runsEnd);
      }
    // A shard's workers own what the shard owns.
    const shard = { index: 2, count: 4 };
    const byWorkers = partsOf(shard, 3).reduce((n, p) => n + runsOwned(p, 1000), 0);
    expect(byWorkers).toBe(runsOwned(shardPart(shard), 1000));
    expect(runsOwned(shardPart(shard), 1000)).toBe(250);
  });

  it('searches its chunks in order and stops starting runs at the --duration deadline', () => {
    const job: SearchJob = {
      seed: 3,
      runs: 1,
      path: undefined,
      cpuCountMin: 1,
      cpuCountMax: 4,
      properties: ['policy-conformance'],
    };
    // Everything on the first netisr thread: every property of this job holds.
    const source: PolicyFactory = () => ({
      name: 'first',
      place: (_p, ctx) => ({ cpu: ctx.workstreamCpus[0] ?? ctx.cpu, mode: 'queue' }),
    });
    const chunks: ChunkDone[] = [];
    const run = { source, fallbackName: 'first', beat: NULL_HEARTBEAT };
    const part = { offset: 1, stride: 3 };
    const held = searchPart(job, { part, runsEnd: 4 * CHUNK_RUNS + 7 }, run, (c) => chunks.push(c));
    expect(chunks.map((c) => [c.start, c.runs])).toEqual([
      [CHUNK_RUNS, CHUNK_RUNS],
      [4 * CHUNK_RUNS, 7],
    ]);
    expect(held).toMatchObject({ kind: 'held', runs: CHUNK_RUNS + 7 });
    // Past the deadline the part still makes its first run, and no more: not the rest of its chunk.
    const late = searchPart(job, { part, runsEnd: 10_000, deadlineEpochMs: 0 }, run, () => {});
    expect(late).toMatchObject({ kind: 'held', runs: 1 });
  });
});
