import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { stopWorker, stuckWorkers } from './stopping.ts';

/** A worker that says it is ready, then runs `then` (with `execSync` at hand). */
async function started(then: string): Promise<Worker> {
  const worker = new Worker(
    `const { execSync } = require('node:child_process'); require('node:worker_threads').parentPort.postMessage('ready'); ${then}`,
    { eval: true },
  );
  await new Promise((resolveReady) => worker.once('message', resolveReady));
  return worker;
}

const exitOf = (worker: Worker) => new Promise((resolveExit) => worker.once('exit', resolveExit));
/** A synchronous child process blocks the thread in native code: terminate() waits for it. */
const SLEEPS = (seconds: number) => `execSync('sleep ${seconds}')`;
const pause = (ms: number) => new Promise((resolvePause) => setTimeout(resolvePause, ms));
/** Time for a worker that said it is ready to be inside its native call. */
const INTO_CALL_MS = 100;

describe('workers asked to stop', () => {
  it('none asked: nothing to wait for', async () => {
    expect(await stuckWorkers(10_000)).toBe(0);
  });

  it('a worker running JavaScript ends when stopped: not stuck', async () => {
    stopWorker(await started('for (;;) {}'));
    expect(await stuckWorkers(10_000)).toBe(0);
  });

  it('a worker that already ended is not stuck', async () => {
    const worker = await started('');
    await exitOf(worker);
    stopWorker(worker);
    expect(await stuckWorkers(10_000)).toBe(0);
  });

  it('a worker inside a native call is still running after the grace, and not once the call has ended', async () => {
    const worker = await started(SLEEPS(0.6));
    const exit = exitOf(worker);
    await pause(INTO_CALL_MS);
    stopWorker(worker);
    expect(await stuckWorkers(1)).toBe(1);
    await exit;
    expect(await stuckWorkers(1)).toBe(0);
  });

  it('the grace runs from the latest request: a worker stopped just now is given its time', async () => {
    const stuck = await started(SLEEPS(1.2));
    const stuckExit = exitOf(stuck);
    await pause(INTO_CALL_MS);
    stopWorker(stuck);
    await pause(200);
    // Asked 200 ms after the stuck one, with a grace of 100 ms: judged at its own deadline, it has ended.
    stopWorker(await started('for (;;) {}'));
    expect(await stuckWorkers(100)).toBe(1);
    await stuckExit;
    expect(await stuckWorkers(100)).toBe(0);
  });
});
