import { linuxKnobs } from '../model/linux/knobs.ts';
import { err, ok, type Result } from '../model/result.ts';

/**
 * What one live run is configured with: the model's own sysctl names (model/linux/knobs.ts) for the
 * kernel knobs, plus the topology and the workload. Everything has a default, so `npm run live`
 * with no option runs a small RPS configuration.
 */
export interface LiveConfig {
  /** rx (and tx) queues of the veth pair. */
  readonly queues: number;
  /** Knobs set on the kernel, by the model's names; unset ones are left as the kernel has them. */
  readonly sysctl: Readonly<Record<string, number>>;
  readonly flows: number;
  readonly packets: number;
  readonly payloadBytes: number;
  readonly senderCpu: number;
  readonly receiverCpu: number;
  /** SO_RCVBUF asked for (the kernel doubles it); 0: net.core.rmem_default. */
  readonly rcvbufBytes: number;
  /** The receiver blocks this long before its first read (a slow reader). */
  readonly readDelayMs: number;
  /** Hard bound on the whole workload. */
  readonly durationMs: number;
  /**
   * One connect()ed receiving socket per flow instead of one bound socket: RFS records only a
   * connected socket, so only then do flows follow the reader's CPU.
   */
  readonly connected: boolean;
  /** Record with tracefs (off only to measure the tracing overhead). */
  readonly trace: boolean;
  /**
   * The datagrams' IP version: IPv4 (udp_rcv, the Udp row) or IPv6 (udpv6_rcv, Udp6 in snmp6).
   * Absent in recordings made before it was kept: IPv4 (familyOf).
   */
  readonly family?: LiveFamily;
}

export type LiveFamily = 'inet' | 'inet6';

/** A configuration's IP version, IPv4 where a recording predates the field. */
export const familyOf = (c: Pick<LiveConfig, 'family'>): LiveFamily => c.family ?? 'inet';

/** Knobs a live run can set: global sysctls under /proc/sys, and per-queue sysfs files. */
export const LIVE_GLOBAL_SYSCTLS = [
  'net.core.netdev_max_backlog',
  'net.core.rps_sock_flow_entries',
  'net.core.flow_limit_cpu_bitmap',
  'net.core.flow_limit_table_len',
  'net.core.netdev_budget',
  'net.core.netdev_budget_usecs',
  'net.core.dev_weight',
  'net.core.skb_defer_max',
] as const;
export const LIVE_QUEUE_KNOBS = ['rx-N/rps_cpus', 'rx-N/rps_flow_cnt'] as const;
const SETTABLE: ReadonlySet<string> = new Set([...LIVE_GLOBAL_SYSCTLS, ...LIVE_QUEUE_KNOBS]);

/** Bounds that keep a run small (the kernel allows more queues; a run never needs them). */
export const LIVE_QUEUES_MAX = 64;
export const LIVE_FLOWS_MAX = 1024;
export const LIVE_PACKETS_MAX = 1_000_000;

export function allCpusMask(cpuCount: number): number {
  return cpuCount >= 32 ? 0xffff_ffff : 2 ** cpuCount - 1;
}

/**
 * The default run: RPS over every CPU on 2 queues, 16 flows x 100 packets (enough flows that the
 * hashes land on more than one CPU), a prompt reader.
 */
export function defaultLiveConfig(cpuCount: number): LiveConfig {
  return {
    queues: 2,
    sysctl: { 'rx-N/rps_cpus': allCpusMask(cpuCount) },
    flows: 16,
    packets: 1600,
    payloadBytes: 64,
    senderCpu: 0,
    receiverCpu: cpuCount - 1,
    rcvbufBytes: 0,
    readDelayMs: 0,
    durationMs: 10_000,
    connected: false,
    trace: true,
    family: 'inet',
  };
}

/** Named configurations: `overload` is a tiny backlog and a slow reader with a small buffer. */
/** A named configuration, or the sentence refusing an unknown name. */
export function presetConfig(name: string, cpuCount: number): Result<LiveConfig, string> {
  const config = presetNamed(name, cpuCount);
  return config === undefined
    ? err(`unknown --preset ${name}: want default, overload, rfs, rfs-connected or single-cpu`)
    : ok(config);
}

