import { type PolicyErrorKind, packetText } from '../../model/trace.ts';
import type { StopAt } from './guard.ts';
import { CallKind, callKindName, type HeartbeatReading } from './heartbeat.ts';
import { LOADING_BUDGET_FACTOR, type Supervised, supervise, type WorkerLimits } from './supervise.ts';
import type { WorkerJob } from './worker.ts';

/**
 * After a worker could not answer for itself (the watchdog stopped a call, the worker died, or
 * deferred policy work threw), the supervisor locates the case: the heartbeat names the run
 * (fast-check path) and the policy call in progress, and a fresh worker replays that run with the
 * call answered by the fault. The result is an ordinary `policy:*` violation with trace, packet,
 * netstat -Q and replay command. Faults while loading stay load errors (there is no case yet).
 */

/**
 * A run that passed the memory budget grows as far again on the way to its stop call, and the
 * replay runs the case twice (the second time cut at the violation, for its netstat -Q) with what
 * the policy kept from the first.
 */
const REPLAY_MEMORY_BUDGET_SCALE = 3;

function callText(r: HeartbeatReading): string {
  if (r.kind === CallKind.idle)
    return r.pkt >= 0 ? `after the call on packet ${packetText(r.pkt)}` : 'between calls';
  return `in ${callKindName(r.kind)}()${r.pkt >= 0 ? ` on packet ${packetText(r.pkt)}` : ''}`;
}

interface Fault {
  readonly reading: HeartbeatReading;
  readonly kind: PolicyErrorKind;
  readonly message: string;
  /** What went wrong while the module loaded, for the load-error line. */
  readonly whileLoading: string;
}

function faultOf(first: Supervised, limits: WorkerLimits): Fault | undefined {
  const seconds = limits.timeoutMs / 1000;
  if (first.kind === 'stopped') {
    return {
      reading: first.reading,
      kind: 'timed-out',
      message: `no answer within ${seconds} s: the watchdog stopped the policy`,
      whileLoading: `did not finish loading within ${seconds * LOADING_BUDGET_FACTOR} s`,
    };
  }
  if (first.kind === 'late-fault') {
    return {
      reading: first.reading,
      kind: 'threw-later',
      message: first.message,
      whileLoading: first.message,
    };
  }
  if (first.kind !== 'died') return undefined;
  const r = first.reading;
  if (first.cause === 'heap') {
    return {
      reading: r,
      kind: 'heap-exhausted',
      message: `the fuzz worker ${first.message} ${callText(r)} (memory the policy keeps across calls or runs)`,
      whileLoading: `${first.message.replace('ran', 'ran the worker')} while loading`,
    };
  }
  return {
    reading: r,
    kind: first.cause === 'exit' ? 'exited' : 'threw-later',
    message: `the worker running the policy ${first.message} ${callText(r)}`,
    whileLoading: `never finished loading: the worker ${first.message} (a top-level await that never settles?)`,
  };
}

/** The outcome to report: `first` itself, or the located replay of the case it stopped in. */
export async function locate(
  first: Supervised,
  job: WorkerJob,
  limits: WorkerLimits,
  policyFile: string,
  seed: number,
): Promise<Supervised> {
  const fault = faultOf(first, limits);
  if (fault === undefined) return first;
  const { reading } = fault;
  if (reading.kind === CallKind.loading) {
    return { kind: 'load-error', message: `policy file ${policyFile} ${fault.whileLoading}` };
  }
  if (reading.path === undefined || reading.path === '') {
    return {
      kind: 'load-error',
      message: `policy file ${policyFile}: ${fault.message} (seed ${seed}, no run to replay)`,
    };
  }
  const stopAt: StopAt = { callInRun: reading.callInRun, kind: fault.kind, message: fault.message };
  const { path } = reading;
  const replayed = (oneRun: boolean) =>
    supervise(
      {
        mode: 'replay-stopped',
        file: job.file,
        search: job.search,
        path,
        stopAt,
        ...(oneRun ? { oneRun: true as const } : {}),
      },
      { ...limits, memoryBudgetScale: REPLAY_MEMORY_BUDGET_SCALE },
    );
  let replay = await replayed(false);
  // A policy that keeps state outside its factory (a call counter) may fault again in the second
  // run explain makes, cut at the violation: the one run is enough to show the located call.
  if (replay.kind === 'stopped' || replay.kind === 'died' || replay.kind === 'late-fault')
    replay = await replayed(true);
  if (replay.kind === 'violated') {
    // A heap filled over earlier runs is reproduced by those runs, not by the one case.
    return fault.kind === 'heap-exhausted' ? { ...replay, replayRuns: replay.runs } : replay;
  }
  if (replay.kind === 'stopped' || replay.kind === 'died' || replay.kind === 'late-fault') {
    return {
      kind: 'load-error',
      message: `policy ${fault.kind} ${callText(reading)}, and again differently when replayed (seed ${seed} path ${reading.path}): is it deterministic?`,
    };
  }
  return replay;
}
