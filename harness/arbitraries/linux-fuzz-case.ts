import fc from 'fast-check';
import type { WorkloadItem } from '../../model/host/workload.ts';
import type { LinuxHostConfig, LinuxSocketSpec, LinuxSysctls } from '../../model/linux/config.ts';
import { linuxKnobs } from '../../model/linux/knobs.ts';
import type { FlowSpec } from '../../model/rss/flowhash.ts';
import { LINUX_CPUS_MAX, type LinuxFuzzConstraints, linuxCpuRange } from '../fuzz/linux-cpus.ts';
import { cpuCountArb } from './config.ts';
import { distinctRfsFlows, inetFlowSpec, type LinuxCase, RFS_FLOW_CNT, RFS_SOCK_ENTRIES } from './linux.ts';
import { plainRecord } from './plain-record.ts';
import { withCaseText } from './run-case-text.ts';

/** First UDP port of the generated sockets, and the multicast group's, as in linux.ts. */
const PORT_BASE = 5000;
const GROUP = '239.1.1.1';
const GROUP_PORT = PORT_BASE + 100;
const FLOWS_MAX = 6;

/**
 * A fuzz case on the Linux receive path (model/linux/host.ts): the user's policy answers in place
 * of get_rps_cpu for every packet NAPI hands to netif_receive_skb. Run by
 * harness/fuzz/run-linux-case.ts.
 */
export interface LinuxFuzzCase extends LinuxCase {
  readonly kind: 'linux';
}

type KnobName = keyof typeof linuxKnobs;

/** A knob's value: its kernel default (what it shrinks to, and then left out of the printed case) or a small one. */
function knobArb(name: KnobName, max: number): fc.Arbitrary<number> {
  const spec = linuxKnobs[name];
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 1, arbitrary: fc.constant(spec.default) },
    { weight: 3, arbitrary: fc.integer({ min: spec.min, max }) },
  );
}

/** CPU lists and masks are drawn for 32 CPUs and folded onto the case's count, so nothing chains. */
const cpuListArb = (maxLength: number) =>
  fc.uniqueArray(fc.nat({ max: LINUX_CPUS_MAX - 1 }), { minLength: 1, maxLength });
const socketArb = plainRecord({
  rcvbufBytes: fc.integer({ min: 1500, max: 24_000 }),
  readers: cpuListArb(4),
});

/** The items a Linux case draws: packets of one size, pauses, snapshots. */
type RawItem =
  | { readonly kind: 'packet'; readonly flow: number; readonly payloadBytes: number }
  | { readonly kind: 'pause'; readonly ns: number }
  | { readonly kind: 'snapshot' };

const itemArb: fc.Arbitrary<RawItem> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .nat({ max: FLOWS_MAX })
      .map((flow) => ({ kind: 'packet' as const, flow, payloadBytes: 64 })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 3_000_000 }).map((ns) => ({ kind: 'pause' as const, ns })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
);

const rawArb = (cpus: fc.Arbitrary<number>) =>
  plainRecord({
    cpuCount: cpus,
    rings: cpuListArb(3),
    rpsMask: fc.option(fc.nat({ max: 0x7fff_ffff }), { freq: 2 }),
    rfs: fc.boolean(),
    flowLimitMask: fc.option(fc.nat({ max: 0x7fff_ffff }), { freq: 2 }),
    sysctl: plainRecord({
      'net.core.netdev_max_backlog': knobArb('net.core.netdev_max_backlog', 64),
      'net.core.netdev_budget': knobArb('net.core.netdev_budget', 300),
      'net.core.netdev_budget_usecs': knobArb('net.core.netdev_budget_usecs', 2000),
      'net.core.dev_weight': knobArb('net.core.dev_weight', 64),
      'driver.napi_weight': knobArb('driver.napi_weight', 64),
      'net.core.skb_defer_max': knobArb('net.core.skb_defer_max', 64),
      'driver.rx_ring_entries': knobArb('driver.rx_ring_entries', 512),
      'kernel.HZ': fc.constantFrom(1000, 250, 100),
    }),
    udpSocketBacklog: fc.boolean(),
    secpath: fc.boolean(),
    kernel: fc.constantFrom(...(['linux-6.18', 'linux-6.6'] as const)),
    unicast: fc.array(socketArb, { minLength: 1, maxLength: 3 }),
    groupMembers: fc.array(socketArb, { maxLength: 2 }),
    flowCount: fc.integer({ min: 1, max: FLOWS_MAX }),
    items: fc.array(itemArb, { minLength: 1, maxLength: 160, size: 'medium' }),
    // Medium-sized schedules: long enough that readers and softirqs interleave with arrivals.
    schedule: fc.array(fc.nat({ max: 15 }), { maxLength: 256, size: 'medium' }),
    // Per flow: IPv6 (udpv6_rcv, the Udp6 MIB) or IPv4; drawn last so the other fields keep their draws.
    inet6: fc.array(fc.boolean(), { minLength: FLOWS_MAX, maxLength: FLOWS_MAX }),
  });

type Raw = typeof rawArb extends (c: fc.Arbitrary<number>) => fc.Arbitrary<infer R> ? R : never;

const foldCpus = (list: readonly number[], cpus: number): number[] =>
  [...new Set(list.map((c) => c % cpus))].sort((a, b) => a - b);
