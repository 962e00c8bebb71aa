import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { type HostConfig, kernelProtocols } from '../host/config.ts';
import { DEFAULT_FRAME_BYTES } from '../host/frames.ts';
import { type RunResult, runHost } from '../host/run.ts';
import { findFlowSpec, fragmentItems, tcpFlow, udpFlow } from '../host/scenario.ts';
import type { Workload, WorkloadItem } from '../host/workload.ts';
import { freebsdNetisrPolicy } from '../netisr/policies.ts';
import type { PacketView, PolicyFactory } from '../policy.ts';
import { unwrap } from '../result.ts';
import type { FlowSpec } from '../rss/flowhash.ts';
import { IP6_DIRECT_REGISTRATION } from './fragment.ts';
import { DATAGRAM_ID_BASE } from './reassembly.ts';

const RSS4: HostConfig = {
  kernel: 'freebsd-rss',
  cpuCount: 4,
  rxRingCount: 4,
  sysctl: { 'net.isr.maxthreads': -1 },
};

function run(config: HostConfig, workload: Workload): RunResult {
  const base = kernelProtocols(config.kernel ?? 'freebsd', config.version);
  const protocols = base.some((r) => r.name === 'ip6_direct') ? base : [...base, IP6_DIRECT_REGISTRATION];
  const r = unwrap(
    runHost({
      config,
      workload,
      schedule: [],
      policy: freebsdNetisrPolicy({ protocols, dispatch: 'direct' }),
    }),
  );
  return r;
}

const kinds = (r: RunResult, kind: string) => r.trace.filter((e) => e.kind === kind);

describe('reassembly in the host (F-26 .. F-28)', () => {
  it('SC-16: a datagram whose full bucket is the same CPU is queued behind the inline ip dispatch (N-22)', () => {
    // UDP keeps its trusted 2-tuple hash (R-15), so the datagram's bucket is its fragments' bucket.
    const r = run(RSS4, { flows: [udpFlow(3)], items: fragmentItems(0, 1, 40, 16) });
    const done = kinds(r, 'reassembled')[0];
    expect(done).toMatchObject({ fullHashType: 'rss-ipv4', continuation: 'reinject' });
    if (done?.kind !== 'reassembled') return;
    expect(done.fullBucketCpu).toBe(done.cpu);
    expect(kinds(r, 'enqueue')).toMatchObject([{ proto: 'ip_direct', cpu: done.cpu }]);
    expect(kinds(r, 'deliver')).toMatchObject([{ cpu: done.cpu, layer: 'udp' }]);
    expect(r.stats).toMatchObject({ ips_fragments: 3, ips_reassembled: 1, ips_delivered: 1 });
  });

  it('N-22 then N-16: a later packet of the flow queued for ip reaches UDP before the re-injected datagram', () => {
    // The kernel's own order, not a model bug: ip (1) is drained before ip_direct (9) in a pass.
    const items = [...fragmentItems(0, 1, 40, 16), { kind: 'packet' as const, flow: 0, payloadBytes: 20 }];
    const r = run(RSS4, { flows: [udpFlow(3)], items });
    expect(kinds(r, 'enqueue').map((e) => (e.kind === 'enqueue' ? e.proto : ''))).toEqual([
      'ip_direct',
      'ip',
    ]);
    expect(kinds(r, 'deliver').map((e) => (e.kind === 'deliver' ? e.seq : -1))).toEqual([3, 2]);
  });

  it('with net.inet.rss.udp_4tuple the datagram is rehashed on the 4-tuple and moves to that CPU', () => {
    const spec = findFlowSpec(udpFlow, (f) => (f.hash4Tuple & 3) !== (f.hash2Tuple & 3));
    const r = run(
      { ...RSS4, sysctl: { ...RSS4.sysctl, 'net.inet.rss.udp_4tuple': true } },
      { flows: [spec], items: fragmentItems(0, 1, 40, 16) },
    );
    const done = kinds(r, 'reassembled')[0];
    expect(done).toMatchObject({ fullHashType: 'rss-udp-ipv4' });
    if (done?.kind !== 'reassembled') return;
    expect(done.fullBucketCpu).not.toBe(done.cpu);
    expect(kinds(r, 'deliver')).toMatchObject([{ cpu: done.fullBucketCpu }]);
  });

  it('F-28: without RSS the datagram goes up inline where it was reassembled', () => {
    const r = run(
      { cpuCount: 2, rxRingCount: 2 },
      { flows: [udpFlow(1)], items: fragmentItems(0, 1, 40, 16) },
    );
    const done = kinds(r, 'reassembled')[0];
    expect(done).toMatchObject({ continuation: 'inline', fullBucket: undefined, fullBucketCpu: undefined });
    expect(kinds(r, 'deliver')).toMatchObject([{ cpu: done?.kind === 'reassembled' ? done.cpu : -1 }]);
    expect(r.stats).toMatchObject({ ips_total: 3, ips_delivered: 1 });
  });

  it('IPv6 goes through ip6_direct on freebsd-14 RSS (ip6_input.c ip6_direct_nh), up inline on the 2015 table', () => {
    const v6: FlowSpec = {
      family: 'inet6',
      ipProto: 6,
      src: '2001:db8::1',
      dst: '2001:db8::2',
      sport: 7,
      dport: 8,
    };
    const wl = { flows: [v6], items: fragmentItems(0, 5, 64, 24) };
    const with6 = run(RSS4, wl);
    expect(kinds(with6, 'reassembled')).toMatchObject([
      { family: 'inet6', continuation: 'reinject', fullHashType: 'rss-tcp-ipv6' },
    ]);
    expect(kinds(with6, 'handle').some((e) => e.kind === 'handle' && e.proto === 'ip6_direct')).toBe(true);
    const without = run({ ...RSS4, version: 'freebsd-rss-2015' }, wl);
    expect(kinds(without, 'reassembled')).toMatchObject([
      { continuation: 'inline', fullBucketCpu: undefined },
    ]);
    expect(without.stats).toMatchObject({ ip6s_fragments: 3, ip6s_reassembled: 1, ip6s_delivered: 1 });
  });

  it('SC-11 on the virtual clock: a lone fragment times out after 30 s and the run ends quiescent', () => {
    const r = run({ cpuCount: 1 }, { flows: [udpFlow(1)], items: fragmentItems(0, 1, 40, 16).slice(0, 1) });
    const drop = kinds(r, 'drop')[0];
    expect(drop).toMatchObject({ where: 'reassembly', counter: 'ips_fragtimeout', cpu: 0 });
    expect(drop?.atNs).toBeGreaterThanOrEqual(30 * NS_PER_SECOND);
    expect(r.trace.at(-1)).toMatchObject({ kind: 'end', outcome: 'quiescent' });
  });
});

