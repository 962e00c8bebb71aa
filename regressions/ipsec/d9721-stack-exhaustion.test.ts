import { describe, expect, it } from 'vitest';
import type { Chain } from '../../model/ipsec/chain.ts';
import type { StackEvent } from '../../model/trace.ts';
import { checkStackDepth } from '../../properties/stack-depth.ts';
import { burstyWorkload, runBox } from './d9721-scenario.ts';

/**
 * D9721 (https://reviews.freebsd.org/D9721, seed 000): i386 kernels (KSTACK_PAGES 2) panicked on
 * kernel stack exhaustion when IPsec ran with netgraph, pf/ipfw or gif/gre: ip_output -> IPsec ->
 * ip_output recursed in one thread. The fix queues IPsec output to a netisr protocol (use_netisr).
 */

const sa = (proto: 'esp' | 'ah' | 'ipcomp', spi: number) => ({ kind: 'sa', proto, spi }) as const;

/** The configurations the review names, as output chains (innermost first). */
const CONFIGURATIONS: Readonly<Record<string, Chain>> = {
  // An IPComp+ESP+AH bundle, pf filtering the encrypted packet on its last ip_output pass.
  'bundled SAs + pf': [
    sa('ipcomp', 0x1000),
    sa('esp', 0x1001),
    sa('ah', 0x1002),
    { kind: 'pfil', hook: 'pf' },
  ],
  // gif over an ESP+AH bundle, pf on the way in and on the way out.
  'gif + IPsec + pf': [
    { kind: 'pfil', hook: 'pf' },
    { kind: 'tunnel', type: 'gif', unit: 0 },
    sa('esp', 0x1000),
    sa('ah', 0x1001),
    { kind: 'pfil', hook: 'pf' },
  ],
  // IPsec over gif over IPsec: the inner SA, the tunnel, then the outer SA.
  'IPsec over gif over IPsec': [
    sa('esp', 0x1000),
    { kind: 'tunnel', type: 'gif', unit: 0 },
    sa('esp', 0x2000),
  ],
  // mpd's L2TP VPN: MPPC-compressed PPP to ng_ksocket, the UDP datagram then protected by ESP.
  'netgraph + IPsec': [
    { kind: 'netgraph', node: 'mppc' },
    { kind: 'netgraph', node: 'ppp' },
    sa('esp', 0x1000),
  ],
};

const run = (chain: Chain, prefix: boolean) =>
  runBox(
    { arch: 'i386', chain, cpus: 2, rings: 2, variants: prefix ? ['ipsec-no-netisr-deferral'] : [] },
    burstyWorkload(4, 2, 4, 20_000),
  );

describe('D9721: i386 with 2 stack pages, IPsec with bundles, tunnels and netgraph', () => {
  for (const [name, chain] of Object.entries(CONFIGURATIONS)) {
    it(`${name}: exhausts the stack without deferral, stays bounded with it`, () => {
      const prefix = run(chain, true);
      const violations = checkStackDepth(prefix.trace);
      expect(violations.length).toBeGreaterThan(0);
      expect(violations[0]).toMatchObject({ property: 'stack-depth', rule: 'INV-DEPTH' });
      expect(violations[0]?.message).toMatch(/kernel stack 8192/);
      // The overflowing chain is the recursion: ip_output nested in ip_output, IPsec in between.
      const ev = prefix.trace[violations[0]?.events[0] ?? -1] as StackEvent;
      const frames = ev.frames.split('>');
      expect(frames.filter((f) => f === 'ip_output').length).toBeGreaterThan(1);
      expect(frames).toContain('ipsec4_perform_request');

      const fixed = run(chain, false);
      expect(fixed.config.useNetisr).toBe(true); // the i386 default
      expect(checkStackDepth(fixed.trace)).toEqual([]);
      expect(fixed.trace.some((e) => e.kind === 'enqueue' && e.proto === 'ipsec')).toBe(true);
      expect(fixed.stats.ifi_opackets).toBe(prefix.stats.ifi_opackets);
    });
  }

  it('on amd64 (4 pages) the same configurations fit without deferral, as the review expects', () => {
    for (const chain of Object.values(CONFIGURATIONS)) {
      const r = runBox({ arch: 'amd64', chain, cpus: 2, rings: 2 }, burstyWorkload(4, 1, 4, 20_000));
      expect(r.config.useNetisr).toBe(false);
      expect(checkStackDepth(r.trace)).toEqual([]);
    }
  });
});