const foldMask = (mask: number | null, cpus: number): number =>
  mask === null ? 0 : cpus > 30 ? mask : mask % 2 ** cpus;

/** The sysctls of a raw draw: the ones at their kernel default are left out, so a printed case shows what differs. */
function sysctlOf(raw: Raw, pinned: Partial<LinuxSysctls>): Partial<LinuxSysctls> {
  const out: Partial<Record<KnobName, number>> = {};
  for (const [name, value] of Object.entries(raw.sysctl) as [KnobName, number][])
    if (value !== linuxKnobs[name].default) out[name] = value;
  // With RFS on, no rps_map: a flow moving from the map's CPU to its RFS CPU is not guarded by
  // last_qtail (get_rps_cpu saves no rflow on the map path), a kernel gap tested on its own.
  const rpsMask = foldMask(raw.rpsMask, raw.cpuCount);
  if (raw.rfs) {
    out['net.core.rps_sock_flow_entries'] = RFS_SOCK_ENTRIES;
    out['rx-N/rps_flow_cnt'] = RFS_FLOW_CNT;
  } else if (rpsMask !== 0) out['rx-N/rps_cpus'] = rpsMask;
  const flowLimit = foldMask(raw.flowLimitMask, raw.cpuCount);
  if (flowLimit !== 0) out['net.core.flow_limit_cpu_bitmap'] = flowLimit;
  return { ...out, ...pinned };
}

/**
 * The case's flows, found once per flow count, unicast socket count and IPv6 choices (a few hundred
 * such draws, each costing distinctRfsFlows' hashing): the case gets its own list of shared specs.
 */
const rfsFlowLists = new Map<number, readonly FlowSpec[]>();

function rfsFlowsOf(count: number, unicastSockets: number, inet6: readonly boolean[]): FlowSpec[] {
  let key = count * 8 + unicastSockets;
  for (let i = 0; i < count; i++) key = key * 2 + (inet6[i] === true ? 1 : 0);
  let flows = rfsFlowLists.get(key);
  if (flows === undefined) {
    // The last unicast flow may aim at a port nobody bound (NoPorts).
    flows = distinctRfsFlows(
      count,
      (i) => PORT_BASE + (i % (unicastSockets + 1)),
      (i) => inet6[i] === true,
    );
    rfsFlowLists.set(key, flows);
  }
  return [...flows];
}

/** Folds a raw draw into a valid Linux case: CPU lists modulo the CPU count, flow indexes modulo the flows. */
function toLinuxFuzzCase(raw: Raw, pinned: Partial<LinuxSysctls>): LinuxFuzzCase {
  const cpus = raw.cpuCount;
  const sockets: LinuxSocketSpec[] = [
    // Connected, so RFS records them (sock_rps_record_flow); group members never are.
    ...raw.unicast.map((s, i) => ({
      port: PORT_BASE + i,
      connected: true,
      rcvbufBytes: s.rcvbufBytes,
      readerCpus: foldCpus(s.readers, cpus),
    })),
    ...raw.groupMembers.map((s) => ({
      port: GROUP_PORT,
      group: GROUP,
      rcvbufBytes: s.rcvbufBytes,
      readerCpus: foldCpus(s.readers, cpus),
    })),
  ];
  const specs = rfsFlowsOf(raw.flowCount, raw.unicast.length, raw.inet6);
  const flows: FlowSpec[] =
    raw.groupMembers.length > 0 && specs[0] !== undefined
      ? [...specs, { ...inetFlowSpec(0), dst: GROUP, dport: GROUP_PORT }]
      : specs;
  const config: LinuxHostConfig = {
    kernel: raw.kernel,
    cpuCount: cpus,
    ringCpus: raw.rings.map((c) => c % cpus),
    ...(raw.udpSocketBacklog ? { udpSocketBacklog: true } : {}),
    ...(raw.secpath ? { secpathFlows: [0] } : {}),
    sockets,
    sysctl: sysctlOf(raw, pinned),
  };
  const items: WorkloadItem[] = raw.items.map((it) =>
    it.kind === 'packet'
      ? { kind: 'packet', flow: it.flow % flows.length, payloadBytes: it.payloadBytes }
      : it,
  );
  return { kind: 'linux', config, workload: { flows, items }, schedule: raw.schedule };
}

/**
 * Linux cases for the fuzz command, drawn without chaining so every part shrinks on its own: 1..32
 * CPUs biased small like the netisr cases' (cpuCountArb), rings on any CPUs, RPS maps, RFS on or
 * off, flow limit, small backlogs, budgets, weights, time limits and socket buffers (each shrinking
 * to its kernel default), readers that move between CPUs, the UDP path before and after 4.10,
 * IPsec-offloaded flows, linux-6.18 or linux-6.6, and a schedule. Pinned sysctls are laid over.
 */
export function linuxFuzzCaseArb(c: LinuxFuzzConstraints): fc.Arbitrary<LinuxFuzzCase> {
  const range = linuxCpuRange(c) ?? { min: 1, max: 1 };
  const pinned = c.sysctl ?? {};
  return rawArb(cpuCountArb(range.min, range.max))
    .map((raw) => toLinuxFuzzCase(raw, pinned))
    .map(withCaseText);
}
