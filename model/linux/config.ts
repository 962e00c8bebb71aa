import { type CpuId, cpuId } from '../brand.ts';
import { DEFAULT_RUN_LIMITS, type RunLimits } from '../host/knobs.ts';
import { type KnobValues, knobDefaults, knobError } from '../knobs.ts';
import { err, ok, type Result } from '../result.ts';
import type { ModelVariant } from '../variants.ts';
import { linuxKnobs } from './knobs.ts';
import {
  DEFAULT_LINUX_KERNEL,
  isLinuxKernel,
  type LinuxKernel,
  type LinuxRuleSet,
  linuxRules,
} from './versions.ts';

export type LinuxSysctls = KnobValues<typeof linuxKnobs>;

/** One UDP socket of the run: bound to a port (and a multicast group), read by one thread. */
export interface LinuxSocketSpec {
  readonly port: number;
  /** A multicast group the socket joined (IP_ADD_MEMBERSHIP); unset: unicast to the host. */
  readonly group?: string;
  /** sk_rcvbuf; default net.core.rmem_default (SO_RCVBUF would double its argument). */
  readonly rcvbufBytes?: number;
  /** CPUs the reading thread may run on; the schedule picks among them at each read. */
  readonly readerCpus?: readonly number[];
  /**
   * connect()ed (sk_state TCP_ESTABLISHED): only such a socket saves sk_rxhash and is recorded
   * for RFS (include/net/rps.h sock_rps_record_flow; udp_queue_rcv_one_skb saves the hash only
   * with a peer set). Default false, as for a socket that is only bound: RFS never steers it.
   */
  readonly connected?: boolean;
}

/** What a Linux run is configured with; everything optional has the kernel's default. */
export interface LinuxHostConfig {
  /** The Linux version whose rules the run follows (model/linux/versions.ts); default linux-6.18. */
  readonly kernel?: LinuxKernel;
  /** 1..32 CPUs (rps_cpus is one 32-bit mask here). */
  readonly cpuCount: number;
  readonly rxRingCount?: number;
  /** The CPU each ring's IRQ (and so its NAPI) is bound to; default ring r -> CPU r % cpuCount. */
  readonly ringCpus?: readonly number[];
  readonly sysctl?: Partial<LinuxSysctls>;
  readonly sockets?: readonly LinuxSocketSpec[];
  /**
   * The UDP receive path before 4.10: bh_lock_sock, and sk_add_backlog while the reader owns the
   * socket (U6). From 4.10 UDP enqueues straight to sk_receive_queue.
   */
  readonly udpSocketBacklog?: boolean;
  /** Flows whose skbs arrive decrypted by IPsec offload: they carry a secpath (xfrm state ref). */
  readonly secpathFlows?: readonly number[];
  readonly variants?: readonly ModelVariant[];
  readonly limits?: Partial<RunLimits>;
}

export interface ResolvedSocket {
  readonly index: number;
  readonly port: number;
  readonly group: string | undefined;
  readonly rcvbufBytes: number;
  readonly readerCpus: readonly CpuId[];
  readonly connected: boolean;
}

export interface ResolvedLinuxConfig {
  readonly kernel: LinuxKernel;
  /** The versioned rules of `kernel`, looked up once. */
  readonly rules: LinuxRuleSet;
  readonly cpuCount: number;
  readonly ringCpus: readonly CpuId[];
  readonly sysctl: LinuxSysctls;
  /** rps_map->cpus of every rx queue, from rx-N/rps_cpus (R6). */
  readonly rpsCpus: readonly CpuId[];
  readonly sockets: readonly ResolvedSocket[];
  readonly udpSocketBacklog: boolean;
  readonly secpathFlows: ReadonlySet<number>;
  readonly variants: ReadonlySet<ModelVariant>;
  readonly limits: RunLimits;
  /** One jiffy in virtual ns (1e9 / HZ). */
  readonly jiffyNs: number;
}

/** The kernel's defaults, worked out once (a run copies them before its own values go in). */
// Not frozen: spreading a frozen object takes V8's slow path.
const LINUX_SYSCTL_DEFAULTS: Readonly<LinuxSysctls> = knobDefaults(linuxKnobs);

/** Ring r's IRQ on CPU r % cpuCount. */
function defaultRingCpus(rings: number, cpuCount: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rings; r++) out.push(r % cpuCount);
  return out;
}

/** A Set of the list's values, added one by one (the Set constructor walks an iterator). */
function setOf<T>(list: readonly T[] | undefined): Set<T> {
  const out = new Set<T>();
  if (list !== undefined) for (const v of list) out.add(v);
  return out;
}

/** roundup_pow_of_two, as the sysctl handlers apply it to table sizes (0 stays 0: 2 ** -Infinity). */
export function roundupPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}

function checkCpus(name: string, list: readonly number[], cpuCount: number): string | undefined {
  const bad = list.find((c) => !Number.isInteger(c) || c < 0 || c >= cpuCount);
  return bad === undefined ? undefined : `${name}: CPU ${bad} outside 0..${cpuCount - 1}`;
}

