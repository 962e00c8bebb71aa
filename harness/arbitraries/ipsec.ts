import fc from 'fast-check';
import { udpFlow } from '../../model/host/scenario.ts';
import type { Workload } from '../../model/host/workload.ts';
import type { Chain, ChainElement, SaElement, TunnelElement } from '../../model/ipsec/chain.ts';
import { ARCH_KSTACK } from '../../model/ipsec/config.ts';
import { runIpsecGateway } from '../../model/ipsec/gateway.ts';
import { unwrap } from '../../model/result.ts';
import type { FlowSpec } from '../../model/rss/flowhash.ts';
import type { Trace } from '../../model/trace.ts';
import type { ModelVariant } from '../../model/variants.ts';

export interface ChainConstraints {
  /** Elements per chain. @defaultValue 8 */
  readonly elementsMax?: number;
  /** Include pfil hooks, tunnels, netgraph nodes (default all true); SAs are always in. */
  readonly pfil?: boolean;
  readonly tunnels?: boolean;
  readonly netgraph?: boolean;
}

const saArb: fc.Arbitrary<SaElement> = fc.record({
  kind: fc.constant('sa' as const),
  proto: fc.constantFrom('esp' as const, 'ah' as const, 'ipcomp' as const),
  spi: fc.integer({ min: 0x1000, max: 0x1003 }),
});

/**
 * Output chains: SA bundles (consecutive SAs), gif/gre tunnels (units 0..1, so loops and nesting
 * refusals happen), pf/ipfw passes and netgraph nodes, in any order. SAs come first in the
 * `oneof`, so a chain shrinks toward a bundle of ESP SAs, the plainest stack-hungry configuration.
 */
export function chainArb(c: ChainConstraints = {}): fc.Arbitrary<Chain> {
  const parts: fc.Arbitrary<ChainElement>[] = [saArb];
  if (c.tunnels !== false) {
    parts.push(
      fc.record({
        kind: fc.constant('tunnel' as const),
        type: fc.constantFrom('gif' as const, 'gre' as const),
        unit: fc.nat({ max: 1 }),
      }),
    );
  }
  if (c.pfil !== false) {
    parts.push(
      fc.record({
        kind: fc.constant('pfil' as const),
        hook: fc.constantFrom('pf' as const, 'ipfw' as const),
      }),
    );
  }
  if (c.netgraph !== false) {
    parts.push(
      fc.record({
        kind: fc.constant('netgraph' as const),
        node: fc.constantFrom('ppp' as const, 'pppoe' as const, 'tee' as const, 'mppc' as const),
      }),
    );
  }
  return fc.array(fc.oneof(...parts), { minLength: 1, maxLength: c.elementsMax ?? 8 });
}

const pfilArb: fc.Arbitrary<ChainElement> = fc.record({
  kind: fc.constant('pfil' as const),
  hook: fc.constantFrom('pf' as const, 'ipfw' as const),
});
/** A gif or gre tunnel interface (unit 0 or 1): a chain element and, in encap-case.ts, an inbound layer. */
export const tunnelArb: fc.Arbitrary<TunnelElement> = fc.record({
  kind: fc.constant('tunnel' as const),
  type: fc.constantFrom('gif' as const, 'gre' as const),
  unit: fc.nat({ max: 1 }),
});
const ngNodeArb: fc.Arbitrary<ChainElement> = fc.record({
  kind: fc.constant('netgraph' as const),
  node: fc.constantFrom('ppp' as const, 'pppoe' as const, 'tee' as const, 'mppc' as const),
});

/** What may sit in front of an SA bundle: nothing, a tunnel, or a short netgraph chain. */
const carrierArb: fc.Arbitrary<ChainElement[]> = fc.oneof(
  fc.constant<ChainElement[]>([]),
  tunnelArb.map((t) => [t]),
  fc.array(ngNodeArb, { minLength: 1, maxLength: 2 }),
);

/**
 * The configurations of the D9721 review, as segments: [pf|ipfw] [gif|gre | 1-2 netgraph nodes]
 * then a bundle of 1..`saMax` SAs; 1..3 segments, then an optional last pass with a pfil hook or
 * a terminal netgraph chain (PPPoE). Every run of tunnels or netgraph nodes is followed by IPsec,
 * which is the recursion use_netisr cuts; longer netgraph/tunnel runs are chainArb's business.
 */
