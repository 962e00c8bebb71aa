import fc from 'fast-check';
import type { HostConfig, HostSysctls, KernelFlavour } from '../../model/host/config.ts';
import { hostKnobs } from '../../model/host/knobs.ts';
import { type NetisrDispatchPolicy, netisrKnobs } from '../../model/netisr/knobs.ts';
import { RSS_MAXBITS, RSS_MAXCPUS } from '../../model/rss/knobs.ts';
import { plainRecord } from './plain-record.ts';

/** Constraints of the configuration arbitrary; ranges default to the knob tables' bounds. */
export interface HostConfigConstraints {
  /** @defaultValue 1 */
  readonly cpuCountMin?: number;
  /** @defaultValue RSS_MAXCPUS (64) */
  readonly cpuCountMax?: number;
  /** @defaultValue both flavours */
  readonly kernels?: readonly KernelFlavour[];
  /** @defaultValue every value of net.isr.dispatch */
  readonly dispatches?: readonly NetisrDispatchPolicy[];
}

/** Tiers of CPU counts, most weight on small machines; every tier has non-powers of two. */
const CPU_TIERS: readonly (readonly [number, number, number])[] = [
  [1, 4, 6],
  [1, 8, 3],
  [1, RSS_MAXCPUS, 1],
];

/** CPU counts in [min, max], biased small (1..4 most of the time), shrinking toward min. */
export function cpuCountArb(min = 1, max: number = RSS_MAXCPUS): fc.Arbitrary<number> {
  const tiers = CPU_TIERS.flatMap(([lo, hi, weight]) => {
    const a = Math.max(lo, min);
    const b = Math.min(hi, max);
    return a <= b ? [{ weight, arbitrary: fc.integer({ min: a, max: b }) }] : [];
  });
  // Cross-shrink: a failure found on 37 CPUs also tries the small tier, so it shrinks toward `min`.
  return tiers.length > 0 ? fc.oneof({ withCrossShrink: true }, ...tiers) : fc.constant(min);
}

/** Queue limits with the tiny ones that make drops reachable: 1, 2, a few, the default. */
export function qlimitArb(): fc.Arbitrary<number> {
  const max = netisrKnobs['net.isr.maxqlimit'].max;
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 3, arbitrary: fc.constantFrom(1, 2) },
    { weight: 3, arbitrary: fc.integer({ min: 3, max: 8 }) },
    { weight: 1, arbitrary: fc.constant(netisrKnobs['net.isr.defaultqlimit'].default) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max }) },
  );
}

/** CPU-count independent raw draws, folded into range by `toHostConfig` (no fc.chain: better shrinking). */
const rawConfigArb = (c: HostConfigConstraints) =>
  plainRecord({
    cpuCount: cpuCountArb(c.cpuCountMin ?? 1, c.cpuCountMax ?? RSS_MAXCPUS),
    kernel: fc.constantFrom(...(c.kernels ?? (['freebsd', 'freebsd-rss'] as const))),
    dispatch: fc.constantFrom(...(c.dispatches ?? netisrKnobs['net.isr.dispatch'].values)),
    rxRingCount: fc.integer({ min: 1, max: 4 }),
    ringCpus: fc.option(fc.array(fc.nat({ max: RSS_MAXCPUS - 1 }), { minLength: 4, maxLength: 4 })),
    bucketTable: fc.option(
      plainRecord({
        bits: fc.integer({ min: 0, max: Math.min(5, RSS_MAXBITS) }),
        owners: fc.array(fc.nat({ max: RSS_MAXCPUS - 1 }), { minLength: 32, maxLength: 32 }),
      }),
    ),
    maxthreads: fc.oneof(
      { withCrossShrink: true },
      fc.constant(-1),
      fc.constant(netisrKnobs['net.isr.maxthreads'].default),
      fc.integer({ min: 2, max: 8 }),
    ),
    bindthreads: fc.boolean(),
    qlimitIp: qlimitArb(),
    qlimitIp6: qlimitArb(),
    rxdDescriptors: fc.oneof(
      { withCrossShrink: true },
      { weight: 4, arbitrary: fc.constant(hostKnobs['hw.ix.rxd'].default) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }) },
    ),
    udp4Tuple: fc.boolean(),
  });

type RawConfig = typeof rawConfigArb extends (c: HostConfigConstraints) => fc.Arbitrary<infer R> ? R : never;

/**
 * Folds raw draws into a valid HostConfig: CPU lists modulo the CPU count, bucket tables of 2^bits.
 * Sysctls at their kernel default are left out, so a printed counterexample shows only what differs.
 */
export function toHostConfig(raw: RawConfig): HostConfig {
  const { cpuCount } = raw;
  const ringCpus = raw.ringCpus?.slice(0, raw.rxRingCount).map((c) => c % cpuCount);
  const bucketCpus = raw.bucketTable?.owners.slice(0, 1 << raw.bucketTable.bits).map((c) => c % cpuCount);
  const sysctl: Partial<HostSysctls> = {
    'net.isr.dispatch': raw.dispatch,
    'net.isr.maxthreads': raw.maxthreads,
  };
  if (raw.bindthreads) sysctl['net.isr.bindthreads'] = true;
  if (raw.rxdDescriptors !== hostKnobs['hw.ix.rxd'].default) sysctl['hw.ix.rxd'] = raw.rxdDescriptors;
  if (raw.udp4Tuple) sysctl['net.inet.rss.udp_4tuple'] = true;
  return {
    kernel: raw.kernel,
    cpuCount,
    rxRingCount: raw.rxRingCount,
    ...(ringCpus ? { ringCpus } : {}),
    ...(bucketCpus ? { bucketCpus } : {}),
    sysctl,
    qlimits: { ip: raw.qlimitIp, ip6: raw.qlimitIp6 },
  };
}

/**
 * HostConfig: 1..64 CPUs biased small (non-powers of two included), 1..4 rx rings on any CPUs,
 * default or non-identity bucket tables (1..32 buckets), maxthreads -1 / 1 / 2..8, qlimits down to
 * 1 and 2, every net.isr.dispatch, both kernel flavours, sometimes tiny rx rings.
 */
export function hostConfigArb(c: HostConfigConstraints = {}): fc.Arbitrary<HostConfig> {
  return rawConfigArb(c).map(toHostConfig);
}
