import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpuId } from '../../model/brand.ts';
import { runScenario, UDP_PORT, udpTo } from '../../model/linux/scenarios.ts';
import type { DispatchPolicy } from '../../model/policy.ts';
import type { TraceEvent } from '../../model/trace.ts';
import type { ModelVariant } from '../../model/variants.ts';
import { PROPERTIES } from '../../properties/index.ts';
import { LINUX_PROPERTIES } from '../../properties/linux.ts';
import { checkLinuxFlowOrder } from '../../properties/linux-flow-order.ts';
import { distinctRfsFlows, linuxCaseArb } from '../arbitraries/linux.ts';
import { describeViolations } from '../check-run.ts';
import { fcRuns } from '../fc-runs.ts';
import { checkLinuxCase } from '../linux-run.ts';

/** Every other property of the suite holds on Linux traces too (they are one trace union). */
const GENERIC = PROPERTIES.filter((p) => !LINUX_PROPERTIES.includes(p));

type Limits = Record<'squeezed' | 'backlogDrops' | 'sockDrops' | 'deferred' | 'kicks' | 'rfsIpis', number>;

/** Counts, in one trace, each limit of the receive path being reached. */
function countLimits(trace: readonly TraceEvent[], seen: Limits): void {
  for (const e of trace) {
    if (e.kind === 'softirq' && e.squeezed) seen.squeezed++;
    else if (e.kind === 'drop' && e.where === 'backlog') seen.backlogDrops++;
    else if (e.kind === 'sock-queue' && e.outcome === 'dropped') seen.sockDrops++;
    else if (e.kind === 'defer-free' && e.outcome === 'deferred') seen.deferred++;
    if (e.kind === 'defer-free' && e.kick) seen.kicks++;
    if (e.kind === 'ipi' && e.reason === 'rps') seen.rfsIpis++;
  }
}

describe('Linux receive path: the reference model keeps every property', () => {
  it('over generated configurations, workloads and schedules', () => {
    fc.assert(
      fc.property(linuxCaseArb(), (c) => {
        const { violations } = checkLinuxCase(c, [...LINUX_PROPERTIES, ...GENERIC]);
        expect(violations, describeViolations(violations)).toEqual([]);
      }),
    );
  });

  it('the generated cases reach every limit, so the properties are not passed vacuously', () => {
    // A fixed sample: whether a run of random seeds meets the rarest limit (the defer-list kick)
    // is chance (a 50-run seed without one was seen); this sample's first 5 cases reach them all.
    const seen: Limits = { squeezed: 0, backlogDrops: 0, sockDrops: 0, deferred: 0, kicks: 0, rfsIpis: 0 };
    for (const c of fc.sample(linuxCaseArb(), { seed: 1, numRuns: 30 }))
      countLimits(checkLinuxCase(c, []).result.trace, seen);
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(0);
  });
});

/** Each property's teeth: a broken mechanism, the property and rule that must catch it. */
const TEETH: readonly [ModelVariant, string, string][] = [
  ['linux-rfs-migrate-immediately', 'linux-flow-order', 'R4'],
  ['linux-backlog-drops-early', 'linux-no-drop-below-limit', 'R7'],
  ['linux-udp-drops-below-rcvbuf', 'linux-no-drop-below-limit', 'U2'],
  ['linux-udp-inerrors-uncounted', 'linux-no-drop-below-limit', 'U5'],
  ['linux-skb-defer-to-self', 'linux-resource-balance', 'D2'],
  ['linux-skb-defer-unbounded', 'linux-resource-balance', 'D3'],
  ['linux-skb-defer-no-kick', 'linux-resource-balance', 'D4'],
  ['linux-skb-defer-keeps-secpath', 'linux-resource-balance', 'D5'],
  ['linux-skb-defer-not-drained', 'linux-resource-balance', 'D6'],
  ['linux-napi-weight-ignored', 'linux-napi-budget', 'N3'],
  ['linux-napi-budget-ignored', 'linux-napi-budget', 'N1'],
  ['linux-napi-squeeze-uncounted', 'linux-napi-budget', 'N2'],
  ['linux-napi-repoll-head', 'linux-napi-budget', 'N4'],
  ['linux-rps-ipi-at-end', 'linux-rps-ipi', 'R10'],
  ['linux-udp-defer-every-version', 'linux-kernel-version', 'udp-defer-free'],
];

