import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpuId, packetId, threadId, virtualNs } from '../../model/brand.ts';
import { type Chain, chainLabel, espBundle } from '../../model/ipsec/chain.ts';
import { ARCH_KSTACK, type IpsecGatewayConfig } from '../../model/ipsec/config.ts';
import { runIpsecGateway } from '../../model/ipsec/gateway.ts';
import { unwrap } from '../../model/result.ts';
import type { Trace } from '../../model/trace.ts';
import type { ModelVariant } from '../../model/variants.ts';
import { checkStackDepth } from '../../properties/stack-depth.ts';
import { bundledChainArb, chainArb, forwardedWorkload } from '../arbitraries/ipsec.ts';
import { fcRuns } from '../fc-runs.ts';
import { replayOf } from './helpers.ts';

function trace(config: IpsecGatewayConfig, schedule: number[] = [], packets = 2): Trace {
  const r = unwrap(runIpsecGateway({ config, workload: forwardedWorkload(2, packets), schedule }));
  return r.trace;
}

const i386 = (chain: Chain, variants: ModelVariant[] = []): IpsecGatewayConfig => ({
  host: { cpuCount: 2, sysctl: { ...ARCH_KSTACK.i386 }, variants },
  chain,
});

describe('stack-depth (INV-DEPTH)', () => {
  it('with deferral on, any chain of SA bundles, tunnels, pfil hooks and netgraph nodes stays within the stack', () => {
    fc.assert(
      fc.property(
        bundledChainArb(),
        fc.constantFrom('i386' as const, 'amd64' as const),
        fc.integer({ min: 1, max: 2 }),
        fc.array(fc.nat({ max: 15 }), { maxLength: 64 }),
        (chain, arch, threads, schedule) => {
          const config: IpsecGatewayConfig = {
            host: {
              cpuCount: 2,
              rxRingCount: 2,
              sysctl: { ...ARCH_KSTACK[arch], 'net.isr.maxthreads': threads },
            },
            // amd64 leaves it off by default: switch it on; i386 takes the KSTACK_PAGES default.
            ...(arch === 'amd64' ? { ipsec: { 'net.inet.ipsec.use_netisr': true } } : {}),
            chain,
          };
          expect(checkStackDepth(trace(config, schedule, 4))).toEqual([]);
        },
      ),
    );
  });

  it('teeth: without deferral on 2 pages the fuzzer finds the overflow and shrinks it to the smallest chain', () => {
    const overflows = (chain: Chain) => checkStackDepth(trace(i386(chain, ['ipsec-no-netisr-deferral'])));
    // The shortest overflowing chain the run met, while generating and while shrinking.
    let shortest = Number.POSITIVE_INFINITY;
    const out = fc.check(
      fc.property(chainArb(), (chain) => {
        const ok = overflows(chain).length === 0;
        if (!ok) shortest = Math.min(shortest, chain.length);
        return ok;
      }),
      { numRuns: Math.max(fcRuns(), 200) },
    );
    expect(out.failed, replayOf(out)).toBe(true);
    const chain = out.counterexample?.[0];
    if (chain === undefined) throw new Error('no counterexample');
    const violations = overflows(chain);
    expect(violations[0]?.rule, replayOf(out)).toBe('INV-DEPTH');
    expect(violations[0]?.message, replayOf(out)).toMatch(/kernel stack 8192/);
    expect(chain.length, chainLabel(chain)).toBe(shortest);
  });

  it('teeth: the same bundle is caught on i386 without deferral and passes with it', () => {
    expect(checkStackDepth(trace(i386(espBundle(3), ['ipsec-no-netisr-deferral'])))).toHaveLength(1);
    expect(checkStackDepth(trace(i386(espBundle(3))))).toEqual([]);
  });

  it('reports the first overflow of each thread once, with its frames', () => {
    const stack = (thread: number, depthBytes: number) => ({
      kind: 'stack' as const,
      atNs: virtualNs(0),
      thread: threadId(thread),
      cpu: cpuId(0),
      depthBytes,
      kstackBytes: 100,
      frames: 'a>b>c>d',
      pkt: packetId(7),
    });
    const v = checkStackDepth([stack(1, 50), stack(1, 101), stack(1, 150), stack(2, 100), stack(3, 120)]);
    expect(v.map((x) => x.events)).toEqual([[1], [4]]);
    expect(v[0]?.message).toBe(
      'thread 1 on cpu 0: stack 101 bytes deep, kernel stack 100 (4 frames, innermost b>c>d, packet 7)',
    );
  });
});
