import { describe, expect, it } from 'vitest';
import { cpuId, packetId, threadId } from '../brand.ts';
import { type KernelCall, KernelStack } from './kthread.ts';

/** A call that logs entry and return, and makes `nested` calls. */
function call(log: string[], frame: string, frameBytes: number, nested?: KernelCall[]): KernelCall {
  return {
    frame,
    frameBytes,
    run: () => {
      log.push(`enter ${frame}`);
      return nested;
    },
    after: () => log.push(`return ${frame}`),
  };
}

describe('KernelStack: a kernel thread running nested calls (ether_input -> ip_input -> udp_input)', () => {
  it('runs depth-first in call order; each frame returns after everything it called', () => {
    const log: string[] = [];
    const stack = new KernelStack(threadId(0), cpuId(0), () => {});
    const root = call(log, 'ether_input', 100, [
      call(log, 'netisr_dispatch', 50, [call(log, 'ip_input', 200, [call(log, 'udp_input', 300)])]),
      call(log, 'm_freem', 10),
    ]);
    stack.execute(root, undefined);
    expect(log).toEqual([
      'enter ether_input',
      'enter netisr_dispatch',
      'enter ip_input',
      'enter udp_input',
      'return udp_input',
      'return ip_input',
      'return netisr_dispatch',
      'enter m_freem',
      'return m_freem',
      'return ether_input',
    ]);
    // Every frame popped: back to an empty stack; the deepest chain was 650 bytes.
    expect(stack.depthBytes).toBe(0);
    expect(stack.depthBytesMax).toBe(650);
  });

  it('base frames (PCB, fork_exit) count under every chain and stay after it returns', () => {
    const marks: [number, string[], unknown][] = [];
    const base = [
      { frame: 'pcb', frameBytes: 1000 },
      { frame: 'fork_exit', frameBytes: 24 },
    ];
    const stack = new KernelStack(threadId(1), cpuId(2), (d, f, p) => marks.push([d, [...f], p]), base);
    expect(stack.thread).toBe(1);
    expect(stack.cpu).toBe(2);
    expect(stack.depthBytes).toBe(1024);
    expect(stack.depthBytesMax).toBe(0);
    stack.execute(call([], 'swi_net', 76), packetId(7));
    expect(stack.depthBytes).toBe(1024);
    expect(stack.depthBytesMax).toBe(1100);
    expect(marks).toEqual([[1100, ['pcb', 'fork_exit', 'swi_net'], 7]]);
  });

  it('reports a high-water mark only when the depth goes above every earlier depth', () => {
    const marks: [number, string][] = [];
    const stack = new KernelStack(threadId(0), cpuId(0), (d, f) => marks.push([d, f.join('>')]));
    const log: string[] = [];
    stack.execute(call(log, 'a', 100, [call(log, 'b', 50)]), packetId(1));
    // The same depth again, and less: no new mark.
    stack.execute(call(log, 'c', 150), packetId(2));
    stack.execute(call(log, 'd', 10), packetId(3));
    stack.execute(call(log, 'e', 151), packetId(4));
    expect(marks).toEqual([
      [100, 'a'],
      [150, 'a>b'],
      [151, 'e'],
    ]);
    expect(stack.depthBytesMax).toBe(151);
  });

  it('a call without an `after` hook and an empty list of nested calls', () => {
    const stack = new KernelStack(threadId(0), cpuId(0), () => {});
    let ran = 0;
    const run = () => {
      ran++;
      return [];
    };
    stack.execute({ frame: 'x', frameBytes: 8, run }, undefined);
    expect(ran).toBe(1);
    expect(stack.depthBytes).toBe(0);
  });
});
