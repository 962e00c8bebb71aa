import { availableParallelism } from 'node:os';
import { type Shard, WHOLE } from '../harness/fuzz/run-set.ts';
import { err, ok, type Result } from '../model/result.ts';

/** How a fuzz command spreads and bounds its work: --workers, --shard, --duration, --db / --no-db. */
export interface ScaleOptions {
  readonly workers: number;
  readonly shard: Shard;
  readonly durationMs: number | undefined;
  /** Directory of the failure database; undefined with --no-db or a replay (--path). */
  readonly db: string | undefined;
}

export const WORKERS_MAX = 256;
export const SHARDS_MAX = 1024;
/** A CI job's budget is hours, not days: a typo must not start a week-long job. */
export const DURATION_HOURS_MAX = 24;
/** Relative to the working directory, like Hypothesis's `.hypothesis/examples`. */
export const DB_DEFAULT = '.netstack-conformance/failures';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `10m`, `2h`. */
export function parseDuration(text: string): Result<number, string> {
  const m = /^(\d+)([smh])$/.exec(text);
  const ms = m === null ? 0 : Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  if (ms < 1000 || ms > DURATION_HOURS_MAX * UNIT_MS.h!)
    return err(
      `--duration ${text}: want a whole number of s, m or h like 90s, 10m, 2h (1s..${DURATION_HOURS_MAX}h)`,
    );
  return ok(ms);
}

/** `--shard 2/4`: the second of four CI jobs. */
export function parseShard(text: string): Result<Shard, string> {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || index < 1 || index > count || count > SHARDS_MAX)
    return err(`--shard ${text}: want i/n with 1 <= i <= n <= ${SHARDS_MAX}, e.g. 2/4`);
  return ok({ index, count });
}

function parseWorkers(text: string | undefined): Result<number, string> {
  if (text === undefined) return ok(availableParallelism());
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > WORKERS_MAX)
    return err(`--workers ${text}: want a whole number 1..${WORKERS_MAX}`);
  return ok(n);
}

export interface ScaleValues {
  readonly workers?: string | undefined;
  readonly shard?: string | undefined;
  readonly duration?: string | undefined;
  readonly db?: string | undefined;
  readonly 'no-db'?: boolean | undefined;
  readonly path?: string | undefined;
}

export function scaleOptions(values: ScaleValues): Result<ScaleOptions, string> {
  const workers = parseWorkers(values.workers);
  if (!workers.ok) return workers;
  const shard = values.shard === undefined ? ok(WHOLE) : parseShard(values.shard);
  if (!shard.ok) return shard;
  const duration = values.duration === undefined ? ok(undefined) : parseDuration(values.duration);
  if (!duration.ok) return duration;
  if (values.path !== undefined && (values.shard !== undefined || values.duration !== undefined))
    return err(`--path ${values.path}: replays one case; --shard and --duration search many`);
  if (values.db !== undefined && values['no-db'] === true)
    return err(`--db ${values.db} and --no-db: pick one`);
  if (values.db === '') return err('--db: want a directory');
  const db = values['no-db'] === true || values.path !== undefined ? undefined : (values.db ?? DB_DEFAULT);
  return ok({ workers: workers.value, shard: shard.value, durationMs: duration.value, db });
}
