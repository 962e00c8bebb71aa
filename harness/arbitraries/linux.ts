import fc from 'fast-check';
import type { Workload, WorkloadItem } from '../../model/host/workload.ts';
import type { LinuxHostConfig, LinuxSocketSpec } from '../../model/linux/config.ts';
import { type FlowSpec, makeFlow } from '../../model/rss/flowhash.ts';
import type { Schedule } from '../../model/sim/schedule.ts';

/** The RFS table sizes the generated cases use when RFS is on. */
export const RFS_SOCK_ENTRIES = 4096;
export const RFS_FLOW_CNT = 1024;
/** First UDP port of the generated sockets. */
const PORT_BASE = 5000;
const GROUP = '239.1.1.1';

/** The i-th candidate IPv4 UDP flow (destination port filled in by the caller). */
export function inetFlowSpec(i: number): FlowSpec {
  return {
    family: 'inet',
    ipProto: 17,
    src: `10.9.${(i >> 8) & 0xff}.${i & 0xff}`,
    dst: '10.1.0.1',
    sport: 30_000 + (i % 20_000),
    dport: 0,
  };
}

/** The i-th candidate IPv6 UDP flow, in the documentation prefix 2001:db8::/32. */
function inet6FlowSpec(i: number): FlowSpec {
  return {
    family: 'inet6',
    ipProto: 17,
    src: `2001:db8:9::${i.toString(16)}`,
    dst: '2001:db8:1::1',
    sport: 30_000 + (i % 20_000),
    dport: 0,
  };
}

/**
 * A pool of unicast UDP flows whose NIC hashes differ in their low 10 bits, so no two of them share
 * an rps_sock_flow_table or rps_dev_flow entry: RFS keeps order only per entry (R4's caveat), and a
 * shared entry is a known gap, tested on its own. Flow n is IPv6 when inet6(n) says so.
 */
export function distinctRfsFlows(
  count: number,
  dport: (i: number) => number,
  inet6: (i: number) => boolean = () => false,
): FlowSpec[] {
  const seen = new Set<number>();
  const out: FlowSpec[] = [];
  for (let i = 0; out.length < count && i < 100_000; i++) {
    const base = inet6(out.length) ? inet6FlowSpec(i) : inetFlowSpec(i);
    const spec: FlowSpec = { ...base, dport: dport(out.length) };
    const flow = makeFlow(i, spec);
    if (!flow.ok) continue;
    const slot = flow.value.hash4Tuple & (RFS_FLOW_CNT - 1);
    if (seen.has(slot)) continue;
    seen.add(slot);
    out.push(spec);
  }
  return out;
}

export interface LinuxCase {
  readonly config: LinuxHostConfig;
  readonly workload: Workload;
  readonly schedule: Schedule;
}

const cpuSubset = (cpus: number) =>
  fc
    .uniqueArray(fc.nat({ max: cpus - 1 }), { minLength: 1, maxLength: cpus })
    .map((a) => [...a].sort((x, y) => x - y));

function socketsArb(cpus: number): fc.Arbitrary<LinuxSocketSpec[]> {
  const unicast = fc.record({
    rcvbufBytes: fc.integer({ min: 1500, max: 24_000 }),
    readerCpus: cpuSubset(cpus),
  });
  return fc
    .record({
      unicast: fc.array(unicast, { minLength: 1, maxLength: 3 }),
      groupMembers: fc.array(unicast, { maxLength: 2 }),
    })
    .map(({ unicast: u, groupMembers }) => [
      // Connected, so RFS records them (sock_rps_record_flow); group members never are.
      ...u.map((s, i) => ({ port: PORT_BASE + i, connected: true, ...s })),
      ...groupMembers.map((s) => ({ port: PORT_BASE + 100, group: GROUP, ...s })),
    ]);
}

