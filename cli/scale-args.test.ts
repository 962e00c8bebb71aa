import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { errorOf, unwrap } from '../model/result.ts';
import { parseFuzzArgs, RUNS_MAX } from './args.ts';
import { DB_DEFAULT } from './scale-args.ts';

const parse = (...argv: string[]) => parseFuzzArgs(argv, () => 1);
const options = (...argv: string[]) => {
  const o = unwrap(parse(...argv));
  if (o === 'help') throw new Error('help');
  return o;
};

describe('fuzz arguments: --workers, --shard, --duration, --db', () => {
  it('defaults: the machine cores, the whole seed, a run count, the database in the working directory', () => {
    expect(options('p.ts')).toMatchObject({
      workers: availableParallelism(),
      shard: { index: 1, count: 1 },
      durationMs: undefined,
      db: DB_DEFAULT,
    });
  });

  it('takes them, --duration alone searching until the time is up and a replay using no database', () => {
    expect(
      options('p.ts', '--workers', '3', '--shard', '2/4', '--duration', '10m', '--db', 'x'),
    ).toMatchObject({
      workers: 3,
      shard: { index: 2, count: 4 },
      durationMs: 600_000,
      runs: RUNS_MAX,
      db: 'x',
    });
    expect(options('p.ts', '--duration', '90s', '--runs', '50')).toMatchObject({
      durationMs: 90_000,
      runs: 50,
    });
    expect(options('p.ts', '--duration', '2h').durationMs).toBe(7_200_000);
    expect(options('p.ts', '--no-db').db).toBeUndefined();
    expect(options('p.ts', '--seed', '1', '--path', '3:1').db).toBeUndefined();
  });

  it.each([
    [['--workers', '0'], /^--workers 0: want a whole number 1\.\.256$/],
    [['--shard', '3/2'], /^--shard 3\/2: want i\/n with 1 <= i <= n <= 1024, e\.g\. 2\/4$/],
    [['--shard', '0/4'], /^--shard 0\/4: /],
    [
      ['--duration', '10'],
      /^--duration 10: want a whole number of s, m or h like 90s, 10m, 2h \(1s\.\.24h\)$/,
    ],
    [['--duration', '25h'], /^--duration 25h: /],
    [['--duration', '0s'], /^--duration 0s: /],
    [['--db', 'x', '--no-db'], /^--db x and --no-db: pick one$/],
    [['--seed', '1', '--path', '2', '--shard', '1/2'], /^--path 2: replays one case; --shard and --duration/],
  ])('refuses %j in one line', (argv, message) => {
    expect(errorOf(parse('p.ts', ...argv))).toMatch(message);
  });
});
