import { describe, expect, it } from 'vitest';
import { type RunInput, type RunResult, runHost } from '../host/run.ts';
import { packets, tcpFlow, tcpFlowOnRing } from '../host/scenario.ts';
import type { WorkloadItem } from '../host/workload.ts';
import { unwrap } from '../result.ts';
import type { NetisrWorkRow } from '../trace.ts';
import { freebsdNetisrPolicy } from './policies.ts';
import { FREEBSD_PROTOCOLS } from './protocols.ts';

function run(input: RunInput): RunResult {
  const r = unwrap(runHost(input));
  return r;
}

function row(r: RunResult, cpu: number, proto: string, quiescent = true): NetisrWorkRow {
  const snaps = r.trace.filter((e) => e.kind === 'counters' && e.quiescent === quiescent);
  const last = snaps.at(-1);
  const found =
    last?.kind === 'counters' ? last.netisr.find((x) => x.cpu === cpu && x.proto === proto) : undefined;
  if (!found) throw new Error(`no row ${cpu} ${proto}`);
  return found;
}

const counters = (w: NetisrWorkRow) => [
  w.lenPackets,
  w.watermarkPackets,
  w.dispatched,
  w.hybridDispatched,
  w.qdrops,
  w.queued,
  w.handled,
];
const policy = (dispatch: 'direct' | 'hybrid' | 'deferred') =>
  freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch });
const burst = (n: number): WorkloadItem[] => packets(Array.from({ length: n }, () => 0));

describe('netisr dispatch (sys/net/netisr.c)', () => {
  it('SC-1: deferred, 300 packets before the SWI runs: 256 queued, 44 dropped at the limit (N-8, N-9)', () => {
    const r = run({
      config: { cpuCount: 1, sysctl: { 'net.isr.dispatch': 'deferred' } },
      workload: { flows: [tcpFlow(0)], items: burst(300) },
      schedule: [],
      policy: policy('deferred'),
    });
    expect(counters(row(r, 0, 'ip'))).toEqual([0, 256, 0, 0, 44, 256, 256]);
    const drops = r.trace.filter((e) => e.kind === 'drop');
    expect(drops).toHaveLength(44);
    expect(drops.every((d) => d.kind === 'drop' && d.counter === 'ip.QDrops' && d.qlenPackets === 256)).toBe(
      true,
    );
    expect(r.netstatQ).toContain(
      '   0   0   ip         0   256        0        0       44      256      256',
    );
  });

  it("SC-2: direct dispatch runs inline and counts Disp'd on the current CPU (N-12)", () => {
    const r = run({
      config: { cpuCount: 1 },
      workload: { flows: [tcpFlow(0)], items: burst(300) },
      schedule: [],
      policy: policy('direct'),
    });
    expect(counters(row(r, 0, 'ip'))).toEqual([0, 0, 300, 0, 0, 0, 300]);
    expect(counters(row(r, 0, 'ether'))).toEqual([0, 0, 300, 0, 0, 0, 300]);
    expect(r.trace.some((e) => e.kind === 'enqueue')).toBe(false);
  });

  // Actors in order: nic, irq rxq0 (CPU 0), irq rxq1 (CPU 1), netisr 0.
  const sc4 = (first: 'remote' | 'none') => {
    const flows = [tcpFlowOnRing(1, 2), tcpFlowOnRing(0, 2)];
    return run({
      config: { cpuCount: 2, rxRingCount: 2, sysctl: { 'net.isr.dispatch': 'hybrid' } },
      workload: { flows, items: first === 'remote' ? packets([0, 1]) : packets([1]) },
      // remote: A arrives, rxq1 queues it on WS0 (SCHEDULED), B arrives, rxq0 dispatches B.
      schedule: first === 'remote' ? [0, 1, 0, 0] : [],
      policy: policy('hybrid'),
    });
  };

  it('SC-4: hybrid queues behind a SCHEDULED workstream instead of running inline (N-13c)', () => {
    const r = sc4('remote');
    expect(counters(row(r, 0, 'ip'))).toEqual([0, 2, 0, 0, 0, 2, 2]);
    const delivered = r.trace
      .filter((e) => e.kind === 'deliver')
      .map((e) => (e.kind === 'deliver' ? e.flow : -1));
    expect(delivered).toEqual([0, 1]);
  });

  it("hybrid runs inline on an idle current workstream and counts HDisp'd (N-13d)", () => {
    const r = sc4('none');
    expect(counters(row(r, 0, 'ip'))).toEqual([0, 0, 0, 1, 0, 0, 1]);
    expect(r.trace.find((e) => e.kind === 'dispatch' && e.proto === 'ip')).toMatchObject({
      mode: 'hybrid',
      toCpu: 0,
    });
  });

  it('a batch taken off the queue is in flight: Queued - Handled exceeds Len (N-17)', () => {
    const r = run({
      config: { cpuCount: 1, sysctl: { 'net.isr.dispatch': 'deferred' } },
      workload: { flows: [tcpFlow(0)], items: [...burst(3), { kind: 'snapshot' }] },
      // Actors: nic, irq rxq0, netisr 0. Three arrivals, three dispatches, one packet handled, snapshot.
      schedule: [0, 0, 0, 1, 1, 1, 1, 0],
      policy: policy('deferred'),
    });
    const mid = row(r, 0, 'ip', false);
    expect([mid.lenPackets, mid.queued, mid.handled]).toEqual([0, 3, 0]);
    expect(counters(row(r, 0, 'ip'))).toEqual([0, 3, 0, 0, 0, 3, 3]);
    expect(r.trace.filter((e) => e.kind === 'batch')).toHaveLength(1);
  });

  it('FLOW policy places by flowid % nws_count (N-4, N-6)', () => {
    const flows = Array.from({ length: 8 }, (_, i) => tcpFlow(i));
    const r = run({
      config: { cpuCount: 4, sysctl: { 'net.isr.maxthreads': -1, 'net.isr.dispatch': 'deferred' } },
      workload: { flows, items: packets([0, 1, 2, 3, 4, 5, 6, 7]) },
      schedule: [],
      policy: policy('deferred'),
    });
    for (const e of r.trace) {
      if (e.kind !== 'enqueue' || e.proto !== 'ip') continue;
      const arrive = r.trace.find((a) => a.kind === 'arrive' && a.pkt === e.pkt);
      expect(arrive?.kind === 'arrive' && arrive.hash % 4).toBe(e.cpu);
    }
  });

  it('maxthreads 1 sends every packet to CPU 0 without consulting the flowid (N-2)', () => {
    const r = run({
      config: { cpuCount: 4, rxRingCount: 4, sysctl: { 'net.isr.dispatch': 'deferred' } },
      workload: { flows: [0, 1, 2, 3].map((i) => tcpFlow(i)), items: packets([0, 1, 2, 3]) },
      schedule: [],
      policy: policy('deferred'),
    });
    expect(
      r.trace.filter((e) => e.kind === 'enqueue').every((e) => e.kind === 'enqueue' && e.cpu === 0),
    ).toBe(true);
  });
});
