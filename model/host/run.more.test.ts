import { describe, expect, it } from 'vitest';
import { freebsdNetisrPolicy } from '../netisr/policies.ts';
import { FREEBSD_PROTOCOLS } from '../netisr/protocols.ts';
import type { DispatchPolicy, PolicyFactoryConfig } from '../policy.ts';
import { errorOf, unwrap } from '../result.ts';
import type { StackEvent, TraceEvent } from '../trace.ts';
import { type RunInput, runHost } from './run.ts';
import { packets, tcpFlow } from './scenario.ts';
import { inet6Flow } from './test/flows.ts';
import type { WorkloadItem } from './workload.ts';

const deferred = freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'deferred' });
const direct = freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'direct' });

function trace(input: Partial<RunInput> & Pick<RunInput, 'workload'>): readonly TraceEvent[] {
  return unwrap(runHost({ config: { cpuCount: 1 }, schedule: [], policy: direct, ...input })).trace;
}

const stacks = (t: readonly TraceEvent[]) => t.filter((e): e is StackEvent => e.kind === 'stack');

describe('one FreeBSD host wired for a run', () => {
  it('tells a policy factory the CPUs, the netisr threads and the RSS buckets of the run', () => {
    let seen: PolicyFactoryConfig | undefined;
    const factory = (cfg: PolicyFactoryConfig): DispatchPolicy => {
      seen = cfg;
      return { name: 'inline', place: (_p, ctx) => ({ cpu: ctx.cpu, mode: 'direct' }) };
    };
    unwrap(
      runHost({
        config: { cpuCount: 4, sysctl: { 'net.isr.maxthreads': 2, 'net.inet.rss.bits': 3 } },
        workload: { flows: [], items: [] },
        schedule: [],
        policy: factory,
      }),
    );
    expect(seen).toEqual({ cpuCount: 4, workstreamCpus: [0, 1], bucketCount: 8 });
  });

  it('a received packet goes ixgbe_rxeof -> netisr -> ether_input -> ether_demux -> netisr on the ring thread', () => {
    const t = trace({ workload: { flows: [tcpFlow(0)], items: packets([0]) } });
    const deepest = stacks(t).at(-1);
    expect(deepest?.frames.split('>').slice(0, 5)).toEqual([
      'ixgbe_rxeof',
      'netisr_dispatch_src',
      'ether_input',
      'ether_demux',
      'netisr_dispatch_src',
    ]);
    // Threads: the NIC is 0, the ring's interrupt thread 1, the netisr SWI 2.
    expect(deepest?.thread).toBe(1);
    expect(t.filter((e) => e.kind === 'dispatch').map((e) => (e.kind === 'dispatch' ? e.proto : ''))).toEqual(
      ['ether', 'ip'],
    );
  });

  it('an IPv6 packet is demuxed to ip6, from the NIC and from tun0', () => {
    const items: WorkloadItem[] = [
      { kind: 'packet', flow: 0 },
      { kind: 'packet', flow: 0, via: 'tun0' },
    ];
    const t = trace({ workload: { flows: [inet6Flow], items } });
    expect(t.filter((e) => e.kind === 'dispatch').map((e) => (e.kind === 'dispatch' ? e.proto : ''))).toEqual(
      ['ether', 'ip6', 'ip6'],
    );
    expect(t.filter((e) => e.kind === 'deliver')).toHaveLength(2);
  });

  it('a tun0 write is dispatched from tunwrite by the writer thread, on every CPU it migrates to', () => {
    const w: WorkloadItem = { kind: 'packet', flow: 0, via: 'tun0' };
    // Actors: the NIC, the ring's interrupt thread, the netisr SWI, then one writer per CPU; the
    // writer on CPU 0 runs the first write before the NIC migrates it.
    const t = trace({
      config: { cpuCount: 64 },
      schedule: [0, 1],
      workload: { flows: [tcpFlow(0)], items: [w, { kind: 'migrate', cpu: 63 }, w] },
    });
    const tun = stacks(t).filter((e) => e.frames === 'tunwrite');
    expect(tun.map((e) => e.cpu)).toEqual([0, 63]);
    expect(t.filter((e) => e.kind === 'deliver').map((e) => (e.kind === 'deliver' ? e.cpu : -1))).toEqual([
      0, 63,
    ]);
  });

  it("calls a policy's tick every policyTickPackets arrivals with the context of ip on CPU 0", () => {
    const ticks: [number, string][] = [];
    const policy: DispatchPolicy = {
      name: 'ticking',
      place: (_p, ctx) => ({ cpu: ctx.cpu, mode: 'direct' }),
      tick: (ctx) => void ticks.push([ctx.cpu, String(ctx.deferredOnly)]),
    };
    trace({
      config: { cpuCount: 2, limits: { policyTickPackets: 2 } },
      workload: { flows: [tcpFlow(0)], items: packets([0, 0, 0, 0, 0]) },
      policy,
    });
    expect(ticks).toEqual([
      [0, 'false'],
      [0, 'false'],
    ]);
  });

  it('hands back the policy name, the counters and netstat -Q as the run left them', () => {
    const r = unwrap(
      runHost({
        config: { cpuCount: 1, sysctl: { 'net.isr.dispatch': 'deferred' } },
        workload: { flows: [tcpFlow(0)], items: packets([0, 0]) },
        schedule: [],
        policy: deferred,
      }),
    );
    expect(r.policyName).toBe('freebsd-registered-deferred');
    expect(r.stats).toMatchObject({ ips_delivered: 2 });
    expect(r.netstatQ).toContain(
      '   0   0   ip         0     2        0        0        0        2        2',
    );
    expect(r.netstatQ).toBe(r.netstatQ);
  });
});

describe('parseFlows: the workload checked before a run', () => {
  const refused = (items: readonly WorkloadItem[]) =>
    errorOf(
      runHost({
        config: { cpuCount: 2 },
        workload: { flows: [tcpFlow(0)], items },
        schedule: [],
        policy: direct,
      }),
    );

  it('names the flows a packet may use', () => {
    expect(refused(packets([1]))).toBe('workload names a flow outside 0..0');
    expect(refused(packets([-1]))).toBe('workload names a flow outside 0..0');
    // A fractional or NaN index names no flow either (it used to reach a model assertion).
    expect(refused(packets([0.5]))).toBe('workload names a flow outside 0..0');
    expect(refused(packets([Number.NaN]))).toBe('workload names a flow outside 0..0');
    expect(refused(packets([0]))).toBeUndefined();
  });

  it('wants non-negative integer moves', () => {
    expect(refused([{ kind: 'retable', rotateRings: 1.5 }])).toBe(
      'workload item {"kind":"retable","rotateRings":1.5}: want a non-negative integer',
    );
    expect(refused([{ kind: 'retable', rotateRings: -1 }])).toMatch(/want a non-negative integer/);
    expect(refused([{ kind: 'migrate', cpu: 0.5 }])).toMatch(/want a non-negative integer/);
    expect(
      refused([
        { kind: 'retable', rotateRings: 0 },
        { kind: 'migrate', cpu: 0 },
      ]),
    ).toBeUndefined();
  });
});
