import { type CpuId, cpuId } from '../brand.ts';
import { inetKnobs } from '../inet/knobs.ts';
import { DEFAULT_FREEBSD_KERNEL, type FreebsdKernel, freebsdRule, isFreebsdKernel } from '../kernels.ts';
import { type KnobValues, knobDefaults, knobError } from '../knobs.ts';
import { netisrKnobs } from '../netisr/knobs.ts';
import { renderNetstatQ } from '../netisr/netstat.ts';
import {
  effectiveQlimit,
  FREEBSD_PROTOCOLS,
  FREEBSD_RSS_2015_PROTOCOLS,
  FREEBSD_RSS_PROTOCOLS,
  type ProtocolRegistration,
} from '../netisr/protocols.ts';
import { err, ok, type Result } from '../result.ts';
import { type BucketTable, defaultBucketTable, makeBucketTable } from '../rss/buckets.ts';
import type { RssHashConfig } from '../rss/flowhash.ts';
import { rssKnobs } from '../rss/knobs.ts';
import type { NetisrWorkRow } from '../trace.ts';
import type { ModelVariant } from '../variants.ts';
import { DEFAULT_RUN_LIMITS, hostKnobs, type RunLimits } from './knobs.ts';

export type KernelFlavour = 'freebsd' | 'freebsd-rss';

export const hostSysctlKnobs = { ...netisrKnobs, ...rssKnobs, ...hostKnobs, ...inetKnobs } as const;
export type HostSysctls = KnobValues<typeof hostSysctlKnobs>;

/** What a run is configured with; everything optional has the kernel's default. */
export interface HostConfig {
  /** GENERIC (`freebsd`) or GENERIC with `options RSS` (`freebsd-rss`). */
  readonly kernel?: KernelFlavour;
  /** The FreeBSD version whose rules the run follows (model/kernels.ts); default freebsd-14. */
  readonly version?: FreebsdKernel;
  /** 1..64 CPUs. */
  readonly cpuCount: number;
  readonly rxRingCount?: number;
  /** The CPU of each rx ring's interrupt thread; default ring r -> CPU r % cpuCount. */
  readonly ringCpus?: readonly number[];
  /** The RSS indirection table bucket -> CPU; default R-5 round robin. Length: a power of two. */
  readonly bucketCpus?: readonly number[];
  readonly sysctl?: Partial<HostSysctls>;
  /** Per-protocol queue limits (nh_qlimit / net.inet.ip.intr_queue_maxlen), by protocol name. */
  readonly qlimits?: Readonly<Record<string, number>>;
  /** Protocols registered besides the kernel's own (e.g. ipsec with deferral). */
  readonly extraProtocols?: readonly ProtocolRegistration[];
  readonly variants?: readonly ModelVariant[];
  readonly limits?: Partial<RunLimits>;
  readonly frameBytes?: Readonly<Record<string, number>>;
}

/** A configuration after the kernel's boot fix-ups: every field concrete. */
export interface ResolvedHostConfig {
  readonly kernel: KernelFlavour;
  readonly version: FreebsdKernel;
  readonly cpuCount: number;
  readonly rxRingCount: number;
  readonly ringCpus: readonly CpuId[];
  readonly buckets: BucketTable;
  readonly sysctl: HostSysctls;
  /** nws_array after netisr_init / netisr_start. */
  readonly workstreamCpus: readonly CpuId[];
  readonly protocols: readonly { readonly reg: ProtocolRegistration; readonly qlimitPackets: number }[];
  readonly hashConfig: RssHashConfig;
  readonly variants: ReadonlySet<ModelVariant>;
  readonly limits: RunLimits;
  readonly kstackBytes: number;
  readonly frameBytes: Readonly<Record<string, number>>;
}

/** netisr_init: 0 or < -1 -> 1; -1 -> mp_ncpus; above mp_ncpus -> mp_ncpus ("forcing maxthreads"). */
export function resolveMaxthreads(maxthreads: number, cpuCount: number): number {
  if (maxthreads === -1) return cpuCount;
  return Math.min(Math.max(maxthreads, 1), cpuCount);
}

function checkCpuList(name: string, list: readonly number[], cpuCount: number): string | undefined {
  const bad = list.find((c) => !Number.isInteger(c) || c < 0 || c >= cpuCount);
  return bad === undefined ? undefined : `${name}: CPU ${bad} outside 0..${cpuCount - 1}`;
}