function presetNamed(name: string, cpuCount: number): LiveConfig | undefined {
  const base = defaultLiveConfig(cpuCount);
  switch (name) {
    case 'default':
      return base;
    case 'overload':
      return {
        ...base,
        sysctl: { ...base.sysctl, 'net.core.netdev_max_backlog': 4 },
        rcvbufBytes: 4096,
        readDelayMs: 1500,
      };
    case 'rfs':
      return {
        ...base,
        sysctl: {
          ...base.sysctl,
          'net.core.rps_sock_flow_entries': 4096,
          'rx-N/rps_flow_cnt': 256,
        },
      };
    case 'rfs-connected':
      return {
        ...base,
        connected: true,
        sysctl: {
          // rps_map on CPU 0 only: a flow on CPU 1 got there by RFS following its reader.
          'rx-N/rps_cpus': 1,
          'net.core.rps_sock_flow_entries': 4096,
          'rx-N/rps_flow_cnt': 256,
        },
      };
    case 'single-cpu':
      return { ...base, queues: 4, sysctl: { 'rx-N/rps_cpus': 1 << (cpuCount - 1) } };
    default:
      return undefined;
  }
}

const intIn = (name: string, v: number, lo: number, hi: number): string | undefined =>
  Number.isInteger(v) && v >= lo && v <= hi ? undefined : `${name} ${v}: want an integer in ${lo}..${hi}`;

/** Checks a configuration against this machine; answers one line naming the problem and the fix. */
export function liveConfigError(c: LiveConfig, cpuCount: number): string | undefined {
  const cpu = (name: string, v: number) =>
    Number.isInteger(v) && v >= 0 && v < cpuCount
      ? undefined
      : `${name} ${v}: no such CPU (this machine has CPUs 0..${cpuCount - 1})`;
  for (const [name, value] of Object.entries(c.sysctl)) {
    const spec = linuxKnobs[name as keyof typeof linuxKnobs];
    if (spec === undefined) return `unknown sysctl ${name}: want one of ${[...SETTABLE].join(', ')}`;
    if (!SETTABLE.has(name))
      return `sysctl ${name} cannot be set on a running kernel (build-time or driver constant)`;
    const bad = intIn(name, value, spec.min, spec.max);
    if (bad !== undefined) return bad;
  }
  const mask = c.sysctl['rx-N/rps_cpus'] ?? 0;
  if (cpuCount < 32 && mask >>> cpuCount !== 0)
    return `rx-N/rps_cpus 0x${mask.toString(16)} names a CPU that does not exist (CPUs 0..${cpuCount - 1})`;
  return (
    intIn('--queues', c.queues, 1, LIVE_QUEUES_MAX) ??
    intIn('--flows', c.flows, 1, LIVE_FLOWS_MAX) ??
    intIn('--packets', c.packets, 1, LIVE_PACKETS_MAX) ??
    intIn('--payload', c.payloadBytes, 8, 1400) ??
    intIn('--rcvbuf', c.rcvbufBytes, 0, 1 << 30) ??
    intIn('--read-delay-ms', c.readDelayMs, 0, 600_000) ??
    (Number.isInteger(c.durationMs) && c.durationMs >= 1000 && c.durationMs <= 3_600_000
      ? undefined
      : `--duration ${c.durationMs / 1000}: want 1..3600 seconds`) ??
    cpu('--sender-cpu', c.senderCpu) ??
    cpu('--receiver-cpu', c.receiverCpu)
  );
}

/** The configuration in one line, as the trace's first event carries it. */
export function describeLiveConfig(c: LiveConfig): string {
  const knobs = Object.entries(c.sysctl).map(
    ([k, v]) => `${k}=${k.endsWith('_cpus') || k.endsWith('bitmap') ? `0x${v.toString(16)}` : v}`,
  );
  return [
    `queues=${c.queues}`,
    ...knobs,
    `flows=${c.flows}`,
    `packets=${c.packets}`,
    `payload=${c.payloadBytes}`,
    `sender-cpu=${c.senderCpu}`,
    `receiver-cpu=${c.receiverCpu}`,
    `rcvbuf=${c.rcvbufBytes}`,
    `read-delay-ms=${c.readDelayMs}`,
    ...(c.connected ? ['connected'] : []),
    ...(c.family === 'inet6' ? ['inet6'] : []),
  ].join(' ');
}
