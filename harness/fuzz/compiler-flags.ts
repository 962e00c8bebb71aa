import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags the fuzz search runs under. Without TurboFan's inlining a fuzz worker compiles less and
 * deoptimizes less: the model, the checkers and fast-check are large, polymorphic code, and a
 * caller that inlined a callee is thrown away and compiled again whenever that callee meets a
 * new object shape. Measured on the bundled search loop (flow-hash.ts, every property): the
 * first 1,000 runs 502-551 -> 659-672 runs per CPU second, the first 2,000 639-711 -> 775-904, the
 * settled rate after them about 1,930 -> 2,140 (median of four alternated processes each);
 * instructions over 1,500 runs 11.41 G -> 9.90 G (callgrind, `--single-threaded`). A job of the
 * default 1,000 runs is all warm-up; long searches keep V8's defaults (COMPILER_FLAGS_RUNS_MAX).
 * docs/performance.md, fourteenth pass.
 */
export const FUZZ_V8_FLAGS: readonly string[] = ['--no-turbo-inlining'];

/**
 * The longest search (in runs, over all workers) that gets FUZZ_V8_FLAGS. Past the warm-up,
 * code compiled with inlining runs a little faster, and on long searches that wins: 12,000 runs
 * on one worker took 6.9-7.5 s with V8's defaults and 7.7-8.2 s without inlining, where 8,000 runs
 * on two workers (4,000 each) took 5.4 s and 5.0 s, and the default 1,000 runs 1.92 s and 1.64 s.
 * A `--duration` search without `--runs` counts as RUNS_MAX runs.
 */
export const COMPILER_FLAGS_RUNS_MAX = 5000;

/** Whether a search of `runs` runs (a worker's job, or the command's `--runs`) gets FUZZ_V8_FLAGS. */
export function tunesCompiler(runs: number): boolean {
  return runs <= COMPILER_FLAGS_RUNS_MAX;
}

/**
 * Sets FUZZ_V8_FLAGS for the whole process (V8's flags belong to the process, not to a thread; a
 * worker's `execArgv` takes none). `set` is V8's setter (tests pass their own).
 */
export function useFuzzCompilerFlags(set: (flag: string) => void = setFlagsFromString): void {
  for (const flag of FUZZ_V8_FLAGS) set(flag);
}

/**
 * The same as statements of a fuzz worker's bootstrap (worker-bootstrap.ts): set in the worker,
 * after Node has booted it and the bundle's loader is in, before the bundle is compiled. V8
 * refuses cached code made under other flags: Node's own modules come with code cached when node
 * was built, so the later the better (set before the worker booted, the flags cost a 10-run job
 * 28 ms of its start; first thing in the worker 5 to 11; after the loader 0 to 4), and the
 * bundle's own code cache is kept per set of flags (worker-script.ts).
 */
export function compilerFlagsSource(): string {
  const statement = (flag: string) => `require('node:v8').setFlagsFromString(${JSON.stringify(flag)});`;
  return FUZZ_V8_FLAGS.map(statement).join('');
}
