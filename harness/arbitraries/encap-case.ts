import fc from 'fast-check';
import type { HostConfig } from '../../model/host/config.ts';
import { udpFlow } from '../../model/host/scenario.ts';
import type { Workload } from '../../model/host/workload.ts';
import type { Chain, InboundLayer, SaElement } from '../../model/ipsec/chain.ts';
import { ARCH_KSTACK } from '../../model/ipsec/config.ts';
import type { IpsecSysctls } from '../../model/ipsec/knobs.ts';
import type { FlowSpec } from '../../model/rss/flowhash.ts';
import type { Schedule } from '../../model/sim/schedule.ts';
import { type HostConfigConstraints, hostConfigArb } from './config.ts';
import { bundledChainArb, tunnelArb } from './ipsec.ts';
import { plainRecord } from './plain-record.ts';
import { withCaseText } from './run-case-text.ts';
import { scheduleArb } from './schedule.ts';

/** The IPsec/tunnel gateway around the host of an encapsulated case (model/ipsec/gateway.ts). */
export interface EncapSetup {
  /** What every tunnelled flow arrives wrapped in, outermost first: 1..4 gif/gre/SA layers. */
  readonly inbound: readonly InboundLayer[];
  /** What the decapsulated packets pass on their way out (SA bundles, tunnels, pfil hooks). */
  readonly chain: Chain;
  /** net.inet.ipsec.use_netisr (always explicit), intr_queue_maxlen, gif/gre max_nesting. */
  readonly ipsec: Partial<IpsecSysctls>;
}

/**
 * A fuzz case on the IPsec/tunnel gateway: the host part (`config`, `workload`, `schedule`) is a
 * RunCase's, so --kernel/--sysctl pinning, trace limits and the report treat it like one; `encap`
 * adds the layers. Run by harness/fuzz/run-fuzz-case.ts.
 */
export interface EncapCase {
  readonly kind: 'encap';
  readonly config: HostConfig;
  readonly workload: Workload;
  readonly schedule: Schedule;
  readonly encap: EncapSetup;
}

/** The outer IPv4 protocol a layer puts on the wire: IP-in-IP (gif), GRE, ESP, AH, IPComp. */
const OUTER_PROTO = { gif: 4, gre: 47, esp: 50, ah: 51, ipcomp: 108 } as const;

export function outerProtocol(layer: InboundLayer): number {
  return OUTER_PROTO[layer.kind === 'sa' ? layer.proto : layer.type];
}

const saLayerArb: fc.Arbitrary<SaElement> = fc.record({
  kind: fc.constant('sa' as const),
  proto: fc.constantFrom('esp' as const, 'ah' as const, 'ipcomp' as const),
  spi: fc.integer({ min: 0x1000, max: 0x1003 }),
});

/** Layers per tunnelled packet: 1..4, deep ones twice as often (they are what overflows). */
const NESTING_MAX = 4;
const nestingArb: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) },
  { weight: 2, arbitrary: fc.integer({ min: 3, max: NESTING_MAX }) },
);

/**
 * 1..4 layers, three in four a tunnel: gif/gre layers are the ones whose inner packet the policy may
 * run inline (S-5); an SA layer always queues (S-3). The nesting and each layer shrink on their
 * own, toward one gif layer.
 */
export const inboundLayersArb: fc.Arbitrary<InboundLayer[]> = fc
  .tuple(
    nestingArb,
    fc.array(fc.oneof({ weight: 3, arbitrary: tunnelArb }, { weight: 1, arbitrary: saLayerArb }), {
      minLength: NESTING_MAX,
      maxLength: NESTING_MAX,
    }),
  )
  .map(([nesting, layers]) => layers.slice(0, nesting));

/** Raw draws for the gateway's setup, folded by `toSetup` (no fc.chain: better shrinking). */
const rawSetupArb = plainRecord({
  // Two in three on 2 pages, where nesting costs the most (i386, the D9721 review's case).
  arch: fc.oneof(
    { weight: 2, arbitrary: fc.constant('i386' as const) },
    { weight: 1, arbitrary: fc.constant('amd64' as const) },
  ),
  useNetisr: fc.boolean(),
  inbound: inboundLayersArb,
  qlimit: fc.oneof({ withCrossShrink: true }, fc.constant(256), fc.integer({ min: 1, max: 4 })),
  deferredChain: fc.oneof(fc.constant<Chain>([]), bundledChainArb(3)),
  tunnel: fc.option(tunnelArb, { nil: undefined }),
  sas: fc.array(saLayerArb, { maxLength: 3 }),
});

