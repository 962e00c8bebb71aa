import { parseArgs } from 'node:util';
import { isLinuxDeployment, parseDeployment } from '../harness/fuzz/deployment.ts';
import { linuxCpusError } from '../harness/fuzz/linux-cpus.ts';
import { type FuzzOptions, HEAP_MB_DEFAULT, RUNS_DEFAULT } from '../harness/fuzz/options.ts';
import { err, ok, type Result } from '../model/result.ts';
import { RSS_MAXCPUS } from '../model/rss/knobs.ts';
import { PROPERTY_NAMES } from '../properties/catalog.ts';
import { joinNegativeValues, parseArgsMessage, valueFlagsOf } from './args-message.ts';
import { scaleOptions } from './scale-args.ts';

export type { FuzzOptions };

/** Runs per invocation are bounded, like everything else: a typo must not start a week-long job. */
export const RUNS_MAX = 10_000_000;
export const TIMEOUT_SECONDS_DEFAULT = 2;
export const TIMEOUT_SECONDS_MAX = 3600;
export const HEAP_MB_MIN = 64;
export const HEAP_MB_MAX = 65_536;

export const USAGE = `usage: npm run fuzz -- <policy-file> [--runs N] [--seed S] [--path P] [--cpus N|A-B]
                     [--kernel freebsd|freebsd-rss|linux] [--sysctl NAME=VALUE]...
                     [--property NAME]... [--timeout S] [--heap MB] [--json] [--verbose] [--report FILE.html] [--junit FILE.xml]
                     [--workers N] [--shard I/N] [--duration 10m] [--db DIR | --no-db]`;

const OPTIONS = {
  runs: { type: 'string' },
  seed: { type: 'string' },
  path: { type: 'string' },
  cpus: { type: 'string' },
  property: { type: 'string', multiple: true },
  kernel: { type: 'string' },
  sysctl: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  report: { type: 'string' },
  heap: { type: 'string' },
  junit: { type: 'string' },
  workers: { type: 'string' },
  shard: { type: 'string' },
  duration: { type: 'string' },
  db: { type: 'string' },
  'no-db': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A positive integer written in decimal, nothing else (`1e3`, `0x10`, `12abc` are refused). */
function positiveInt(flag: string, text: string, max: number): Result<number, string> {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) return err(`${flag} ${text}: want a whole number 1..${max}`);
  return ok(n);
}

function parseSeed(text: string): Result<number, string> {
  if (!/^-?\d+$/.test(text)) return err(`--seed ${text}: want an integer`);
  const n = Number(text);
  // fast-check folds seeds to 32 bits; refusing the rest keeps a printed seed exact.
  if (n < -(2 ** 31) || n >= 2 ** 32)
    return err(`--seed ${text}: want an integer in -2147483648..4294967295`);
  return ok(n);
}

function parsePath(text: string): Result<string, string> {
  if (!/^\d+(:\d+)*$/.test(text)) return err(`--path ${text}: want run and shrink indexes like 11:2:1`);
  return ok(text);
}

/** `--cpus 4` or `--cpus 2-8`, within 1..RSS_MAXCPUS (the model's CPU range). */
export function parseCpus(text: string): Result<{ min: number; max: number }, string> {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const want = err(`--cpus ${text}: want N or A-B with 1 <= A <= B <= ${RSS_MAXCPUS}`);
  if (m === null) return want;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min < 1 || max > RSS_MAXCPUS || min > max) return want;
  return ok({ min, max });
}

function parseTimeout(text: string): Result<number, string> {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n <= 0 || n > TIMEOUT_SECONDS_MAX) {
    return err(`--timeout ${text}: want seconds, more than 0 and at most ${TIMEOUT_SECONDS_MAX}`);
  }
  return ok(Math.round(n * 1000));
}

function parseHeap(text: string | undefined): Result<number, string> {
  if (text === undefined) return ok(HEAP_MB_DEFAULT);
  const n = positiveInt('--heap', text, HEAP_MB_MAX);
  if (n.ok && n.value < HEAP_MB_MIN) return err(`--heap ${text}: want MiB, ${HEAP_MB_MIN}..${HEAP_MB_MAX}`);
  return n;
}

