import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FC_RUNS_DEFAULT, fcParams } from '../harness/fc-runs.ts';

describe('replaying a counterexample from FC_SEED and FC_PATH', () => {
  const property = fc.property(fc.array(fc.nat(1000)), (xs) => xs.every((x) => x < 700));

  it('pins nothing without FC_SEED', () => {
    expect(fcParams({})).toEqual({ numRuns: FC_RUNS_DEFAULT });
    expect(fcParams({ FC_SEED: '12abc', FC_PATH: '1:2' })).toEqual({ numRuns: FC_RUNS_DEFAULT });
  });

  it('reruns exactly the shrunk counterexample of a failure, in one run', () => {
    const first = fc.check(property, { seed: 4242 });
    expect(first.failed).toBe(true);
    const replay = fc.check(
      property,
      fcParams({ FC_SEED: String(first.seed), FC_PATH: first.counterexamplePath ?? '' }),
    );
    expect(replay.failed).toBe(true);
    expect(replay.numRuns).toBe(1);
    expect(replay.counterexample).toEqual(first.counterexample);
  });

  it('applies the profile and the replay to tests that pass no parameters (test/fc-setup.ts)', () => {
    expect(fc.readConfigureGlobal().numRuns).toBe(fcParams().numRuns);
  });
});