describe('Linux properties have teeth', () => {
  it.each(TEETH)('%s is caught by %s (%s)', (variant, property, rule) => {
    const spec = LINUX_PROPERTIES.find((p) => p.name === property);
    if (spec === undefined) throw new Error(property);
    const out = fc.check(
      fc.property(
        linuxCaseArb(),
        (c) => !checkLinuxCase(c, [spec], [variant]).violations.some((v) => v.rule === rule),
      ),
      // The first failing case is enough to show the catch; shrinking these nested cases is slow.
      { numRuns: Math.max(fcRuns(), 300), seed: 7, endOnFailure: true },
    );
    expect(out.failed, `${variant} not caught in ${out.numRuns} runs`).toBe(true);
    const c = out.counterexample?.[0];
    if (c === undefined) throw new Error('no counterexample');
    const caught = checkLinuxCase(c, [spec], [variant]).violations.filter((v) => v.rule === rule);
    expect(caught[0]?.property).toBe(property);
    expect(caught[0]?.events.length).toBeGreaterThan(0);
  });
});

describe('user dispatch policies run on the Linux path like RPS/RFS', () => {
  /** Sprays packets over every CPU's backlog by sequence number: fast, and out of order. */
  const spray: DispatchPolicy = {
    name: 'spray',
    place: (pkt, ctx) => ({ cpu: cpuId(pkt.seq % ctx.cpuCount), mode: 'queue' }),
  };
  /** Answers a CPU that does not exist. */
  const broken: DispatchPolicy = {
    name: 'off-by-one',
    place: (_pkt, ctx) => ({ cpu: cpuId(ctx.cpuCount), mode: 'queue' }),
  };

  it('a spraying policy is caught by linux-flow-order', () => {
    const out = fc.check(
      fc.property(
        linuxCaseArb(),
        (c) => checkLinuxCase(c, LINUX_PROPERTIES, [], spray).violations.length === 0,
      ),
      { numRuns: 300, seed: 9, endOnFailure: true },
    );
    expect(out.failed).toBe(true);
    const c = out.counterexample?.[0];
    if (c === undefined) throw new Error('no counterexample');
    expect(checkLinuxCase(c, LINUX_PROPERTIES, [], spray).violations[0]?.property).toBe('linux-flow-order');
  });

  it('a policy answering a CPU out of range is a policy error, the packet dropped and counted', () => {
    const c = {
      config: { cpuCount: 2, sockets: [{ port: UDP_PORT }] },
      workload: { flows: [udpTo(0)], items: [{ kind: 'packet' as const, flow: 0 }] },
      schedule: [],
    };
    const { result, violations } = checkLinuxCase(c, PROPERTIES, [], broken);
    expect(violations.map((v) => `${v.property} ${v.rule}`)).toEqual([
      'policy-conformance policy:cpu-out-of-range',
    ]);
    expect(result.stats['ip.policy_errors']).toBe(1);
  });
});

describe('RFS: the kernel keeps flow order only per table entry (R4 caveats, known gaps)', () => {
  const rfsConfig = (rpsCpus: number, entries: number) => ({
    cpuCount: 3,
    ringCpus: [0],
    sysctl: {
      'rx-N/rps_cpus': rpsCpus,
      'net.core.rps_sock_flow_entries': entries,
      'rx-N/rps_flow_cnt': entries,
    },
    sockets: [
      { port: UDP_PORT, readerCpus: [2], connected: true },
      { port: UDP_PORT + 1, readerCpus: [1], connected: true },
    ],
  });

  /** Long schedules over up to 8 threads: the interleavings these known gaps need. */
  const longScheduleArb = fc.array(fc.nat({ max: 7 }), { maxLength: 200, size: 'max' });

  it('a flow moving from its rps_map CPU to its RFS CPU is not guarded: get_rps_cpu saves no last_qtail on the map path', () => {
    const out = fc.check(
      fc.property(
        longScheduleArb,
        (schedule) =>
          checkLinuxFlowOrder(
            runScenario({
              config: rfsConfig(0b010, 4096),
              workload: {
                flows: [udpTo(0)],
                items: Array.from({ length: 40 }, () => ({ kind: 'packet' as const, flow: 0 })),
              },
              schedule,
            }).trace,
          ).length === 0,
      ),
      { numRuns: 300, seed: 3, endOnFailure: true },
    );
    expect(out.failed).toBe(true);
  });

  it('two flows sharing one rps_sock_flow_table slot can be reordered: the tag check fails and the flow falls back', () => {
    const [a, b] = distinctRfsFlows(2, (i) => UDP_PORT + i);
    if (a === undefined || b === undefined) throw new Error('flows');
    const out = fc.check(
      fc.property(
        longScheduleArb,
        (schedule) =>
          checkLinuxFlowOrder(
            runScenario({
              // One-entry tables: every flow shares the slot, as a hash collision does.
              // No rps_map, so the only way out of order is the shared slot (falling back to inline).
              config: rfsConfig(0, 1),
              workload: {
                flows: [a, b],
                items: Array.from({ length: 40 }, (_, i) => ({ kind: 'packet' as const, flow: i % 2 })),
              },
              schedule,
            }).trace,
          ).length === 0,
      ),
      { numRuns: 300, seed: 5, endOnFailure: true },
    );
    expect(out.failed).toBe(true);
  });
});
