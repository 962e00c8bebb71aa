import fc from 'fast-check';
import { NS_PER_MS, NS_PER_SECOND } from '../../model/brand.ts';
import type { HostConfig } from '../../model/host/config.ts';
import type { Workload, WorkloadItem } from '../../model/host/workload.ts';
import type { InetSysctls } from '../../model/inet/reass-limits.ts';
import type { FragmentFields } from '../../model/packet.ts';
import type { FlowSpec } from '../../model/rss/flowhash.ts';
import { plainRecord } from './plain-record.ts';

/**
 * Fragment streams for the reassembly properties: a few flows (v4 and v6; TCP, UDP, ICMP) whose
 * datagrams are cut into fragments of 8..256 bytes, or sent whole, then perturbed per datagram
 * (reordered, fragments duplicated or lost, a forged overlapping fragment added) and interleaved
 * with each other; plus attack noise (tiny, zero-length and teardrop-style fragments, endless
 * fragments of one datagram) and idle pauses long enough for the reassembly timeouts.
 */

/** v4 flows share a small address pool, so UDP and TCP datagrams can carry the same (src, dst, id). */
const flowArb = plainRecord({
  v6: fc.boolean(),
  /** Index into the allowed protocols (TCP, UDP, ICMP by default). */
  ipProto: fc.nat({ max: 2 }),
  src: fc.nat({ max: 1 }),
  sport: fc.integer({ min: 1, max: 0xffff }),
  dport: fc.integer({ min: 1, max: 0xffff }),
});

type RawFlow = typeof flowArb extends fc.Arbitrary<infer F> ? F : never;

/**
 * null most of the time, a value one time in six. Cross-shrinking lets a drawn value shrink to
 * null (the perturbation gone), not only to a smaller perturbation; generation is unchanged.
 */
function rarely<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 5, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: arb },
  );
}

const datagramArb = plainRecord({
  flow: fc.nat(),
  /**
   * Fragments the sender cuts; 1: the datagram is sent whole. Up to 20, past maxfragsperpacket.
   * A long datagram shrinks into the short range too (cross-shrink), so a counterexample keeps
   * two or three fragments, not seven.
   */
  fragments: fc.oneof(
    { withCrossShrink: true },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 6 }) },
    { weight: 1, arbitrary: fc.integer({ min: 7, max: 20 }) },
  ),
  fragmentBytes: fc.constantFrom(8, 16, 24, 64, 256),
  /** Bytes in the last fragment, folded into 1 .. fragmentBytes. */
  lastBytes: fc.nat(),
  /** Sort keys for the fragments: all zero keeps offset order; shrinking goes there. */
  order: fc.array(fc.nat({ max: 7 }), { maxLength: 12 }),
  duplicate: fc.oneof(
    { withCrossShrink: true },
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) },
  ),
  lose: rarely(fc.nat()),
  forged: rarely(
    plainRecord({
      offset8: fc.nat({ max: 60 }),
      length8: fc.integer({ min: 1, max: 6 }),
      last: fc.boolean(),
      at: fc.nat(),
    }),
  ),
  /** Where the datagram starts in the interleaving. */
  position: fc.nat({ max: 30 }),
});

type RawDatagram = typeof datagramArb extends fc.Arbitrary<infer D> ? D : never;