export function bundledChainArb(saMax = 4): fc.Arbitrary<Chain> {
  const segment = fc
    .tuple(
      fc.option(pfilArb, { nil: undefined }),
      carrierArb,
      fc.array(saArb, { minLength: 1, maxLength: saMax }),
    )
    .map(([hook, carrier, sas]) => [...(hook ? [hook] : []), ...carrier, ...sas]);
  const tail = fc.oneof(
    fc.constant<ChainElement[]>([]),
    pfilArb.map((h) => [h]),
    fc.array(ngNodeArb, { minLength: 1, maxLength: 2 }),
  );
  return fc
    .tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), tail)
    .map(([segments, last]) => [...segments.flat(), ...last]);
}

/** Inbound SA layers for the ESP flow of `forwardedWorkload`: none (it is just forwarded) to two. */
export const inboundArb: fc.Arbitrary<SaElement[]> = fc.array(saArb, { maxLength: 2 });

/** An ESP tunnel from a peer (IPv4, protocol 50): decrypted when the gateway has inbound SAs. */
const ESP_FLOW: FlowSpec = {
  family: 'inet',
  ipProto: 50,
  src: '192.0.2.1',
  dst: '198.51.100.1',
  sport: 0,
  dport: 0,
};

/** A UDP flow over IPv6 (ip6_forward, ipsec6_*). */
function udp6Flow(i: number): FlowSpec {
  return {
    family: 'inet6',
    ipProto: 17,
    src: `2001:db8:2::${(i + 1).toString(16)}`,
    dst: '2001:db8:1::1',
    sport: 20_000 + i,
    dport: 53,
  };
}

/**
 * `packets` datagrams spread over `flows` flows, round robin: what the gateway forwards. Every
 * third flow is IPv6 UDP, so both output paths run; every fourth (index 3, 7 ...) is an ESP tunnel.
 */
export function forwardedWorkload(flows: number, packets: number): Workload {
  const spec = (i: number) => (i % 4 === 3 ? ESP_FLOW : i % 3 === 2 ? udp6Flow(i) : udpFlow(i));
  return {
    flows: Array.from({ length: flows }, (_, i) => spec(i)),
    items: Array.from({ length: packets }, (_, i) => ({ kind: 'packet' as const, flow: i % flows })),
  };
}

/** A gateway with deferral on (i386's default): workstreams, ipsec qlimit, dispatch, interleaving. */
export interface QueueCase {
  readonly chain: Chain;
  readonly inbound: SaElement[];
  readonly threads: number;
  readonly bind: boolean;
  readonly qlimit: number;
  readonly dispatch: 'direct' | 'hybrid' | 'deferred';
  readonly schedule: number[];
}

export interface QueueCaseConstraints {
  readonly threadsMax: number;
  /** Short queues, so enqueues fail as the schedule allows. */
  readonly qlimitMax: number;
  readonly scheduleMax: number;
}

export function queueCaseArb(c: QueueCaseConstraints): fc.Arbitrary<QueueCase> {
  return fc.record({
    chain: bundledChainArb(3),
    inbound: inboundArb,
    threads: fc.integer({ min: 1, max: c.threadsMax }),
    bind: fc.boolean(),
    qlimit: fc.integer({ min: 1, max: c.qlimitMax }),
    dispatch: fc.constantFrom('direct' as const, 'hybrid' as const, 'deferred' as const),
    schedule: fc.array(fc.nat({ max: 15 }), { maxLength: c.scheduleMax }),
  });
}

/** One gateway run of a case: 4 CPUs, 2 rings, 4 flows, 16 packets, i386 stacks. */
export function runQueueCase(c: QueueCase, variants: readonly ModelVariant[] = []): Trace {
  const r = unwrap(
    runIpsecGateway({
      config: {
        host: {
          cpuCount: 4,
          rxRingCount: 2,
          sysctl: {
            ...ARCH_KSTACK.i386,
            'net.isr.maxthreads': c.threads,
            'net.isr.dispatch': c.dispatch,
            'net.isr.bindthreads': c.bind,
          },
          variants: [...variants],
        },
        ipsec: { 'net.inet.ipsec.intr_queue_maxlen': c.qlimit },
        chain: c.chain,
        inbound: c.inbound,
      },
      workload: forwardedWorkload(4, 16),
      schedule: c.schedule,
    }),
  );
  return r.trace;
}
