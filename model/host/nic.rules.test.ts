import { describe, expect, it } from 'vitest';
import { cpuId, threadId } from '../brand.ts';
import type { Flow } from '../packet.ts';
import { unwrap } from '../result.ts';
import { defaultBucketTable } from '../rss/buckets.ts';
import { makeFlow } from '../rss/flowhash.ts';
import { VirtualClock } from '../sim/clock.ts';
import { StatCounters } from '../stats.ts';
import { type ArriveEvent, type DropEvent, type TraceEvent, TraceRecorder } from '../trace.ts';
import { Nic, type NicSetup, RxRing } from './nic.ts';
import { tcpFlow } from './scenario.ts';
import type { WorkloadItem } from './workload.ts';

/** A NIC with one TCP flow and `ringCount` rings of 2 descriptors, ring r on CPU r. */
function receive(items: readonly WorkloadItem[], over: Partial<NicSetup> = {}, ringCount = 2) {
  const trace = new TraceRecorder(100);
  const flows: Flow[] = [unwrap(makeFlow(0, tcpFlow(0)))];
  const nic = new Nic({
    id: threadId(0),
    flows,
    workload: { flows: [], items },
    rings: Array.from({ length: ringCount }, (_, i) => new RxRing(i, cpuId(i), 2)),
    rss: true,
    buckets: defaultBucketTable(2),
    hashConfig: { udp4Tuple: false },
    rcvifIndex: 1,
    trace,
    clock: new VirtualClock(),
    stats: new StatCounters(),
    onArrival: () => undefined,
    onSnapshot: () => undefined,
    wakeAt: () => undefined,
    ...over,
  });
  while (nic.runnable()) nic.step();
  const events: TraceEvent[] = trace.finish({ kind: 'end' } as never).slice(0, -1);
  return {
    arrives: events.filter((e): e is ArriveEvent => e.kind === 'arrive'),
    drops: events.filter((e): e is DropEvent => e.kind === 'drop'),
  };
}

const frag = (offsetBytes: number, moreFragments: boolean): WorkloadItem => ({
  kind: 'packet',
  flow: 0,
  fragment: { ipId: 7, offsetBytes, lengthBytes: 8, moreFragments },
});

describe('the NIC: what an arrival records', () => {
  it('a full ring drops with the reason the kernel gives: no free rx descriptor', () => {
    const pkt: WorkloadItem = { kind: 'packet', flow: 0 };
    const { drops } = receive([pkt, pkt, pkt], {}, 1);
    expect(drops.map((d) => d.reason)).toEqual(['no free rx descriptor']);
  });

  it('an unmoved flow records the promise as the kernel made it, even on another CPU than the ring', () => {
    // The checker, not the NIC, judges a broken promise: the NIC only reports it.
    const { arrives } = receive([{ kind: 'packet', flow: 0 }], { bucketCpuPromise: () => cpuId(5) });
    expect(arrives.map((e) => e.bucketCpu)).toEqual([5]);
  });

  it('fragment fields on a whole datagram (no MF, offset 0) make no fragment and no frag record', () => {
    const { arrives } = receive([frag(0, false)]);
    expect(arrives.map((e) => [e.fragment, e.frag])).toEqual([[false, undefined]]);
  });

  it('a first and a last fragment are fragments and carry the header the sender built (F-0)', () => {
    const { arrives } = receive([frag(0, true), frag(8, false)]);
    expect(
      arrives.map((e) => [e.fragment, e.frag?.offsetBytes, e.frag?.moreFragments, e.frag?.ipId]),
    ).toEqual([
      [true, 0, true, 7],
      [true, 8, false, 7],
    ]);
  });

  it('a lagg failover to a port whose ring is on another CPU breaks the promise; failing back keeps it again', () => {
    const flow = unwrap(makeFlow(0, tcpFlow(0)));
    const home = flow.hash4Tuple & 1;
    // The standby port's ring i interrupts the other CPU than the first port's ring i.
    const standbyRings = [new RxRing(0, cpuId(1), 2), new RxRing(1, cpuId(0), 2)];
    const pkt: WorkloadItem = { kind: 'packet', flow: 0 };
    const { arrives } = receive([pkt, { kind: 'failover' }, pkt, { kind: 'failover' }, pkt], {
      standbyRings,
      bucketCpuPromise: () => cpuId(home),
    });
    expect(arrives.map((e) => [e.cpu, e.bucketCpu])).toEqual([
      [home, home],
      [1 - home, undefined],
      [home, home],
    ]);
  });
});