const noiseArb = fc.oneof(
  {
    weight: 3,
    arbitrary: plainRecord({
      kind: fc.constant('pause' as const),
      ns: fc.constantFrom(NS_PER_MS, 31 * NS_PER_SECOND, 61 * NS_PER_SECOND),
      position: fc.nat({ max: 40 }),
    }),
  },
  {
    weight: 2,
    arbitrary: plainRecord({
      kind: fc.constant('tiny' as const),
      flow: fc.nat(),
      bad: fc.constantFrom('zero', 'odd', 'teardrop', 'oversize'),
      position: fc.nat({ max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: plainRecord({
      kind: fc.constant('endless' as const),
      flow: fc.nat(),
      count: fc.integer({ min: 10, max: 40 }),
      position: fc.nat({ max: 40 }),
    }),
  },
);

type Noise = typeof noiseArb extends fc.Arbitrary<infer N> ? N : never;

function flowSpec(f: RawFlow, ipProto: number, index: number): FlowSpec {
  // v6 flows get their own source, so no two v6 flows share a key space (the RFC key has no protocol).
  return f.v6
    ? {
        family: 'inet6',
        ipProto,
        src: `2001:db8::${index + 1}`,
        dst: '2001:db8:ff::1',
        sport: f.sport,
        dport: f.dport,
      }
    : {
        family: 'inet',
        ipProto,
        src: `10.9.0.${f.src + 1}`,
        dst: '10.1.0.1',
        sport: f.sport,
        dport: f.dport,
      };
}

interface Placed {
  readonly key: number;
  readonly item: WorkloadItem;
}

const frag = (flow: number, f: FragmentFields): WorkloadItem => ({
  kind: 'packet',
  flow,
  payloadBytes: f.lengthBytes,
  fragment: f,
});

/** The fragments of one datagram after its perturbations, with interleaving keys. */
function datagramItems(d: RawDatagram, flow: number, ipId: number): Placed[] {
  const bytes = (d.fragments - 1) * d.fragmentBytes + 1 + (d.lastBytes % d.fragmentBytes);
  if (bytes <= d.fragmentBytes)
    return [{ key: d.position * 2, item: { kind: 'packet', flow, payloadBytes: bytes } }];
  const pieces: FragmentFields[] = [];
  for (let off = 0; off < bytes; off += d.fragmentBytes) {
    const len = Math.min(d.fragmentBytes, bytes - off);
    pieces.push({
      ipId,
      offsetBytes: off,
      lengthBytes: len,
      moreFragments: off + len < bytes,
      datagramBytes: bytes,
    });
  }
  const keyed = pieces.map((f, i) => ({ f, k: d.order[i] ?? 0, i }));
  if (d.lose !== null) keyed.splice(d.lose % keyed.length, 1);
  for (const dup of d.duplicate) {
    const copy = keyed[dup % Math.max(keyed.length, 1)];
    if (copy !== undefined) keyed.push({ ...copy, k: copy.k + 1 });
  }
  if (d.forged !== null) {
    // Forged bytes over the sender's: an overlap attack (or, past the end, a bad last fragment).
    const offsetBytes = (d.forged.offset8 % (Math.floor((bytes - 1) / 8) + 1)) * 8;
    const last = d.forged.last;
    const lengthBytes = last ? bytes - offsetBytes : d.forged.length8 * 8;
    const f = {
      ipId,
      offsetBytes,
      lengthBytes,
      moreFragments: !last,
      datagramBytes: bytes,
      contentVersion: 1,
    };
    keyed.push({ f, k: d.forged.at % 8, i: keyed.length });
  }
  keyed.sort((a, b) => a.k - b.k || a.i - b.i);
  // Datagrams that start close together interleave fragment by fragment.
  return keyed.map((x, n) => ({ key: d.position * 2 + n, item: frag(flow, x.f) }));
}

function noiseItems(n: Noise, flowCount: number, ids: (flow: number) => number): Placed[] {
  const key = n.position * 2 + 1;
  if (n.kind === 'pause') return [{ key, item: { kind: 'pause', ns: n.ns } }];
  const flow = n.flow % flowCount;
  const ipId = ids(flow);
  if (n.kind === 'endless') {
    return Array.from({ length: n.count }, (_, i) => ({
      key,
      item: frag(flow, { ipId, offsetBytes: 8 + i * 8, lengthBytes: 8, moreFragments: true }),
    }));
  }
  const bad: Record<typeof n.bad, FragmentFields> = {
    zero: { ipId, offsetBytes: 8, lengthBytes: 0, moreFragments: true },
    odd: { ipId, offsetBytes: 0, lengthBytes: 12, moreFragments: true },
    teardrop: { ipId, offsetBytes: 8, lengthBytes: 4, moreFragments: false },
    oversize: { ipId, offsetBytes: 65528, lengthBytes: 16, moreFragments: false },
  };
  const teardropHead: Placed[] =
    n.bad === 'teardrop'
      ? [{ key, item: frag(flow, { ipId, offsetBytes: 0, lengthBytes: 24, moreFragments: true }) }]
      : [];
  return [...teardropHead, { key, item: frag(flow, bad[n.bad]) }];
}

export interface FragmentWorkloadConstraints {
  /** @defaultValue 1 */
  readonly flowsMin?: number;
  /** @defaultValue 4 */
  readonly flowsMax?: number;
  /** IPv4 sources to draw from; one makes every v4 flow share (src, dst). @defaultValue 2 */
  readonly v4SourcesMax?: number;
  /** @defaultValue 8 */
  readonly datagramsMax?: number;
  /** Attack noise and pauses. @defaultValue true */
  readonly noise?: boolean;
  /** Only these IP protocols. @defaultValue TCP, UDP, ICMP */
  readonly ipProtos?: readonly number[];
}

/** Fragment streams: see the module comment. Sender ids never repeat a (src, dst[, proto]) key. */
export function fragmentWorkloadArb(c: FragmentWorkloadConstraints = {}): fc.Arbitrary<Workload> {
  const protos = c.ipProtos ?? [17, 6, 1];
  return plainRecord({
    flows: fc.array(flowArb, { minLength: c.flowsMin ?? 1, maxLength: c.flowsMax ?? 4 }),
    datagrams: fc.array(datagramArb, { minLength: 1, maxLength: c.datagramsMax ?? 8 }),
    noise: c.noise === false ? fc.constant([]) : fc.array(noiseArb, { maxLength: 3 }),
  }).map(({ flows, datagrams, noise }) => {
    const sources = c.v4SourcesMax ?? 2;
    const specs = flows.map((f, i) =>
      flowSpec({ ...f, src: f.src % sources }, protos[f.ipProto % protos.length] ?? 17, i),
    );
    // One id counter per F-2 key space: v4 UDP and TCP datagrams of one source share ids on purpose.
    const counters = new Map<string, number>();
    const ids = (flow: number) => {
      const s = specs[flow];
      const space =
        s === undefined ? '' : `${s.family}|${s.src}|${s.dst}|${s.family === 'inet' ? s.ipProto : ''}`;
      const id = (counters.get(space) ?? 0) + 1;
      counters.set(space, id);
      return id;
    };
    const placed: Placed[] = [];
    for (const d of datagrams)
      placed.push(...datagramItems(d, d.flow % specs.length, ids(d.flow % specs.length)));
    for (const n of noise) placed.push(...noiseItems(n, specs.length, ids));
    const items = placed
      .map((p, i) => ({ ...p, i }))
      .sort((a, b) => a.key - b.key || a.i - b.i)
      .map((p) => p.item);
    return { flows: specs, items };
  });
}

/** Reassembly limits: the kernel's defaults most of the time, sometimes tiny so every limit is reached. */
const reassSysctlArb: fc.Arbitrary<Partial<InetSysctls>> = fc.oneof(
  // A counterexample that does not need tiny limits shrinks back to the defaults.
  { withCrossShrink: true },
  { weight: 2, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: plainRecord({
      'net.inet.ip.maxfragsperpacket': fc.integer({ min: 1, max: 16 }),
      'net.inet.ip.maxfragpackets': fc.integer({ min: 1, max: 8 }),
      'net.inet.ip.maxfragbucketsize': fc.integer({ min: 1, max: 4 }),
      'net.inet.ip.maxfrags': fc.integer({ min: 1, max: 32 }),
      'net.inet.ip.reass_hashsize': fc.constantFrom(1, 2, 1024),
      'net.inet6.ip6.maxfragsperpacket': fc.integer({ min: 1, max: 64 }),
      'net.inet6.ip6.maxfragpackets': fc.integer({ min: 1, max: 8 }),
      'net.inet6.ip6.maxfrags': fc.integer({ min: 1, max: 32 }),
    }),
  },
);

export interface ReassConfigConstraints {
  /** @defaultValue both flavours */
  readonly kernels?: readonly ('freebsd' | 'freebsd-rss')[];
  /** @defaultValue 1 */
  readonly cpuCountMin?: number;
  /** Fragment hosts stay small (up to 6 CPUs) unless the minimum asks for more. @defaultValue 6 */
  readonly cpuCountMax?: number;
}

/**
 * Hosts for the reassembly properties: 1..6 CPUs, one ring per CPU (as RSS drivers set up) or
 * fewer, a netisr thread per CPU or one, every net.isr.dispatch, the default bucket table (the
 * RSS promise holds) or a rotated one, the current RSS table (ip6 and ip6_direct CPU/HYBRID) or the
 * 2015 one (ip6 FLOW, no ip6_direct), default hashing.
 */
export function reassConfigArb(c: ReassConfigConstraints = {}): fc.Arbitrary<HostConfig> {
  return plainRecord({
    kernel: fc.constantFrom(...(c.kernels ?? (['freebsd-rss', 'freebsd'] as const))),
    cpuCount: fc.integer({
      min: c.cpuCountMin ?? 1,
      max: Math.min(c.cpuCountMax ?? 6, Math.max(c.cpuCountMin ?? 1, 6)),
    }),
    ringsPerCpu: fc.boolean(),
    rings: fc.integer({ min: 1, max: 4 }),
    maxthreads: fc.constantFrom(-1, -1, 1),
    dispatch: fc.constantFrom('direct' as const, 'hybrid' as const, 'deferred' as const),
    rotate: fc.nat({ max: 3 }),
    ip6Direct: fc.boolean(),
    reass: reassSysctlArb,
  }).map((r) => {
    const bucketCount = r.cpuCount <= 1 ? 1 : 1 << (32 - Math.clz32(r.cpuCount - 1) + 1);
    const bucketCpus = Array.from({ length: bucketCount }, (_, b) => (b + r.rotate) % r.cpuCount);
    const rxRingCount = r.ringsPerCpu ? r.cpuCount : r.rings;
    return {
      kernel: r.kernel,
      cpuCount: r.cpuCount,
      rxRingCount,
      ringCpus: Array.from({ length: rxRingCount }, (_, i) => bucketCpus[i % bucketCount] ?? 0),
      bucketCpus,
      sysctl: { 'net.isr.maxthreads': r.maxthreads, 'net.isr.dispatch': r.dispatch, ...r.reass },
      version: r.ip6Direct ? ('freebsd-14' as const) : ('freebsd-rss-2015' as const),
    };
  });
}