function workloadArb(unicastPorts: number, multicast: boolean): fc.Arbitrary<Workload> {
  return fc.integer({ min: 1, max: 6 }).chain((flowCount) => {
    // The last unicast flow may aim at a port nobody bound (NoPorts).
    const specs = distinctRfsFlows(flowCount, (i) => PORT_BASE + (i % (unicastPorts + 1)));
    const flows = multicast
      ? [...specs, { ...specs[0], dst: GROUP, dport: PORT_BASE + 100 } as FlowSpec]
      : specs;
    const item: fc.Arbitrary<WorkloadItem> = fc.oneof(
      {
        weight: 12,
        arbitrary: fc
          .nat({ max: flows.length - 1 })
          .map((flow) => ({ kind: 'packet' as const, flow, payloadBytes: 64 })),
      },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 1, max: 3_000_000 }).map((ns) => ({ kind: 'pause' as const, ns })),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
    );
    return fc
      .array(item, { minLength: 1, maxLength: 160, size: 'medium' })
      .map((items) => ({ flows, items }));
  });
}

/**
 * Linux runs: 1..6 CPUs (non-powers of two included), rings on any CPUs, RPS maps, RFS on or off,
 * flow limit, small backlogs, budgets, weights, time limits and socket buffers so every limit is
 * reached, the UDP path before and after 4.10, IPsec-offloaded flows, linux-6.18 or linux-6.6,
 * and a schedule.
 */
export function linuxCaseArb(): fc.Arbitrary<LinuxCase> {
  return fc.integer({ min: 1, max: 6 }).chain((cpus) =>
    fc
      .record({
        rings: fc.array(fc.nat({ max: cpus - 1 }), { minLength: 1, maxLength: Math.min(cpus, 3) }),
        rpsMask: fc.nat({ max: 2 ** cpus - 1 }),
        rfs: fc.boolean(),
        flowLimitMask: fc.nat({ max: 2 ** cpus - 1 }),
        maxBacklog: fc.integer({ min: 1, max: 64 }),
        budget: fc.integer({ min: 1, max: 300 }),
        budgetUsecs: fc.integer({ min: 1, max: 2000 }),
        hz: fc.constantFrom(100, 250, 1000),
        devWeight: fc.integer({ min: 1, max: 64 }),
        napiWeight: fc.integer({ min: 1, max: 64 }),
        deferMax: fc.integer({ min: 0, max: 64 }),
        ringEntries: fc.integer({ min: 8, max: 512 }),
        udpSocketBacklog: fc.boolean(),
        sockets: socketsArb(cpus),
        secpath: fc.boolean(),
        kernel: fc.constantFrom(...(['linux-6.18', 'linux-6.6'] as const)),
      })
      .chain((c) =>
        fc.record({
          config: fc.constant<LinuxHostConfig>({
            kernel: c.kernel,
            cpuCount: cpus,
            ringCpus: c.rings,
            udpSocketBacklog: c.udpSocketBacklog,
            secpathFlows: c.secpath ? [0] : [],
            sockets: c.sockets,
            sysctl: {
              // With RFS on, no rps_map: a flow moving from the map's CPU to its RFS CPU is not
              // guarded by last_qtail (get_rps_cpu saves no rflow on the map path), a kernel gap
              // tested on its own in linux-flow-order.test.ts.
              'rx-N/rps_cpus': c.rfs ? 0 : c.rpsMask,
              'net.core.rps_sock_flow_entries': c.rfs ? RFS_SOCK_ENTRIES : 0,
              'rx-N/rps_flow_cnt': c.rfs ? RFS_FLOW_CNT : 0,
              'net.core.flow_limit_cpu_bitmap': c.flowLimitMask,
              'net.core.netdev_max_backlog': c.maxBacklog,
              'net.core.netdev_budget': c.budget,
              'net.core.netdev_budget_usecs': c.budgetUsecs,
              'kernel.HZ': c.hz,
              'net.core.dev_weight': c.devWeight,
              'driver.napi_weight': c.napiWeight,
              'net.core.skb_defer_max': c.deferMax,
              'driver.rx_ring_entries': c.ringEntries,
            },
          }),
          workload: workloadArb(
            c.sockets.filter((s) => s.group === undefined).length,
            c.sockets.some((s) => s.group !== undefined),
          ),
          // Medium-sized schedules: long enough that readers and softirqs interleave with arrivals.
          schedule: fc.array(fc.nat({ max: 15 }), { maxLength: 256, size: 'medium' }),
        }),
      ),
  );
}
