import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HostConfig, KernelFlavour } from '../../model/host/config.ts';
import { runHost } from '../../model/host/run.ts';
import { runScenario } from '../../model/linux/scenarios.ts';
import type { PacketView } from '../../model/policy.ts';
import { parseAddress } from '../../model/rss/address.ts';
import { type FlowSpec, makeFlow } from '../../model/rss/flowhash.ts';
import { EDGE_HASHES, hashTargetsArb, withHashes } from './boundary-hash.ts';
import { flowSpecArb, plainFlowSpecArb } from './workload.ts';

function hashesOf(spec: FlowSpec): { hash2Tuple: number; hash4Tuple: number } {
  const flow = makeFlow(0, spec);
  if (!flow.ok) throw new Error(flow.error);
  return flow.value;
}

/** Whether the solved spec stays in the ranges the generator draws addresses from. */
function inGeneratorRanges(spec: FlowSpec): boolean {
  const src = parseAddress(spec.family, spec.src) ?? [];
  const dst = parseAddress(spec.family, spec.dst) ?? [];
  if (spec.family === 'inet') return src[0] === 10 && dst[0] === 192 && dst[1] === 168 && dst[3] === 1;
  const doc = (b: readonly number[]) => b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8;
  const middleZero = (b: readonly number[]) => b.slice(6, 14).every((x) => x === 0);
  return doc(src) && doc(dst) && middleZero(src) && middleZero(dst) && dst[4] === 0xff && dst[5] === 0xff;
}

describe('flows solved onto hash edges', () => {
  it('hash to the 2-tuple target, to the 4-tuple one or (out of the ports reach) the 2-tuple one, in range', () => {
    fc.assert(
      fc.property(plainFlowSpecArb, hashTargetsArb, (spec, targets) => {
        const solved = withHashes(spec, targets);
        const { hash2Tuple, hash4Tuple } = hashesOf(solved);
        expect(hash2Tuple).toBe(targets.twoTuple);
        expect([targets.fourTuple, targets.twoTuple]).toContain(hash4Tuple);
        expect(inGeneratorRanges(solved)).toBe(true);
        expect(solved.ipProto).toBe(spec.ipProto);
      }),
    );
  });

  it('reach the 4-tuple target itself for most pairs of edges', () => {
    const pairs = fc.sample(fc.tuple(plainFlowSpecArb, hashTargetsArb), { numRuns: 400, seed: 5 });
    const met = pairs.filter(([spec, t]) => hashesOf(withHashes(spec, t)).hash4Tuple === t.fourTuple);
    expect(met.length / pairs.length).toBeGreaterThan(0.5);
  });

  it('are drawn for some generated flows, every edge among them', () => {
    const specs = fc.sample(flowSpecArb, { numRuns: 2_000, seed: 11 });
    const hashes = specs.flatMap((s) => {
      const h = hashesOf(s);
      return [h.hash2Tuple, h.hash4Tuple];
    });
    for (const edge of EDGE_HASHES) expect(hashes).toContain(edge);
    const onEdge = specs.filter((s) => EDGE_HASHES.includes(hashesOf(s).hash2Tuple)).length;
    expect(onEdge / specs.length).toBeGreaterThan(0.1);
    expect(onEdge / specs.length).toBeLessThan(0.4);
    // The bucket mask edge: the low 7 bits (the redirection table's index) all ones.
    expect(hashes.filter((h) => (h & 0x7f) === 0x7f).length / hashes.length).toBeGreaterThan(0.05);
  });
});

/** What a policy saw for each packet, over one single-flow run. */
function seen(kernel: KernelFlavour, spec: FlowSpec, udp4Tuple: boolean): PacketView[] {
  const views: PacketView[] = [];
  const config: HostConfig = {
    kernel,
    cpuCount: 2,
    rxRingCount: 1,
    sysctl: { 'net.isr.dispatch': 'deferred', ...(udp4Tuple ? { 'net.inet.rss.udp_4tuple': true } : {}) },
  };
  const trace = runHost({
    config,
    workload: {
      flows: [spec],
      items: [
        { kind: 'packet', flow: 0 },
        {
          kind: 'packet',
          flow: 0,
          fragment: { ipId: 7, offsetBytes: 0, lengthBytes: 16, moreFragments: true },
        },
      ],
    },
    schedule: [],
    policy: {
      name: 'records',
      place(pkt, ctx) {
        if (pkt.protocol === 'ip' || pkt.protocol === 'ip6') views.push({ ...pkt });
        return { cpu: ctx.workstreamCpus[0] ?? ctx.cpu, mode: 'queue' };
      },
    },
  });
  if (!trace.ok) throw new Error(trace.error);
  return views;
}

