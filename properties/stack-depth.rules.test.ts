import { describe, expect, it } from 'vitest';
import { checkStackDepth } from './stack-depth.ts';
import { alloc, stack, withHole } from './test/trace-builder.ts';

const depth = (events: number[], message: string) => ({
  property: 'stack-depth',
  rule: 'INV-DEPTH',
  events,
  message,
});

describe('stack-depth rules (INV-DEPTH)', () => {
  it('an empty trace passes', () => {
    expect(checkStackDepth([])).toEqual([]);
  });

  it('INV-DEPTH: one byte past the kernel stack, with the innermost three frames and the packet', () => {
    const t = [stack({ thread: 4, cpu: 1, depthBytes: 101, kstackBytes: 100, frames: 'a>b>c>d', pkt: 7 })];
    expect(checkStackDepth(t)).toEqual([
      depth(
        [0],
        'thread 4 on cpu 1: stack 101 bytes deep, kernel stack 100 (4 frames, innermost b>c>d, packet 7)',
      ),
    ]);
  });

  it('without a packet the message names none', () => {
    const t = [stack({ depthBytes: 101, kstackBytes: 100, frames: 'x', pkt: undefined })];
    expect(checkStackDepth(t)[0]?.message).toBe(
      'thread 0 on cpu 0: stack 101 bytes deep, kernel stack 100 (1 frames, innermost x)',
    );
  });

  it('near miss: exactly the kernel stack is within it; other events are ignored', () => {
    expect(checkStackDepth([stack({ depthBytes: 100, kstackBytes: 100 }), alloc()])).toEqual([]);
  });

  it('one violation per thread: the first overflow', () => {
    const t = [
      stack({ thread: 1, depthBytes: 101 }),
      stack({ thread: 1, depthBytes: 200 }),
      stack({ thread: 2, depthBytes: 150 }),
    ];
    expect(checkStackDepth(t).map((v) => v.events)).toEqual([[0], [2]]);
  });

  it('stops at VIOLATIONS_MAX and skips holes', () => {
    const bad = Array.from({ length: 70 }, (_, thread) => stack({ thread, depthBytes: 101 }));
    expect(checkStackDepth(bad)).toHaveLength(64);
    expect(checkStackDepth(withHole(stack({ depthBytes: 101 })))[0]?.events).toEqual([1]);
  });
});
