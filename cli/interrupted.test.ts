import { describe, expect, it } from 'vitest';
import type { HeartbeatReading } from '../harness/fuzz/heartbeat.ts';
import type { FuzzOptions } from '../harness/fuzz/options.ts';
import { RUNS_MAX } from './args.ts';
import { interrupted } from './interrupted.ts';

/** The continue line after a signal, for the ways a search can be bounded (run count, shard, time). */
const base: FuzzOptions = {
  policyFile: 'p.ts',
  runs: 1000,
  seed: 7,
  path: undefined,
  cpuCountMin: 1,
  cpuCountMax: 64,
  properties: ['flow-order'],
  propertiesNamed: false,
  timeoutMs: 2000,
  json: false,
  verbose: false,
  reportFile: undefined,
  deployment: {},
};

const reading = (runsDone: number): HeartbeatReading => ({
  kind: 0,
  callSeq: 0,
  runsDone,
  shrinks: 0,
  callInRun: 0,
  pkt: 0,
  flow: 0,
  cpu: 0,
  path: String(runsDone),
});

function continueLine(opts: FuzzOptions, done: number, elapsedMs: number): string | undefined {
  const out: string[] = [];
  const code = interrupted(
    { out: (t) => void out.push(t), err: () => {} },
    opts,
    { kind: 'interrupted', signal: 'SIGINT', reading: reading(done) },
    elapsedMs,
  );
  expect(code).toBe(130);
  return out
    .join('')
    .split('\n')
    .find((l) => l.startsWith('continue the search:'));
}

describe('the continue line after Ctrl-C', () => {
  it('goes on from the next run for the runs left', () => {
    expect(continueLine(base, 300, 1000)).toBe(
      'continue the search:        npm run fuzz -- p.ts --seed 7 --path 300 --runs 700',
    );
    expect(continueLine(base, 1000, 1000)).toBeUndefined();
  });

  it('runs a shard again (its runs are not one range of the seed), with its own bounds', () => {
    expect(continueLine({ ...base, shard: { index: 2, count: 4 } }, 300, 1000)).toBe(
      'continue the search:        npm run fuzz -- p.ts --seed 7 --shard 2/4 --runs 1000',
    );
    const timed = { ...base, runs: RUNS_MAX, durationMs: 600_000, shard: { index: 1, count: 2 } };
    expect(continueLine(timed, 300, 1000)).toBe(
      'continue the search:        npm run fuzz -- p.ts --seed 7 --shard 1/2 --duration 600s',
    );
  });

  it('goes on for the time a --duration search had left', () => {
    const timed = { ...base, runs: RUNS_MAX, durationMs: 60_000 };
    expect(continueLine(timed, 300, 20_500)).toBe(
      'continue the search:        npm run fuzz -- p.ts --seed 7 --path 300 --duration 40s',
    );
    expect(continueLine(timed, 300, 61_000)).toBeUndefined();
  });
});
