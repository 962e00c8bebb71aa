import { describe, expect, it } from 'vitest';
import { espBundle } from '../../model/ipsec/chain.ts';
import { checkBufferBalance } from '../../properties/buffer-balance.ts';
import { burstyWorkload, runBox } from './d9721-scenario.ts';

/**
 * D9721 (https://reviews.freebsd.org/D9721, seed 000): the deferral passes its arguments in an
 * m_tag, and reviewers asked about "allocating tags and an mbuf then freeing it upon netisr queue
 * fail". A refused enqueue must free both; the pre-fix variant is an error path freeing the mbuf only.
 */

// One burst of 40 packets lands before the netisr thread runs: 8 fit the queue, 32 are refused.
const load = burstyWorkload(4, 1, 40, 10_000);
const run = (leak: boolean) =>
  runBox(
    {
      arch: 'i386',
      chain: espBundle(2),
      cpus: 1,
      rings: 1,
      ipsec: { 'net.inet.ipsec.intr_queue_maxlen': 8 },
      variants: leak ? ['ipsec-tag-leaked-on-enqueue-failure'] : [],
    },
    load,
  );

describe('D9721: the deferral tag is freed when the ipsec netisr enqueue fails', () => {
  it('fixed: every mbuf and tag is freed exactly once, the refused ones with their packet', () => {
    const r = run(false);
    const refused = r.trace.filter((e) => e.kind === 'drop' && e.counter === 'ipsec.QDrops');
    expect(refused).toHaveLength(32);
    expect(checkBufferBalance(r.trace)).toEqual([]);
    const tags = r.trace.filter((e) => e.kind === 'alloc' && e.what === 'tag').length;
    expect(r.trace.filter((e) => e.kind === 'free' && e.what === 'tag')).toHaveLength(tags);
  });

  it('pre-fix: each refused enqueue leaks its tag, caught by buffer-balance', () => {
    const r = run(true);
    const refused = new Set<number>(
      r.trace.flatMap((e) => (e.kind === 'drop' && e.counter === 'ipsec.QDrops' ? [e.pkt] : [])),
    );
    const v = checkBufferBalance(r.trace);
    expect(v).toHaveLength(refused.size);
    for (const x of v) {
      expect(x).toMatchObject({ property: 'buffer-balance', rule: 'INV-FREE' });
      const pkt = Number(/^tag \d+ of packet (\d+) allocated/.exec(x.message)?.[1]);
      expect(refused.has(pkt)).toBe(true);
    }
  });
});
