import { describe, expect, it } from 'vitest';
import { espBundle } from '../../model/ipsec/chain.ts';
import { checkStackDepth } from '../../properties/stack-depth.ts';
import { burstyWorkload, runBox } from './d9721-scenario.ts';

/**
 * D9721 (https://reviews.freebsd.org/D9721, seed 000): "The feature is disabled by default on
 * arches where kstack_pages is greater or equal to 4": net.inet.ipsec.use_netisr defaults to
 * KSTACK_PAGES < 4, so an i386 box is protected without anyone setting the sysctl.
 */

const load = burstyWorkload(2, 1, 2, 10_000);
const box = (pages: number, variants: ['ipsec-use-netisr-default-off'] | [] = []) =>
  runBox(
    {
      arch: 'i386',
      chain: espBundle(3),
      cpus: 1,
      rings: 1,
      sysctl: { 'kern.kstack_pages': pages },
      variants,
    },
    load,
  );

describe('D9721: net.inet.ipsec.use_netisr defaults on only when KSTACK_PAGES < 4', () => {
  it('follows KSTACK_PAGES: on for 1..3 pages, off from 4 on; an explicit setting wins', () => {
    expect([1, 2, 3, 4, 8].map((pages) => box(pages).config.useNetisr)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    const off = runBox(
      { arch: 'i386', chain: espBundle(1), ipsec: { 'net.inet.ipsec.use_netisr': false } },
      load,
    );
    expect(off.config.useNetisr).toBe(false);
  });

  it('fixed: an i386 box with a 3-SA bundle and no sysctl set stays within its 2 pages', () => {
    const r = box(2);
    expect(checkStackDepth(r.trace)).toEqual([]);
    expect(r.trace.filter((e) => e.kind === 'enqueue' && e.proto === 'ipsec')).toHaveLength(3 * 2);
  });

  it('pre-fix: with the default off whatever KSTACK_PAGES says, the same box runs off its stack', () => {
    const r = box(2, ['ipsec-use-netisr-default-off']);
    expect(r.config.useNetisr).toBe(false);
    const v = checkStackDepth(r.trace);
    expect(v[0]).toMatchObject({ property: 'stack-depth', rule: 'INV-DEPTH' });
    expect(r.trace.some((e) => e.kind === 'enqueue' && e.proto === 'ipsec')).toBe(false);
  });
});