/** The knob table's defaults, worked out once (every run resolves a configuration). */
let defaults: HostSysctls | undefined;
function hostSysctlDefaults(): HostSysctls {
  defaults ??= knobDefaults(hostSysctlKnobs) as HostSysctls;
  return defaults;
}

function sysctlError(name: string, value: unknown): string | undefined {
  const spec = hostSysctlKnobs[name as keyof typeof hostSysctlKnobs];
  return spec === undefined ? `unknown sysctl ${name}` : knobError(name, spec, value);
}

/**
 * The first bad setting of `sysctl` (the defaults merged with `given`), in its key order. The
 * defaults are the table's own, so only what the run sets can be bad: the merged whole is walked
 * only to name the same first bad setting.
 */
function checkSysctls(given: Partial<HostSysctls>, sysctl: HostSysctls): string | undefined {
  let bad = false;
  for (const name in given) bad ||= sysctlError(name, given[name as keyof HostSysctls]) !== undefined;
  if (!bad) return undefined;
  for (const [name, value] of Object.entries(sysctl)) {
    const error = sysctlError(name, value);
    if (error !== undefined) return error;
  }
  return undefined;
}

/**
 * The kernel's own protocol table: GENERIC's, or with `options RSS` the table of the version
 * (rss-ip6-cpu-hybrid, model/kernels.ts).
 */
export function kernelProtocols(
  kernel: KernelFlavour,
  version: FreebsdKernel = DEFAULT_FREEBSD_KERNEL,
): readonly ProtocolRegistration[] {
  if (kernel !== 'freebsd-rss') return FREEBSD_PROTOCOLS;
  return freebsdRule(version, 'rss-ip6-cpu-hybrid') ? FREEBSD_RSS_PROTOCOLS : FREEBSD_RSS_2015_PROTOCOLS;
}

/** Registrations in protocol-number order; a sentence when one is registered twice. */
function inOrder(regs: ProtocolRegistration[]): readonly ProtocolRegistration[] | string {
  regs.sort((a, b) => a.proto - b.proto);
  // netisr_register: a protocol number or name registered twice is a kernel panic (KASSERT).
  const twice = regs.find((r, i) => regs.some((o, j) => j < i && (o.proto === r.proto || o.name === r.name)));
  return twice === undefined ? regs : `protocol ${twice.name} (${twice.proto}) registered twice`;
}

/** A kernel's own table in protocol-number order, worked out once per table (there are three). */
const kernelTables = new Map<readonly ProtocolRegistration[], readonly ProtocolRegistration[] | string>();
function kernelTableInOrder(base: readonly ProtocolRegistration[]): readonly ProtocolRegistration[] | string {
  let regs = kernelTables.get(base);
  if (regs === undefined) {
    regs = inOrder([...base]);
    kernelTables.set(base, regs);
  }
  return regs;
}

/**
 * netisr_register over the kernel's table and the extra protocols, in protocol-number order, with
 * each queue limit resolved (netisr_setqlimit). Answers a sentence on bad input.
 */
function registerProtocols(
  base: readonly ProtocolRegistration[],
  config: HostConfig,
  sysctl: HostSysctls,
): Result<ResolvedHostConfig['protocols'], string> {
  const maxqlimit = sysctl['net.isr.maxqlimit'];
  const defaultqlimit = Math.min(sysctl['net.isr.defaultqlimit'], maxqlimit);
  const regs =
    config.extraProtocols === undefined
      ? kernelTableInOrder(base)
      : inOrder([...base, ...config.extraProtocols]);
  if (typeof regs === 'string') return err(regs);
  const protocols = [];
  for (const reg of regs) {
    const asked = config.qlimits?.[reg.name];
    if (asked !== undefined && (!Number.isInteger(asked) || asked < 1 || asked > maxqlimit)) {
      // netisr_setqlimit: above maxqlimit (or below 1 via the sysctl handlers) is EINVAL.
      return err(`qlimit for ${reg.name}: ${asked} outside 1..${maxqlimit} (EINVAL)`);
    }
    protocols.push({ reg, qlimitPackets: asked ?? effectiveQlimit(reg, defaultqlimit, maxqlimit) });
  }
  for (const name of Object.keys(config.qlimits ?? {})) {
    if (!regs.some((r) => r.name === name)) return err(`qlimit for ${name}: no such netisr protocol`);
  }
  return ok(protocols);
}

