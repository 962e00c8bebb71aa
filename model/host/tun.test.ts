import { describe, expect, it } from 'vitest';
import { cpuId, threadId } from '../brand.ts';
import type { Packet } from '../packet.ts';
import type { KernelStack } from '../sim/kthread.ts';
import { TunWriter, TunWriterState } from './tun.ts';

function writerOn(state: TunWriterState, cpu: number): TunWriter {
  const stack = { thread: threadId(20 + cpu), cpu: cpuId(cpu) } as unknown as KernelStack;
  return new TunWriter(state, stack, () => {
    throw new Error('not stepped');
  });
}

describe('the tun0 writer (tunwrite in the user thread context)', () => {
  it('is a user thread named after its CPU', () => {
    const w = writerOn(new TunWriterState(cpuId(1)), 1);
    expect(w.kind).toBe('user');
    expect(w.name).toBe('tun0 writer on cpu 1');
  });

  it('runs only on the CPU the thread is on now, and only with a write queued', () => {
    const state = new TunWriterState(cpuId(0));
    const here = writerOn(state, 0);
    const there = writerOn(state, 1);
    expect(here.runnable()).toBe(false);
    state.writes.push({ id: 1 } as unknown as Packet);
    expect(here.runnable()).toBe(true);
    expect(there.runnable()).toBe(false);
    state.cpu = cpuId(1);
    expect(here.runnable()).toBe(false);
    expect(there.runnable()).toBe(true);
  });
});