type RawSetup = typeof rawSetupArb extends fc.Arbitrary<infer R> ? R : never;

/**
 * Outbound chains the kernel stack holds whatever the policy does with plain packets: with
 * use_netisr on, any D9721 configuration (bundles cut by the ipsec queue); with it off, a bundle
 * of up to two SAs on 2 pages (i386: three overflow, model/ipsec/frames.ts), or a tunnel and up to
 * three SAs on 4 pages. So a policy that keeps nested layers off one stack never overflows.
 */
function outbound(raw: RawSetup): Chain {
  if (raw.useNetisr) return raw.deferredChain;
  if (raw.arch === 'i386') return raw.sas.slice(0, 2);
  return [...(raw.tunnel === undefined ? [] : [raw.tunnel]), ...raw.sas];
}

function toSetup(raw: RawSetup): { arch: 'i386' | 'amd64'; encap: EncapSetup } {
  return {
    arch: raw.arch,
    encap: {
      inbound: raw.inbound,
      chain: outbound(raw),
      ipsec: {
        'net.inet.ipsec.use_netisr': raw.useNetisr,
        ...(raw.qlimit === 256 ? {} : { 'net.inet.ipsec.intr_queue_maxlen': raw.qlimit }),
      },
    },
  };
}

/** A tunnelled flow from peer `i`: its outer protocol is that of the outermost layer. */
function tunnelledFlow(i: number, outer: number): FlowSpec {
  return { family: 'inet', ipProto: outer, src: `192.0.2.${i + 1}`, dst: '198.51.100.1', sport: 0, dport: 0 };
}

/**
 * 1..2 tunnelled flows (flow 0 always) and sometimes a plain UDP flow forwarded beside them;
 * 1..12 packets, shrinking toward one packet of flow 0.
 */
function workloadArb(): fc.Arbitrary<{ tunnelled: number; plain: boolean; picks: number[] }> {
  return plainRecord({
    tunnelled: fc.integer({ min: 1, max: 2 }),
    plain: fc.boolean(),
    picks: fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 12 }),
  });
}

/** The gateway's host: at most 8 CPUs (unless asked for more), the arch's kernel stack. */
function hostArb(c: HostConfigConstraints): fc.Arbitrary<HostConfig> {
  const min = c.cpuCountMin ?? 1;
  const max = Math.max(min, Math.min(c.cpuCountMax ?? 8, 8));
  return hostConfigArb({ ...c, cpuCountMin: min, cpuCountMax: max });
}

/**
 * Encapsulated traffic for the fuzz command: a forwarding gateway whose tunnelled flows arrive in
 * 1..4 gif/gre/ESP/AH/IPComp layers, each stripped and its inner packet dispatched again through
 * the policy (S-2, S-5), then forwarded through an outbound chain with use_netisr on or off, on
 * i386 (2 pages) or amd64 (4 pages) kernel stacks. `stack-depth` and `buffer-balance` judge it.
 */
export function encapCaseArb(c: HostConfigConstraints = {}): fc.Arbitrary<EncapCase> {
  return plainRecord({
    host: hostArb(c),
    setup: rawSetupArb.map(toSetup),
    load: workloadArb(),
    schedule: scheduleArb({ choicesMax: 64 }),
  })
    .map(({ host, setup, load, schedule }): EncapCase => {
      const outer = outerProtocol(setup.encap.inbound[0] ?? { kind: 'tunnel', type: 'gif', unit: 0 });
      const flows = Array.from({ length: load.tunnelled }, (_, i) => tunnelledFlow(i, outer));
      if (load.plain) flows.push(udpFlow(flows.length));
      const config: HostConfig = {
        ...host,
        sysctl: { ...host.sysctl, ...ARCH_KSTACK[setup.arch] },
      };
      return {
        kind: 'encap',
        config,
        workload: {
          flows,
          items: load.picks.map((p) => ({ kind: 'packet' as const, flow: p % flows.length })),
        },
        schedule,
        encap: setup.encap,
      };
    })
    .map(withCaseText);
}