function resolveSockets(
  specs: readonly LinuxSocketSpec[],
  cpuCount: number,
  rmemDefault: number,
): Result<ResolvedSocket[], string> {
  const out: ResolvedSocket[] = [];
  for (const [index, s] of specs.entries()) {
    if (!Number.isInteger(s.port) || s.port < 1 || s.port > 0xffff)
      return err(`socket ${index}: port ${s.port} outside 1..65535`);
    const rcvbuf = s.rcvbufBytes ?? rmemDefault;
    if (!Number.isInteger(rcvbuf) || rcvbuf < 1)
      return err(`socket ${index}: rcvbufBytes ${rcvbuf} must be a positive integer`);
    const readers = s.readerCpus ?? [index % cpuCount];
    if (readers.length === 0) return err(`socket ${index}: readerCpus is empty`);
    const bad = checkCpus(`socket ${index} readerCpus`, readers, cpuCount);
    if (bad !== undefined) return err(bad);
    out.push({
      index,
      port: s.port,
      group: s.group,
      rcvbufBytes: rcvbuf,
      readerCpus: readers.map(cpuId),
      connected: s.connected ?? false,
    });
  }
  return ok(out);
}

/**
 * Validates a configuration and applies the kernel's fix-ups in one place: table sizes rounded up
 * to powers of two (rps_sock_flow_sysctl, store_rps_dev_flow_table_cnt), the rps_cpus mask turned
 * into rps_map (store_rps_map, CPUs in ascending order). Answers a sentence on bad input.
 */
export function resolveLinuxConfig(config: LinuxHostConfig): Result<ResolvedLinuxConfig, string> {
  const { cpuCount } = config;
  if (!Number.isInteger(cpuCount) || cpuCount < 1 || cpuCount > 32)
    return err(`cpuCount ${cpuCount}: want 1..32`);
  const kernel = config.kernel ?? DEFAULT_LINUX_KERNEL;
  if (!isLinuxKernel(kernel)) return err(`kernel ${String(kernel)}: want linux-6.18 or linux-6.6`);
  // The defaults' clone is one shape; the run's values are copied in one by one (spreading objects
  // of a different shape every run takes V8's slow path).
  const values: Record<string, unknown> = { ...LINUX_SYSCTL_DEFAULTS };
  const given: Readonly<Record<string, unknown>> = config.sysctl ?? {};
  let unknown: string | undefined;
  for (const name of Object.keys(given)) {
    if (Object.hasOwn(linuxKnobs, name)) values[name] = given[name];
    else unknown ??= name;
  }
  // Checked in the knob table's order, then the first unknown name, as a spread of the two would.
  for (const name of Object.keys(values)) {
    const value = values[name];
    const knob = name as keyof typeof linuxKnobs;
    // A default is valid (the knob table's own test): only values the run gave are checked.
    if (value === LINUX_SYSCTL_DEFAULTS[knob]) continue;
    const error = knobError(name, linuxKnobs[knob], value);
    if (error !== undefined) return err(error);
  }
  if (unknown !== undefined) return err(`unknown sysctl ${unknown}`);
  const merged = values as LinuxSysctls;
  const sysctl: LinuxSysctls = {
    ...merged,
    'net.core.rps_sock_flow_entries': roundupPowerOfTwo(merged['net.core.rps_sock_flow_entries']),
    'rx-N/rps_flow_cnt': roundupPowerOfTwo(merged['rx-N/rps_flow_cnt']),
    'net.core.flow_limit_table_len': roundupPowerOfTwo(merged['net.core.flow_limit_table_len']),
  };
  const rings = config.rxRingCount ?? config.ringCpus?.length ?? cpuCount;
  if (!Number.isInteger(rings) || rings < 1 || rings > 64) return err(`rxRingCount ${rings}: want 1..64`);
  const ringCpus = config.ringCpus ?? defaultRingCpus(rings, cpuCount);
  if (ringCpus.length !== rings) return err(`ringCpus has ${ringCpus.length} entries for ${rings} rings`);
  const badRing = checkCpus('ringCpus', ringCpus, cpuCount);
  if (badRing !== undefined) return err(badRing);
  const mask = sysctl['rx-N/rps_cpus'];
  const rpsCpus: CpuId[] = [];
  for (let c = 0; c < cpuCount; c++) if ((mask >>> c) & 1) rpsCpus.push(cpuId(c));
  if (mask >>> cpuCount !== 0 && cpuCount < 32)
    return err(`rx-N/rps_cpus 0x${mask.toString(16)} names CPUs beyond ${cpuCount - 1}`);
  const sockets = resolveSockets(config.sockets ?? [], cpuCount, sysctl['net.core.rmem_default']);
  if (!sockets.ok) return sockets;
  return ok({
    kernel,
    rules: linuxRules(kernel),
    cpuCount,
    ringCpus: ringCpus.map(cpuId),
    sysctl,
    rpsCpus,
    sockets: sockets.value,
    udpSocketBacklog: config.udpSocketBacklog ?? false,
    secpathFlows: setOf(config.secpathFlows),
    variants: setOf(config.variants),
    limits: { ...DEFAULT_RUN_LIMITS, ...config.limits },
    jiffyNs: Math.floor(1_000_000_000 / sysctl['kernel.HZ']),
  });
}
