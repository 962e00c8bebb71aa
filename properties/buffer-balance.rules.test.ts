import { describe, expect, it } from 'vitest';
import { checkBufferBalance } from './buffer-balance.ts';
import { alloc, end, free, withHole } from './test/trace-builder.ts';

const inv = (events: number[], message: string) => ({
  property: 'buffer-balance',
  rule: 'INV-FREE',
  events,
  message,
});

describe('buffer-balance rules (INV-FREE)', () => {
  it('an empty trace passes; allocated then freed passes', () => {
    expect(checkBufferBalance([])).toEqual([]);
    expect(checkBufferBalance([alloc({ buf: 1 }), free({ buf: 1 }), end()])).toEqual([]);
  });

  it('a free of a buffer never allocated', () => {
    expect(checkBufferBalance([free({ buf: 3, what: 'tag', pkt: 8 })])).toEqual([
      inv([0], 'tag 3 of packet 8 freed but never allocated'),
    ]);
  });

  it('a double free names both frees', () => {
    const t = [alloc({ buf: 3 }), free({ buf: 3 }), free({ buf: 3 })];
    expect(checkBufferBalance(t)).toEqual([inv([1, 2], 'mbuf 3 freed twice')]);
  });

  it('near miss: a buffer id reused after a free is a new buffer', () => {
    const t = [alloc({ buf: 3 }), free({ buf: 3 }), alloc({ buf: 3 }), free({ buf: 3 }), free({ buf: 3 })];
    expect(checkBufferBalance(t)).toEqual([inv([3, 4], 'mbuf 3 freed twice')]);
    const neverFreedTwice = [alloc({ buf: 3 }), free({ buf: 3 }), alloc({ buf: 3 }), free({ buf: 3 })];
    expect(checkBufferBalance(neverFreedTwice)).toEqual([]);
  });

  it('a free under another kind than the alloc, once', () => {
    const t = [alloc({ buf: 3, what: 'mbuf', pkt: 2 }), free({ buf: 3, what: 'tag' }), end()];
    expect(checkBufferBalance(t)).toEqual([inv([0, 1], 'mbuf 3 of packet 2 freed as tag')]);
  });

  it('a leak at a quiescent end names the allocating CPU', () => {
    const t = [alloc({ buf: 3, cpu: 1 }), alloc({ buf: 4 }), free({ buf: 4 }), end()];
    expect(checkBufferBalance(t)).toEqual([
      inv([0, 3], 'mbuf 3 allocated on cpu 1 and never freed (leaked)'),
    ]);
  });

  it('near miss: a run cut short may hold buffers', () => {
    expect(checkBufferBalance([alloc({ buf: 3 }), end({ outcome: 'steps-exhausted' })])).toEqual([]);
  });

  it('a trace with skbs is left to linux-resource-balance', () => {
    expect(checkBufferBalance([alloc({ buf: 1, what: 'skb' }), free({ buf: 9 }), end()])).toEqual([]);
    expect(checkBufferBalance([free({ buf: 1, what: 'skb' })])).toHaveLength(1);
  });

  it('stops at VIOLATIONS_MAX, in the loop and among leaks, and skips holes', () => {
    const frees = Array.from({ length: 70 }, (_, buf) => free({ buf }));
    expect(checkBufferBalance(frees)).toHaveLength(64);
    const leaks = [...Array.from({ length: 70 }, (_, buf) => alloc({ buf })), end()];
    expect(checkBufferBalance(leaks)).toHaveLength(64);
    const some = [...frees.slice(0, 10), ...leaks];
    expect(checkBufferBalance(some)).toHaveLength(64);
    expect(checkBufferBalance(withHole(free({ buf: 1 })))[0]?.events).toEqual([1]);
  });
});