describe('the hash a policy sees takes the edge value, for every hash type and kernel', () => {
  // A 2-tuple edge and a different 4-tuple edge the ports reach for these addresses.
  const twoTuple = 0xffff_ffff;
  const cases = (['inet', 'inet6'] as const).flatMap((family) =>
    [1, 6, 17].flatMap((ipProto) =>
      (['freebsd', 'freebsd-rss'] as const).flatMap((kernel) =>
        [false, true].map((udp4Tuple) => ({ family, ipProto, kernel, udp4Tuple })),
      ),
    ),
  );

  it.each(cases)('$family proto $ipProto on $kernel (udp_4tuple $udp4Tuple)', ({
    family,
    ipProto,
    kernel,
    udp4Tuple,
  }) => {
    const base: FlowSpec =
      family === 'inet'
        ? { family, ipProto, src: '10.1.2.3', dst: '192.168.4.1', sport: 1000, dport: 2000 }
        : { family, ipProto, src: '2001:db8:1::2', dst: '2001:db8:ffff::3', sport: 1000, dport: 2000 };
    const fourTuple = EDGE_HASHES.find(
      (h) => h !== twoTuple && hashesOf(withHashes(base, { twoTuple, fourTuple: h })).hash4Tuple === h,
    );
    if (fourTuple === undefined) throw new Error('no 4-tuple edge within the ports reach');
    const spec = withHashes(base, { twoTuple, fourTuple });
    const [whole, fragment] = seen(kernel, spec, udp4Tuple);
    const fourTupleType = ipProto === 6 || (ipProto === 17 && udp4Tuple);
    // TCP, and UDP with udp_4tuple, hash the ports; without options RSS the NIC's value
    // comes up as an opaque flowid (M_HASHTYPE_OPAQUE_HASH), the same number.
    expect(whole?.hash).toBe(fourTupleType ? fourTuple : twoTuple);
    if (kernel === 'freebsd') expect(whole?.hashType).toBe('opaque-hash');
    else expect(whole?.hashType.startsWith('rss-')).toBe(true);
    // A fragment carries no ports: the 2-tuple hash.
    expect(fragment?.hash).toBe(twoTuple);
  });
});

describe('on Linux the policy sees the 4-tuple edge (the NIC hashes UDP and TCP ports)', () => {
  // Linux cases draw their flows elsewhere (linux-fuzz-case.ts) and get no edge flows yet; this
  // pins that such a flow's hash would reach get_rps_cpu's stand-in unchanged.
  it.each([
    ['inet', 17],
    ['inet', 6],
    ['inet6', 17],
  ] as const)('%s proto %i', (family, ipProto) => {
    const base: FlowSpec =
      family === 'inet'
        ? { family, ipProto, src: '10.1.2.3', dst: '192.168.4.1', sport: 1000, dport: 2000 }
        : { family, ipProto, src: '2001:db8:1::2', dst: '2001:db8:ffff::3', sport: 1000, dport: 2000 };
    const spec = withHashes(base, { twoTuple: 0x7fff_ffff, fourTuple: 0xffff_ffff });
    const { hash4Tuple } = hashesOf(spec);
    expect([0xffff_ffff, 0x7fff_ffff]).toContain(hash4Tuple);
    const hashes: number[] = [];
    runScenario({
      config: { cpuCount: 2, ringCpus: [0], sockets: [{ port: spec.dport }] },
      workload: { flows: [spec], items: [{ kind: 'packet', flow: 0 }] },
      policy: () => ({
        name: 'records',
        place(pkt, ctx) {
          hashes.push(pkt.hash);
          return { cpu: ctx.cpu, mode: 'direct' };
        },
      }),
    });
    expect(hashes).toEqual([hash4Tuple]);
  });
});
