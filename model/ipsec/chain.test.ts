import { describe, expect, it } from 'vitest';
import { type Chain, chainLabel, espBundle, passAt } from './chain.ts';

const esp = (spi: number) => ({ kind: 'sa', proto: 'esp', spi }) as const;
const ah = (spi: number) => ({ kind: 'sa', proto: 'ah', spi }) as const;
const gif = (unit: number) => ({ kind: 'tunnel', type: 'gif', unit }) as const;
const pf = { kind: 'pfil', hook: 'pf' } as const;
const ipfw = { kind: 'pfil', hook: 'ipfw' } as const;
const ng = (node: 'ppp' | 'pppoe' | 'tee' | 'mppc') => ({ kind: 'netgraph', node }) as const;

describe('passAt: one ip_output pass of the chain', () => {
  it('an empty chain, or the end of one, goes to the wire', () => {
    expect(passAt([], 0)).toEqual({ hooks: [], hop: { kind: 'wire' }, nextIndex: 0 });
    expect(passAt([gif(0)], 1)).toEqual({ hooks: [], hop: { kind: 'wire' }, nextIndex: 1 });
  });

  it('runs the leading pfil hooks in order, then takes the hop after them', () => {
    expect(passAt([pf, ipfw], 0)).toEqual({ hooks: ['pf', 'ipfw'], hop: { kind: 'wire' }, nextIndex: 2 });
    expect(passAt([pf, gif(3), ipfw], 0)).toEqual({
      hooks: ['pf'],
      hop: { kind: 'tunnel', type: 'gif', unit: 3 },
      nextIndex: 2,
    });
  });

  it('consecutive SAs are one bundle (one security policy, several requests); the pass stops at the next non-SA', () => {
    const chain: Chain = [ipfw, esp(0x100), ah(0x101), gif(0), esp(0x102)];
    expect(passAt(chain, 0)).toEqual({
      hooks: ['ipfw'],
      hop: { kind: 'bundle', sas: [esp(0x100), ah(0x101)] },
      nextIndex: 3,
    });
    expect(passAt(chain, 3).nextIndex).toBe(4);
    expect(passAt(chain, 4)).toEqual({ hooks: [], hop: { kind: 'bundle', sas: [esp(0x102)] }, nextIndex: 5 });
  });

  it('consecutive netgraph nodes are one ng_iface path; terminal (ng_ether) only when nothing follows', () => {
    expect(passAt([ng('ppp'), ng('pppoe')], 0)).toEqual({
      hooks: [],
      hop: { kind: 'netgraph', nodes: ['ppp', 'pppoe'], terminal: true },
      nextIndex: 2,
    });
    expect(passAt([pf, ng('tee'), ng('mppc'), esp(0x100)], 0)).toEqual({
      hooks: ['pf'],
      hop: { kind: 'netgraph', nodes: ['tee', 'mppc'], terminal: false },
      nextIndex: 3,
    });
  });
});

describe('chainLabel', () => {
  it('joins a bundle with +, everything else with >, SPIs in hex', () => {
    const chain: Chain = [
      esp(0x1000),
      ah(0x1001),
      gif(0),
      pf,
      ng('ppp'),
      esp(0xabc),
      { kind: 'tunnel', type: 'gre', unit: 7 },
    ];
    expect(chainLabel(chain)).toBe('esp(0x1000)+ah(0x1001) > gif0 > pf > ng_ppp > esp(0xabc) > gre7');
  });

  it('SAs split by another element are two bundles; the empty chain is (plain)', () => {
    expect(chainLabel([esp(0x100), ipfw, esp(0x101)])).toBe('esp(0x100) > ipfw > esp(0x101)');
    expect(chainLabel([])).toBe('(plain)');
  });
});

describe('espBundle', () => {
  it('n ESP SAs with consecutive SPIs from the base (default 0x1000)', () => {
    expect(espBundle(2)).toEqual([esp(0x1000), esp(0x1001)]);
    expect(espBundle(3, 0x2000).map((s) => s.spi)).toEqual([0x2000, 0x2001, 0x2002]);
    expect(espBundle(0)).toEqual([]);
  });
});
