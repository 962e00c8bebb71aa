import { WORKER_ITSELF_MB } from '../harness/fuzz/memory-budget.ts';
import { HEAP_MB_DEFAULT, RUNS_DEFAULT } from '../harness/fuzz/options.ts';
import { CHUNK_RUNS } from '../harness/fuzz/run-set.ts';
import { SHRINK_GRACE_MS_MIN } from '../harness/fuzz/scaled.ts';
import { LOADING_BUDGET_FACTOR } from '../harness/fuzz/supervise.ts';
import { RSS_MAXCPUS } from '../model/rss/knobs.ts';
import type { PolicyErrorKind } from '../model/trace.ts';
import { PROPERTY_SUMMARIES } from '../properties/catalog.ts';
import { POLICY_ERROR_KINDS } from '../properties/policy-conformance.ts';
import {
  HEAP_MB_MAX,
  HEAP_MB_MIN,
  RUNS_MAX,
  TIMEOUT_SECONDS_DEFAULT,
  TIMEOUT_SECONDS_MAX,
  USAGE,
} from './args.ts';
import { PROGRESS_LOG_INTERVAL_MS } from './progress-log.ts';
import { DB_DEFAULT, DURATION_HOURS_MAX, SHARDS_MAX, WORKERS_MAX } from './scale-args.ts';

/** `fuzz --help`: usage, every property and policy fault in one line each, options, limits, exit codes. */
export function fuzzHelpText(): string {
  const width = Math.max(...PROPERTY_SUMMARIES.map((p) => p.name.length));
  const kinds = Object.entries(POLICY_ERROR_KINDS) as [PolicyErrorKind, string][];
  const kindWidth = Math.max(...kinds.map(([k]) => k.length)) + 'policy:'.length;
  return [
    USAGE,
    '',
    'Judges a dispatch policy (a .ts/.mts/.js/.mjs module exporting a DispatchPolicy or a (cfg) => DispatchPolicy',
    "factory, as default or as 'policy') on generated cases; the policy runs in a worker under a watchdog.",
    `Progress goes to stderr: a bar redrawn on a terminal, elsewhere (a CI log, a pipe) a plain line every`,
    `${PROGRESS_LOG_INTERVAL_MS / 1000} s; none with --json.`,
    '',
    'properties (--property NAME; all by default):',
    ...PROPERTY_SUMMARIES.map((p) => `  ${p.name.padEnd(width)}  ${p.summary}`),
    '',
    'policy faults (rule ids of policy-conformance; each reported with its packet, seed, path and replay):',
    ...kinds.map(([k, text]) => `  ${`policy:${k}`.padEnd(kindWidth)}  ${text}`),
    '',
    'options:',
    `  --runs N          generated cases, 1..${RUNS_MAX} (default ${RUNS_DEFAULT})`,
    '  --seed S          integer in -2147483648..4294967295 (default: random, printed)',
    '  --path P          replay one case (fast-check path like 11:2:1; needs --seed)',
    `  --cpus N|A-B      CPU counts to generate, within 1..${RSS_MAXCPUS} (default 1-${RSS_MAXCPUS})`,
    '  --kernel K        pin the deployment: freebsd (GENERIC), freebsd-rss (options RSS) or linux (the policy',
    '                    steers in place of RPS/RFS); default both FreeBSD flavours and one case in six on Linux',
    '  --sysctl N=V      pin a knob on every case (repeatable); names, bounds and defaults from the knob tables',
    '                    of the pinned kernel (net.core.*, rx-N/* ... with --kernel linux; masks may be 0x..)',
    '  --property NAME   only this property (repeatable); one with nothing to judge in any run warns',
    `  --timeout S       seconds one policy call may take, 0 < S <= ${TIMEOUT_SECONDS_MAX} (default ${TIMEOUT_SECONDS_DEFAULT}; loading gets ${LOADING_BUDGET_FACTOR}x)`,
    `  --heap MB         heap of the policy's worker, ${HEAP_MB_MIN}..${HEAP_MB_MAX} MiB (default ${HEAP_MB_DEFAULT}); with what`,
    `                    it keeps outside the heap (Buffers), a worker may grow the process by 2 x MB + ${WORKER_ITSELF_MB} MiB`,
    '  --json            one JSON document on stdout',
    '  --verbose         the whole trace in the report',
    '  --report F.html   an HTML timeline of the counterexample',
    '  --junit F.xml     one JUnit test case per property (a violation fails with its replay command)',
    `  --workers N       parallel workers over the seed's runs, 1..${WORKERS_MAX} (default: the machine's cores);`,
    '                    same verdict and counterexample as one worker, unless the policy keeps state outside its',
    '                    factory (each worker has its own): such a failure is replayed with --runs and --workers',
    `  --shard I/N       this CI job's share of the seed's runs (chunks of ${CHUNK_RUNS}, dealt round-robin), N <= ${SHARDS_MAX}`,
    `  --duration T      search for T (90s, 10m, 2h; at most ${DURATION_HOURS_MAX}h) instead of a run count: no run starts`,
    `                    after T (runs in progress finish), and a failure found in time is shrunk for at most T/4`,
    `                    more (at least ${SHRINK_GRACE_MS_MIN / 1000} s), then reported as far as it shrank`,
    `  --db DIR          failure database, replayed first and pruned when fixed (default ${DB_DEFAULT})`,
    '  --no-db           neither replay nor store counterexamples',
    '  -h, --help        this text',
    '',
    'exit codes: 0 every property held; 1 a property was violated or the policy misbehaved (report and replay',
    'command on stdout); 2 the policy could not be checked (bad arguments, a file that does not load, an',
    'internal error of the model), one line on stderr; 130 / 143 stopped by SIGINT / SIGTERM (runs done,',
    'seed, replay and continue commands on stdout).',
  ].join('\n');
}
