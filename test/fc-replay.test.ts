import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayParameters } from './fc-replay.ts';

describe('replaying a counterexample from FC_SEED and FC_PATH', () => {
  const property = fc.property(fc.array(fc.nat(1000)), (xs) => xs.every((x) => x < 700));

  it('pins nothing without FC_SEED', () => {
    expect(replayParameters({})).toEqual({});
    expect(replayParameters({ FC_SEED: '' })).toEqual({});
  });

  it('reruns exactly the shrunk counterexample of a failure, in one run', () => {
    const first = fc.check(property, { seed: 4242 });
    expect(first.failed).toBe(true);
    const replay = fc.check(
      property,
      replayParameters({ FC_SEED: String(first.seed), FC_PATH: first.counterexamplePath ?? '' }),
    );
    expect(replay.failed).toBe(true);
    expect(replay.numRuns).toBe(1);
    expect(replay.counterexample).toEqual(first.counterexample);
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => replayParameters({ FC_SEED: '12abc' })).toThrow(/FC_SEED must be an integer/);
  });
});
