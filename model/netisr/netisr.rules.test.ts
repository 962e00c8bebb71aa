import { describe, expect, it } from 'vitest';
import { cpuId } from '../brand.ts';
import { type RunResult, runHost } from '../host/run.ts';
import { fragmentItems, packets, tcpFlow, udpFlow } from '../host/scenario.ts';
import type { DispatchContext, DispatchPolicy, PacketView } from '../policy.ts';
import { unwrap } from '../result.ts';
import type { TraceEvent } from '../trace.ts';
import type { ModelVariant } from '../variants.ts';
import { freebsdNetisrPolicy } from './policies.ts';
import { FREEBSD_PROTOCOLS } from './protocols.ts';

/** A policy that writes down what netisr_dispatch_src showed it, then queues on CPU 1. */
function spyRun(
  answer: (pkt: PacketView, ctx: DispatchContext) => unknown = () => ({ cpu: cpuId(1), mode: 'queue' }),
) {
  const seen: { view: PacketView; ctx: Record<string, unknown> }[] = [];
  const spy: DispatchPolicy = {
    name: 'spy',
    place(pkt, ctx) {
      seen.push({
        view: { ...pkt },
        ctx: {
          cpuCount: ctx.cpuCount,
          cpu: ctx.cpu,
          nowNs: ctx.nowNs,
          workstreamCpus: [...ctx.workstreamCpus],
          deferredOnly: ctx.deferredOnly,
          bucketCount: ctx.bucketCount,
          bucketCpus: Array.from({ length: 10 }, (_, b) => ctx.bucketCpu(b)),
          bucketOf: ctx.bucketOf(0x12345),
        },
      });
      return answer(pkt, ctx) as never;
    },
  };
  const r = runHost({
    config: { cpuCount: 4, kernel: 'freebsd-rss', sysctl: { 'net.isr.maxthreads': -1 } },
    workload: { flows: [tcpFlow(1), udpFlow(2)], items: [...packets([0]), ...fragmentItems(1, 9, 64, 32)] },
    schedule: [],
    policy: spy,
  });
  if (!r.ok) throw new Error(r.error);
  return { seen, trace: r.value.trace as readonly TraceEvent[] };
}

describe('netisr_dispatch_src: what a policy is shown (sys/net/netisr.c)', () => {
  it('the packet view: flow, hash and fragment fields of each packet as it arrived', () => {
    const { seen, trace } = spyRun();
    const arrive = (pkt: number) => trace.find((e) => e.kind === 'arrive' && e.pkt === pkt);
    const tcp = { family: 'inet', rxRing: 0, rcvifIndex: 1, source: 0, encapDepth: 0, dst: '10.1.0.1' };
    expect(seen.map((s) => s.view)).toEqual([
      {
        ...tcp,
        id: 0,
        flow: 0,
        seq: 0,
        protocol: 'ip',
        ipProto: 6,
        src: '10.0.0.1',
        sport: 10001,
        dport: 80,
        hash: 3442622673,
        hashType: 'rss-tcp-ipv4',
        isFragment: false,
        fragmentOffsetBytes: 0,
      },
      ...[
        [1, 0, 0],
        [2, 1, 32],
      ].map(([id, seq, offset]) => ({
        ...tcp,
        id,
        flow: 1,
        seq,
        protocol: 'ip',
        ipProto: 17,
        src: '10.2.0.2',
        // The second fragment carries no UDP header: no ports.
        sport: offset === 0 ? 20002 : 0,
        dport: offset === 0 ? 53 : 0,
        hash: 997293908,
        hashType: 'rss-ipv4',
        isFragment: true,
        fragmentOffsetBytes: offset,
      })),
      // F-27: the reassembled datagram re-enters through ip_direct, whole again.
      expect.objectContaining({ protocol: 'ip_direct', flow: 1, isFragment: false, fragmentOffsetBytes: 0 }),
    ]);
    for (const s of seen.slice(0, 3)) {
      const a = arrive(s.view.id);
      expect(a?.kind === 'arrive' && [a.hash, a.hashType]).toEqual([s.view.hash, s.view.hashType]);
    }
  });

  it('the context: CPUs, clock, workstreams and the RSS table (R-5, R-6)', () => {
    const { seen } = spyRun();
    const table = [0, 1, 2, 3, 0, 1, 2, 3];
    expect(seen.map((s) => s.ctx)).toEqual(
      [
        [0, 3000],
        [0, 4000],
        [0, 5000],
        [1, 8000],
      ].map(([cpu, nowNs]) => ({
        cpuCount: 4,
        cpu,
        nowNs,
        workstreamCpus: [0, 1, 2, 3],
        deferredOnly: false,
        bucketCount: 8,
        // An index past the table wraps with the mask, as rss_getcpu's callers index it.
        bucketCpus: [...table, 0, 1],
        bucketOf: 0x12345 & 7,
      })),
    );
  });

  it('a policy fault: policy-error and a policy drop counted in <proto>.policy_errors, the packet freed', () => {
    const { trace } = spyRun(() => ({ cpu: 99, mode: 'queue' }));
    const faults = trace.filter((e) => (e.kind === 'policy-error' || e.kind === 'drop') && e.pkt === 0);
    expect(faults).toEqual([
      {
        atNs: 3000,
        pkt: 0,
        flow: 0,
        cpu: 0,
        kind: 'policy-error',
        policy: 'spy',
        error: 'cpu-out-of-range',
        message: expect.stringContaining('99'),
      },
      {
        atNs: 3000,
        pkt: 0,
        flow: 0,
        cpu: 0,
        kind: 'drop',
        where: 'policy',
        reason: 'cpu-out-of-range',
        counter: 'ip.policy_errors',
      },
    ]);
    expect(trace.some((e) => e.kind === 'enqueue' || e.kind === 'deliver')).toBe(false);
  });
});

