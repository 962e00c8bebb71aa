import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NULL_HEARTBEAT } from '../harness/fuzz/heartbeat.ts';
import { loadPolicy } from '../harness/fuzz/load-policy.ts';
import type { FuzzReport } from '../harness/fuzz/report.ts';
import { search } from '../harness/fuzz/search.ts';
import { PROPERTIES } from '../properties/index.ts';
import { nowMs } from './timing.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface FuzzRate {
  readonly policyFile: string;
  readonly runs: number;
  /** The search loop alone: generate, run the model, check every property (wall clock). */
  readonly inProcessRunsPerSecond: number;
  /** The same per second of this process's CPU time (what a busy machine does not inflate). */
  readonly inProcessRunsPerCpuSecond: number;
  /** The command as a user runs it: process start, worker, watchdog, report. */
  readonly commandRunsPerSecond: number;
  readonly commandSeconds: number;
}

/** Fuzz runs per second with a safe policy (every run goes the whole way, none stops early). */
export async function fuzzRate(policyFile: string, runs: number): Promise<FuzzRate | string> {
  const loaded = await loadPolicy(`${root}${policyFile}`);
  if (typeof loaded === 'string') return loaded;
  const job = {
    seed: 1,
    runs,
    path: undefined,
    cpuCountMin: 1,
    cpuCountMax: 64,
    properties: PROPERTIES.map((p) => p.name),
  };
  const start = performance.now();
  const cpuStart = nowMs('cpu');
  const result = search(job, loaded.source, loaded.fallbackName, NULL_HEARTBEAT);
  const ms = performance.now() - start;
  const cpuMs = nowMs('cpu') - cpuStart;
  if (result.kind !== 'held')
    return `${policyFile} did not hold (${result.kind}): pick a safe policy for the bench`;

  const args = [
    '--import',
    'tsx',
    'cli/fuzz.ts',
    policyFile,
    '--runs',
    String(runs),
    '--seed',
    '1',
    '--json',
  ];
  const cmdStart = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, args, {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const cmdMs = performance.now() - cmdStart;
  const report = JSON.parse(stdout) as FuzzReport;
  return {
    policyFile,
    runs,
    inProcessRunsPerSecond: (result.runs * 1000) / ms,
    inProcessRunsPerCpuSecond: (result.runs * 1000) / cpuMs,
    commandRunsPerSecond: (report.runs * 1000) / cmdMs,
    commandSeconds: cmdMs / 1000,
  };
}
