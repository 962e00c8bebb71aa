import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { stopWorker, stuckWorkers } from './stopping.ts';

/** A worker that says it is ready, then runs `then`. */
async function started(then: string): Promise<Worker> {
  const worker = new Worker(`require('node:worker_threads').parentPort.postMessage('ready'); ${then}`, {
    eval: true,
  });
  await new Promise((resolveReady) => worker.once('message', resolveReady));
  return worker;
}

describe('workers asked to stop', () => {
  it('none asked: nothing to wait for', async () => {
    expect(await stuckWorkers(10_000)).toBe(0);
  });

  it('a worker running JavaScript ends when stopped: not stuck', async () => {
    const worker = await started('for (;;) {}');
    stopWorker(worker);
    expect(await stuckWorkers(10_000)).toBe(0);
  });

  it('a worker that already ended is not stuck; stopping it twice is one request', async () => {
    const worker = await started('');
    await new Promise((resolveExit) => worker.once('exit', resolveExit));
    stopWorker(worker);
    stopWorker(worker);
    expect(await stuckWorkers(10_000)).toBe(0);
  });

  it('a worker inside a long native call is still running after the grace, and not once it ends', async () => {
    // fill() over 12M slots checks for no termination (about 0.4 s here); the grace is far shorter.
    const worker = await started('new Array(12_000_000).fill(0)');
    const exit = new Promise((resolveExit) => worker.once('exit', resolveExit));
    stopWorker(worker);
    expect(await stuckWorkers(1)).toBe(1);
    await exit;
    expect(await stuckWorkers(1)).toBe(0);
  });
});