/** A fragment item of flow 0 (hand-cut, for overlaps). */
function piece(ipId: number, offsetBytes: number, lengthBytes: number, moreFragments: boolean): WorkloadItem {
  return {
    kind: 'packet',
    flow: 0,
    payloadBytes: lengthBytes,
    fragment: { ipId, offsetBytes, lengthBytes, moreFragments, datagramBytes: 24 },
  };
}

const V6: FlowSpec = {
  family: 'inet6',
  ipProto: 17,
  src: '2001:db8::1',
  dst: '2001:db8::2',
  sport: 7,
  dport: 8,
};

describe('reassembly in the host: what the trace records', () => {
  it('runs ip_reass for IPv4 and frag6_input for IPv6, each with its own frame on the stack', () => {
    for (const [spec, frame, parent] of [
      [udpFlow(1), 'ip_reass', 'ip_input'],
      [V6, 'frag6_input', 'ip6_input'],
    ] as const) {
      const r = run({ cpuCount: 1 }, { flows: [spec], items: fragmentItems(0, 1, 40, 16) });
      const stacks = kinds(r, 'stack').flatMap((e) => (e.kind === 'stack' ? [e] : []));
      const at = stacks.findIndex((e) => e.frames.endsWith(`>${parent}>${frame}`));
      expect(at).toBeGreaterThan(0);
      expect((stacks[at]?.depthBytes ?? 0) - (stacks[at - 1]?.depthBytes ?? 0)).toBe(
        DEFAULT_FRAME_BYTES[frame],
      );
    }
  });

  it('F-12: frag-hold records the range a trimmed fragment keeps, and the RSS bucket CPU of both families', () => {
    for (const spec of [udpFlow(3), V6]) {
      const items = [piece(1, 0, 16, true), piece(1, 8, 16, true)];
      const r = run(RSS4, { flows: [spec], items });
      const holds = kinds(r, 'frag-hold');
      expect(holds.map((e) => (e.kind === 'frag-hold' ? [e.offsetBytes, e.lengthBytes] : []))).toEqual(
        spec === V6
          ? [[0, 16]]
          : [
              [0, 16],
              [16, 8],
            ],
      );
      const arrive = kinds(r, 'arrive')[0];
      expect(arrive?.kind === 'arrive' ? arrive.bucketCpu : -1).toBeDefined();
      expect(holds[0]).toMatchObject({ bucketCpu: arrive?.kind === 'arrive' ? arrive.bucketCpu : -1 });
    }
  });

  it('numbers reassembled datagrams from DATAGRAM_ID_BASE up, apart from the NIC ids', () => {
    const items = [...fragmentItems(0, 1, 40, 16), ...fragmentItems(0, 2, 40, 16)];
    const r = run({ cpuCount: 1 }, { flows: [udpFlow(1)], items });
    expect(kinds(r, 'reassembled').map((e) => (e.kind === 'reassembled' ? e.pkt : -1))).toEqual([
      DATAGRAM_ID_BASE,
      DATAGRAM_ID_BASE + 1,
    ]);
  });

  it('F-28: without options RSS no software rehash: the datagram keeps the opaque NIC hash', () => {
    const r = run(
      { cpuCount: 2, rxRingCount: 2 },
      { flows: [tcpFlow(1)], items: fragmentItems(0, 1, 40, 16) },
    );
    const arrive = kinds(r, 'arrive')[0];
    const done = kinds(r, 'reassembled')[0];
    expect(done).toMatchObject({
      fullHashType: 'opaque-hash',
      fullHash: arrive?.kind === 'arrive' ? arrive.hash : -1,
      fullBucket: undefined,
    });
  });

  it('F-19: the re-injected datagram carries the offset-0 fragment ring and no fragment header', () => {
    // The redirection table turns between the first and the other fragments: they come in on
    // another ring, and the datagram still reports the first one's.
    const items: WorkloadItem[] = [...fragmentItems(0, 1, 40, 16)];
    items.splice(1, 0, { kind: 'retable', rotateRings: 1 });
    const views: PacketView[] = [];
    const factory = freebsdNetisrPolicy({
      protocols: [...kernelProtocols('freebsd-rss'), IP6_DIRECT_REGISTRATION],
      dispatch: 'direct',
    });
    const policy: PolicyFactory = (cfg) => {
      const inner = factory(cfg);
      return {
        name: inner.name,
        place: (view, ctx) => {
          views.push(view);
          return inner.place(view, ctx);
        },
      };
    };
    const r = unwrap(
      runHost({ config: RSS4, workload: { flows: [udpFlow(3)], items }, schedule: [], policy }),
    );
    const rings = kinds(r, 'arrive').map((e) => (e.kind === 'arrive' ? e.ring : -1));
    expect(rings[0]).not.toBe(rings[1]);
    expect(views.filter((v) => v.protocol === 'ip_direct')).toMatchObject([
      { id: DATAGRAM_ID_BASE, rxRing: rings[0], isFragment: false, encapDepth: 0, source: 0, seq: 2 },
    ]);
  });

  it('variant reass-no-reinject: the datagram goes up where it was reassembled, no ip_direct hop', () => {
    const r = run(
      { ...RSS4, variants: ['reass-no-reinject'] },
      { flows: [tcpFlow(1)], items: fragmentItems(0, 1, 40, 16) },
    );
    const done = kinds(r, 'reassembled')[0];
    expect(done).toMatchObject({ continuation: 'inline', fullHashType: 'rss-tcp-ipv4' });
    expect(kinds(r, 'handle').filter((e) => e.kind === 'handle' && e.proto === 'ip_direct')).toEqual([]);
    expect(kinds(r, 'deliver')).toMatchObject([{ cpu: done?.kind === 'reassembled' ? done.cpu : -1 }]);
    expect(r.stats).toMatchObject({ ips_delivered: 1 });
  });
});