/** CPUs 0..count-1, frozen and shared: every run's nws_array is one of at most 64 such lists. */
const firstCpuLists: (readonly CpuId[])[] = [];
function firstCpus(count: number): readonly CpuId[] {
  let cpus = firstCpuLists[count];
  if (cpus === undefined) {
    cpus = Object.freeze(Array.from({ length: count }, (_, i) => cpuId(i)));
    firstCpuLists[count] = cpus;
  }
  return cpus;
}

/**
 * Validates and resolves a configuration, applying the boot fix-ups in one place. Answers an error
 * sentence for bad input (exit 2 at the CLI), never throws.
 */
export function resolveHostConfig(config: HostConfig): Result<ResolvedHostConfig, string> {
  const { cpuCount } = config;
  if (!Number.isInteger(cpuCount) || cpuCount < 1 || cpuCount > 64)
    return err(`cpuCount ${cpuCount}: want 1..64`);
  const sysctl = { ...hostSysctlDefaults(), ...config.sysctl } as HostSysctls;
  const sysctlError = config.sysctl === undefined ? undefined : checkSysctls(config.sysctl, sysctl);
  if (sysctlError !== undefined) return err(sysctlError);
  const rxRingCount = config.rxRingCount ?? 1;
  if (!Number.isInteger(rxRingCount) || rxRingCount < 1 || rxRingCount > 64)
    return err(`rxRingCount ${rxRingCount}: want 1..64`);
  const ringCpus = config.ringCpus ?? Array.from({ length: rxRingCount }, (_, r) => r % cpuCount);
  if (ringCpus.length !== rxRingCount)
    return err(`ringCpus: want ${rxRingCount} entries, got ${ringCpus.length}`);
  const bucketCpus = config.bucketCpus;
  const listError =
    checkCpuList('ringCpus', ringCpus, cpuCount) ??
    (bucketCpus && checkCpuList('bucketCpus', bucketCpus, cpuCount));
  if (listError) return err(listError);
  if (
    bucketCpus &&
    (bucketCpus.length === 0 ||
      (bucketCpus.length & (bucketCpus.length - 1)) !== 0 ||
      bucketCpus.length > 128)
  ) {
    return err(`bucketCpus: want a power-of-two length up to 128, got ${bucketCpus.length}`);
  }
  const kernel = config.kernel ?? 'freebsd';
  const version = config.version ?? DEFAULT_FREEBSD_KERNEL;
  if (!isFreebsdKernel(version))
    return err(`version ${String(version)}: want freebsd-14 or freebsd-rss-2015`);
  const maxthreads = resolveMaxthreads(sysctl['net.isr.maxthreads'], cpuCount);
  const protocols = registerProtocols(kernelProtocols(kernel, version), config, sysctl);
  if (!protocols.ok) return protocols;
  const variants = new Set(config.variants ?? []);
  return ok({
    kernel,
    version,
    cpuCount,
    rxRingCount,
    ringCpus: ringCpus.map(cpuId),
    buckets: bucketCpus
      ? makeBucketTable(bucketCpus.map(cpuId))
      : defaultBucketTable(cpuCount, sysctl['net.inet.rss.bits']),
    sysctl,
    // netisr_init starts the boot CPU's thread first, then netisr_start walks the other CPUs.
    workstreamCpus: firstCpus(maxthreads),
    protocols: protocols.value,
    hashConfig: {
      udp4Tuple: sysctl['net.inet.rss.udp_4tuple'] || variants.has('rss-udp-4tuple-default'),
    },
    variants,
    limits: { ...DEFAULT_RUN_LIMITS, ...config.limits },
    kstackBytes: sysctl['kern.kstack_pages'] * sysctl['hw.pagesize'],
    frameBytes: config.frameBytes ?? {},
  });
}

/** `netstat -Q` of a host's netisr rows, under the configuration its boot fix-ups settled. */
export function hostNetstatQ(cfg: ResolvedHostConfig, rows: readonly NetisrWorkRow[]): string {
  return renderNetstatQ(
    {
      numthreads: cfg.workstreamCpus.length,
      maxthreads: cfg.workstreamCpus.length,
      defaultqlimit: Math.min(cfg.sysctl['net.isr.defaultqlimit'], cfg.sysctl['net.isr.maxqlimit']),
      maxqlimit: cfg.sysctl['net.isr.maxqlimit'],
      dispatch: cfg.sysctl['net.isr.dispatch'],
      bindthreads: cfg.sysctl['net.isr.bindthreads'],
      protocols: cfg.protocols,
    },
    rows,
  );
}