describe('netisr_queue_workstream and its pre-fix variants (N-8, N-9, I-3)', () => {
  const burst = (variants: ModelVariant[], schedule: number[] = []) =>
    unwrap(
      runHost({
        config: { cpuCount: 1, sysctl: { 'net.isr.dispatch': 'deferred' }, qlimits: { ip: 3 }, variants },
        workload: { flows: [tcpFlow(0)], items: packets([0, 0, 0, 0, 0]) },
        schedule,
        policy: freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'deferred' }),
      }),
    );
  const drops = (r: RunResult) =>
    r.trace.flatMap((e) =>
      e.kind === 'drop' ? [[e.pkt, e.reason, e.counter, e.qlenPackets, e.qlimitPackets]] : [],
    );
  const ipRow = (r: RunResult) => r.netstatQ.split('\n').find((l) => /^\s+0\s+0\s+ip\s/.test(l));

  it('enqueues while Len < qlimit, then drops and counts QDrops with Len and qlimit in the event', () => {
    const r = burst([]);
    expect(drops(r)).toEqual([
      [3, 'queue full', 'ip.QDrops', 3, 3],
      [4, 'queue full', 'ip.QDrops', 3, 3],
    ]);
    expect(
      r.trace.filter((e) => e.kind === 'enqueue').map((e) => e.kind === 'enqueue' && e.qlenBeforePackets),
    ).toEqual([0, 1, 2]);
    // Len 0, WMark 3, Disp'd 0, HDisp'd 0, QDrops 2, Queued 3, Handled 3.
    expect(ipRow(r)?.trim().split(/\s+/).slice(3)).toEqual(['0', '3', '0', '0', '2', '3', '3']);
  });

  it('netisr-drops-one-early refuses at qlimit - 1 (the event still names the real qlimit)', () => {
    expect(drops(burst(['netisr-drops-one-early']))).toEqual([
      [2, 'queue full', 'ip.QDrops', 2, 3],
      [3, 'queue full', 'ip.QDrops', 2, 3],
      [4, 'queue full', 'ip.QDrops', 2, 3],
    ]);
  });

  it('netisr-qdrops-not-counted frees the packet naming no counter, QDrops stays 0', () => {
    const r = burst(['netisr-qdrops-not-counted']);
    expect(drops(r)).toEqual([
      [3, 'queue full', 'none', 3, 3],
      [4, 'queue full', 'none', 3, 3],
    ]);
    expect(ipRow(r)?.trim().split(/\s+/)[7]).toBe('0');
  });

  it('netisr-thread-stalls never schedules the SWI: the queue keeps its packets', () => {
    const r = burst(['netisr-thread-stalls']);
    expect(r.trace.some((e) => e.kind === 'batch' || e.kind === 'deliver')).toBe(false);
    expect(ipRow(r)?.trim().split(/\s+/).slice(3, 5)).toEqual(['3', '3']);
    // The run ends with CPU 0's workstream still holding packets (liveness reads this).
    expect(r.trace.at(-1)).toMatchObject({ kind: 'end', busyCpus: [0] });
    expect(burst([]).trace.at(-1)).toMatchObject({ kind: 'end', outcome: 'quiescent', busyCpus: [] });
  });
});

describe('what else netisr hands out', () => {
  it("a policy's tick gets the context of ip on CPU 0, as netisr_dispatch_src would, never deferred-only", () => {
    const ticks: [number, number, boolean, number][] = [];
    const policy: DispatchPolicy = {
      name: 'ticker',
      place: () => ({ cpu: cpuId(0), mode: 'queue' }),
      tick(ctx) {
        ticks.push([ctx.cpu, ctx.cpuCount, ctx.deferredOnly, ctx.queueLimitPackets(0)]);
      },
    };
    unwrap(
      runHost({
        config: { cpuCount: 2, qlimits: { ip: 7 }, limits: { policyTickPackets: 2 } },
        workload: { flows: [tcpFlow(0)], items: packets([0, 0, 0, 0]) },
        schedule: [],
        policy,
      }),
    );
    expect(ticks).toEqual([
      [0, 2, false, 7],
      [0, 2, false, 7],
    ]);
  });

  it("netisr_dispatch_src's frame is charged to the kernel stack with its configured size", () => {
    const depth = (bytes: number) => {
      const r = unwrap(
        runHost({
          config: { cpuCount: 1, frameBytes: { netisr_dispatch_src: bytes } },
          workload: { flows: [tcpFlow(0)], items: packets([0]) },
          schedule: [],
          policy: freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'direct' }),
        }),
      );
      return Math.max(...r.trace.map((e) => (e.kind === 'stack' ? e.depthBytes : 0)));
    };
    // Direct dispatch nests two: ether's from the driver, then ip's from ether_input.
    expect(depth(5000) - depth(1000)).toBe(2 * 4000);
  });
});