function parseProperties(names: readonly string[]): Result<string[], string> {
  for (const name of names) {
    if (!PROPERTY_NAMES.includes(name)) {
      return err(`--property ${name}: no such property (have: ${PROPERTY_NAMES.join(', ')})`);
    }
  }
  return ok(PROPERTY_NAMES.filter((n) => names.length === 0 || names.includes(n)));
}

/** Every option name, so `--help` can be checked to list each one. */
export const OPTION_NAMES: readonly string[] = Object.keys(OPTIONS);

const VALUE_FLAGS = valueFlagsOf(OPTIONS);

type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;

/** What the run-shaping options parse to (everything but files and output); the first refusal. */
function searchOptions(values: ParsedValues['values'], randomSeed: () => number) {
  const runs = values.runs === undefined ? ok(RUNS_DEFAULT) : positiveInt('--runs', values.runs, RUNS_MAX);
  if (!runs.ok) return runs;
  const seed = values.seed === undefined ? ok(randomSeed()) : parseSeed(values.seed);
  if (!seed.ok) return seed;
  const path = values.path === undefined ? ok(undefined) : parsePath(values.path);
  if (!path.ok) return path;
  // A path names a case of one seed's sequence: without the seed it replays nothing.
  if (path.value !== undefined && values.seed === undefined)
    return err(`--path ${path.value}: needs the --seed it was printed with`);
  const cpus = values.cpus === undefined ? ok({ min: 1, max: RSS_MAXCPUS }) : parseCpus(values.cpus);
  if (!cpus.ok) return cpus;
  const properties = parseProperties(values.property ?? []);
  if (!properties.ok) return properties;
  const timeoutMs = parseTimeout(values.timeout ?? String(TIMEOUT_SECONDS_DEFAULT));
  if (!timeoutMs.ok) return timeoutMs;
  const heapMb = parseHeap(values.heap);
  if (!heapMb.ok) return heapMb;
  const deployment = parseDeployment(values.kernel, values.sysctl ?? []);
  if (!deployment.ok) return deployment;
  const d = deployment.value;
  const linuxCpus = isLinuxDeployment(d) ? linuxCpusError(d.sysctl, cpus.value) : undefined;
  if (linuxCpus !== undefined) return err(linuxCpus);
  return ok({
    runs: runs.value,
    seed: seed.value,
    path: path.value,
    cpus: cpus.value,
    properties: properties.value,
    timeoutMs: timeoutMs.value,
    heapMb: heapMb.value,
    deployment: deployment.value,
  });
}

/** Parsed options, or 'help'; a one-line error (exit 2). `randomSeed` is used when --seed is absent. */
export function parseFuzzArgs(
  argv: readonly string[],
  randomSeed: () => number,
): Result<FuzzOptions | 'help', string> {
  let parsed: ParsedValues;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, VALUE_FLAGS),
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
  } catch (thrown) {
    return err(parseArgsMessage(thrown));
  }
  const { values, positionals } = parsed;
  if (values.help) return ok('help');
  if (positionals.length === 0) return err('missing <policy-file>');
  if (positionals.length > 1) return err(`one policy file at a time, got ${positionals.join(' ')}`);
  const search = searchOptions(values, randomSeed);
  if (!search.ok) return search;
  const scale = scaleOptions(values);
  if (!scale.ok) return scale;
  const { seed, path, cpus, properties, timeoutMs, heapMb, deployment } = search.value;
  // --duration alone: runs until the time is up (bounded by RUNS_MAX); with --runs, whichever ends first.
  const runs =
    scale.value.durationMs !== undefined && values.runs === undefined ? RUNS_MAX : search.value.runs;
  const report = values.report;
  if (report !== undefined && !report.endsWith('.html'))
    return err(`--report ${report}: want a file name ending in .html`);
  return ok({
    policyFile: positionals[0] ?? '',
    runs,
    seed,
    path,
    cpuCountMin: cpus.min,
    cpuCountMax: cpus.max,
    properties,
    propertiesNamed: (values.property ?? []).length > 0,
    timeoutMs,
    json: values.json === true,
    verbose: values.verbose === true,
    reportFile: report,
    heapMb,
    junitFile: values.junit,
    ...scale.value,
    deployment,
  });
}
