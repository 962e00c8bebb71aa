import { readFileSync } from 'node:fs';
/**
 * Timing for benchmarks (never used by the model). The functions being compared are timed in
 * alternation, round after round, and each one's median per-call time is reported: on a shared
 * machine a neighbour's burst then hits both sides of a ratio alike, and a stray garbage
 * collection does not move a median. The clock is this process's CPU time (user + system) by
 * default, which time slicing on a busy machine does not inflate; `wall` is the wall clock.
 */
export interface TimingOptions {
  /** Rounds of alternation. @defaultValue 7 */
  readonly rounds?: number;
  /** Each timed sample repeats the call until it lasts at least this long. @defaultValue 50 */
  readonly sampleMsMin?: number;
  /** @defaultValue 'cpu' */
  readonly clock?: 'cpu' | 'wall';
}

/**
 * CPU milliseconds of this process's main (JavaScript) thread alone, where Linux tells
 * (/proc/self/task/<pid>/stat, utime + stime in clock ticks, taken as 100 per second); undefined
 * elsewhere. The process clock also counts V8's own threads: the optimizing compiler and the
 * garbage collector's helpers.
 */
export function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name in parentheses (which may hold spaces): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds on the chosen clock. */
export function nowMs(clock: 'cpu' | 'wall'): number {
  if (clock === 'wall') return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Calls per sample so that one sample lasts about `sampleMsMin` (measured after a warm-up call). */
function callsPerSample(fn: () => unknown, sampleMsMin: number, clock: 'cpu' | 'wall'): number {
  fn();
  const start = nowMs(clock);
  fn();
  const ms = Math.max(nowMs(clock) - start, 0.001);
  return Math.max(1, Math.ceil(sampleMsMin / ms));
}

/** Milliseconds of one call, after a warm-up call (the median of three). */
function msPerCall(fn: () => unknown, clock: 'cpu' | 'wall'): number {
  fn();
  const ms = [0, 1, 2].map(() => {
    const start = nowMs(clock);
    fn();
    return Math.max(nowMs(clock) - start, 0.001);
  });
  return median(ms);
}

/** Median milliseconds per call of each function, timed in alternation. */
export function interleavedMedianMs(fns: readonly (() => unknown)[], options: TimingOptions = {}): number[] {
  return interleavedSamplesMs(fns, options).map(median);
}

/** Milliseconds per call of each function in every round (samples[fn][round]), timed in alternation. */
export function interleavedSamplesMs(
  fns: readonly (() => unknown)[],
  options: TimingOptions = {},
): number[][] {
  return interleavedFreshSamplesMs(
    fns.map((fn) => () => fn),
    (fn) => fn(),
    options,
  );
}

/**
 * Like interleavedSamplesMs, `run` on a fresh input for every call: each sample's inputs are made
 * (by `inputs[i]`) before its clock starts, so making them is not counted.
 */
export function interleavedFreshSamplesMs<T>(
  inputs: readonly (() => T)[],
  run: (input: T) => unknown,
  options: TimingOptions = {},
): number[][] {
  const rounds = options.rounds ?? 7;
  const sampleMsMin = options.sampleMsMin ?? 50;
  const clock = options.clock ?? 'cpu';
  const calls = inputs.map((make) => callsPerSample(() => run(make()), sampleMsMin, clock));
  const samples: number[][] = inputs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    inputs.forEach((make, i) => {
      const fresh = Array.from({ length: calls[i] ?? 1 }, make);
      const start = nowMs(clock);
      for (const input of fresh) run(input);
      samples[i]?.push((nowMs(clock) - start) / fresh.length);
    });
  }
  return samples;
}

/**
 * Two functions of very different cost timed call by call in turn (one call of `a`, then as many
 * calls of `b` as take about as long), each round lasting at least `sampleMsMin` per side: both
 * sides see the same few milliseconds of a busy machine, so their ratio moves less than with
 * whole samples in turn. Answers ms per call of each, per round.
 */
export function pairedSamplesMs(
  a: () => unknown,
  b: () => unknown,
  options: TimingOptions = {},
): [number[], number[]] {
  const rounds = options.rounds ?? 7;
  const sampleMsMin = options.sampleMsMin ?? 50;
  const clock = options.clock ?? 'cpu';
  const bPerA = Math.max(1, Math.round(msPerCall(a, clock) / msPerCall(b, clock)));
  const aMs: number[] = [];
  const bMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let aTotal = 0;
    let bTotal = 0;
    let aCalls = 0;
    while (aTotal < sampleMsMin || bTotal < sampleMsMin) {
      const t0 = nowMs(clock);
      a();
      const t1 = nowMs(clock);
      for (let k = 0; k < bPerA; k++) b();
      bTotal += nowMs(clock) - t1;
      aTotal += t1 - t0;
      aCalls++;
    }
    aMs.push(aTotal / aCalls);
    bMs.push(bTotal / (aCalls * bPerA));
  }
  return [aMs, bMs];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * How far rounds disagreed, relative to their median: `±4% (range ±9%)` is half the interquartile
 * range, then half the whole range (one neighbour's burst widens the range, rarely the quartiles).
 */
export function spread(values: readonly number[]): string {
  const m = median(values);
  if (m === 0 || values.length === 0) return '±?';
  const sorted = [...values].sort((a, b) => a - b);
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))] ?? 0;
  const pct = (x: number) => `±${((100 * x) / 2 / m).toFixed(0)}%`;
  return `${pct(q(0.75) - q(0.25))} (range ${pct(q(1) - q(0))})`;
}

/** `12.3k` / `4.56M` for rates. */
export function si(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(1);
}
