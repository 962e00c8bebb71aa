import type { Deployment } from './deployment.ts';
import type { Shard } from './run-set.ts';

/** What `npm run fuzz -- <policy-file> [options]` was asked to do, every value checked. */
export interface FuzzOptions {
  readonly policyFile: string;
  readonly runs: number;
  readonly seed: number;
  /** fast-check replay path (`11:2:1`), undefined for a fresh search. */
  readonly path: string | undefined;
  readonly cpuCountMin: number;
  readonly cpuCountMax: number;
  /** Property names, in PROPERTIES order; every property when none was named. */
  readonly properties: readonly string[];
  /** Whether --property narrowed the list (the replay command repeats it). */
  readonly propertiesNamed: boolean;
  /** Wall-clock budget of one policy call (factory, place, tick) before the watchdog stops it. */
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly reportFile: string | undefined;
  /** Heap of the fuzz worker, MiB (a policy leaking memory exhausts this, not the machine). */
  readonly heapMb?: number;
  /** The words that start the command in a replay line; `npm run fuzz --` when absent. */
  readonly command?: readonly string[];
  /** --junit: one test case per property, for CI annotation. */
  readonly junitFile?: string | undefined;
  /** --kernel / --sysctl, pinned on every generated case. */
  readonly deployment: Deployment;
  /** --workers: parallel searches over one seed's runs (split.ts), same result as one; default 1 here. */
  readonly workers?: number;
  /** --shard i/n: this CI job's share of the seed's runs (run-set.ts). */
  readonly shard?: Shard;
  /** --duration: no new chunk of runs starts after this long. */
  readonly durationMs?: number | undefined;
  /** Failure database directory (failure-db.ts); undefined with --no-db or a replay. */
  readonly db?: string | undefined;
}

/** Generated cases of a search when `--runs` is not given (cli/args.ts). */
export const RUNS_DEFAULT = 1000;

export const HEAP_MB_DEFAULT = 2048;
