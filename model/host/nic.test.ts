import { describe, expect, it } from 'vitest';
import { cpuId, threadId } from '../brand.ts';
import type { Flow, Packet } from '../packet.ts';
import { unwrap } from '../result.ts';
import { defaultBucketTable } from '../rss/buckets.ts';
import { makeFlow } from '../rss/flowhash.ts';
import { VirtualClock } from '../sim/clock.ts';
import type { KernelCall, KernelStack } from '../sim/kthread.ts';
import { StatCounters } from '../stats.ts';
import { type ArriveEvent, type DropEvent, type TraceEvent, TraceRecorder } from '../trace.ts';
import { InterruptThread, Nic, type NicSetup, RxRing } from './nic.ts';
import { tcpFlow, udpFlow } from './scenario.ts';
import { TunWriterState } from './tun.ts';
import type { WorkloadItem } from './workload.ts';

/** A NIC on its own: its rings, trace, clock and counters are the test's to read. */
function nicWith(items: readonly WorkloadItem[], over: Partial<NicSetup> & { ringCount?: number } = {}) {
  const trace = new TraceRecorder(1000);
  const clock = new VirtualClock();
  const stats = new StatCounters();
  const rings =
    over.rings ?? Array.from({ length: over.ringCount ?? 2 }, (_, i) => new RxRing(i, cpuId(i % 64), 4));
  const flows: Flow[] = [unwrap(makeFlow(0, tcpFlow(0))), unwrap(makeFlow(1, udpFlow(1)))];
  const seen = { arrivals: [] as number[], snapshots: 0, wakes: [] as number[] };
  const nic = new Nic({
    id: threadId(0),
    flows,
    workload: { flows: [], items },
    rss: false,
    buckets: defaultBucketTable(2),
    hashConfig: { udp4Tuple: false },
    rcvifIndex: 3,
    trace,
    clock,
    stats,
    onArrival: (n) => void seen.arrivals.push(n),
    onSnapshot: () => void seen.snapshots++,
    wakeAt: (atNs) => void seen.wakes.push(atNs),
    ...over,
    rings,
  });
  const events = (): TraceEvent[] => trace.finish({ kind: 'end' } as never).slice(0, -1);
  const arrives = () => events().filter((e): e is ArriveEvent => e.kind === 'arrive');
  const run = () => {
    while (nic.runnable()) nic.step();
  };
  return { nic, rings, flows, trace, clock, stats, seen, events, arrives, run };
}

const pkt = (flow: number): WorkloadItem => ({ kind: 'packet', flow });

describe('the NIC (hashing, the redirection table, the rx rings)', () => {
  it('is an actor on no CPU; a ring interrupt thread is named after its ring and bound to its CPU', () => {
    const { nic } = nicWith([]);
    expect([nic.name, nic.kind, nic.cpu]).toEqual(['nic', 'nic', undefined]);
    const ring = new RxRing(3, cpuId(1), 8);
    const stack = { thread: threadId(9), cpu: cpuId(1) } as unknown as KernelStack;
    const ithread = new InterruptThread(ring, stack, () => ({ frame: 'x', frameBytes: 0, run: () => [] }));
    expect([ithread.id, ithread.name, ithread.kind, ithread.cpu]).toEqual([9, 'irq ix0:rxq3', 'ithread', 1]);
  });

  it('an interrupt thread runs only with a packet on its ring and hands each to the driver in order', () => {
    const ring = new RxRing(0, cpuId(0), 8);
    const ran: unknown[] = [];
    const stack = {
      thread: threadId(1),
      cpu: cpuId(0),
      execute: (call: KernelCall, id: unknown) => void ran.push([call.frame, id]),
    } as unknown as KernelStack;
    const ithread = new InterruptThread(ring, stack, (p) => ({
      frame: `rxeof ${p.id}`,
      frameBytes: 0,
      run: () => [],
    }));
    expect(ithread.runnable()).toBe(false);
    ring.packets.push({ id: 4 } as unknown as Packet);
    ring.packets.push({ id: 5 } as unknown as Packet);
    expect(ithread.runnable()).toBe(true);
    ithread.step();
    ithread.step();
    expect([ran, ithread.runnable()]).toEqual([
      [
        ['rxeof 4', 4],
        ['rxeof 5', 5],
      ],
      false,
    ]);
  });

  it('picks a ring from the low 7 bits of the hash: round robin without RSS, bucket % rings with it (R-6)', () => {
    const plain = nicWith([], { ringCount: 3 }).nic;
    // 4 buckets on 2 CPUs: entry & 3.
    const rss = nicWith([], { ringCount: 3, rss: true }).nic;
    expect([7, 135, 128 + 5, 0xffff_ff80].map((h) => plain.ringOf(h))).toEqual([1, 1, 2, 0]);
    expect([7, 135, 128 + 5, 0xffff_ff80].map((h) => rss.ringOf(h))).toEqual([0, 0, 1, 0]);
  });

  it('under nic-wrong-rx-ring takes the ring from the high 7 bits instead', () => {
    const { arrives, run, flows } = nicWith([pkt(0)], { ringCount: 128, wrongRing: true });
    run();
    const hash = flows[0]?.hash4Tuple ?? 0;
    expect(arrives()[0]?.ring).toBe(hash >>> 25);
    expect(hash >>> 25).not.toBe(hash & 127);
  });

  it('records each arrival with its own id, per-flow sequence, ring, hash and the NIC hash type', () => {
    const { arrives, run, rings, seen, flows } = nicWith([pkt(0), pkt(1), pkt(0)]);
    run();
    const a = arrives();
    expect(a.map((e) => [e.pkt, e.flow, e.seq])).toEqual([
      [0, 0, 0],
      [1, 1, 0],
      [2, 0, 1],
    ]);
    // Without options RSS the driver hands the hash up as an opaque flowid: no bucket.
    expect(a.map((e) => [e.hashType, e.bucket, e.fragment])).toEqual([
      ['opaque-hash', undefined, false],
      ['opaque-hash', undefined, false],
      ['opaque-hash', undefined, false],
    ]);
    expect(a[0]?.hash).toBe(flows[0]?.hash4Tuple);
    expect(a[1]?.hash).toBe(flows[1]?.hash2Tuple);
    expect(seen.arrivals).toEqual([1, 2, 3]);
    const onRings = rings.flatMap((r) => {
      const out: Packet[] = [];
      for (let p = r.packets.shift(); p !== undefined; p = r.packets.shift()) out.push(p);
      return out;
    });
    expect(onRings).toHaveLength(3);
    const first = onRings.find((p) => p.id === 0);
    expect(first).toMatchObject({ rcvifIndex: 3, payloadBytes: 64, allocCpu: a[0]?.cpu, rxRing: a[0]?.ring });
  });

  it('with RSS records the Toeplitz hash type and its bucket', () => {
    const { arrives, run, flows } = nicWith([pkt(0), pkt(1)], { rss: true });
    run();
    expect(arrives().map((e) => [e.hashType, e.bucket])).toEqual([
      ['rss-tcp-ipv4', (flows[0]?.hash4Tuple ?? 0) & 3],
      ['rss-ipv4', (flows[1]?.hash2Tuple ?? 0) & 3],
    ]);
  });

  it('drops at a full ring with ifi_iqdrops and a drop event naming the ring limit', () => {
    const items = Array.from({ length: 6 }, () => pkt(0));
    const { events, run, stats, rings, seen } = nicWith(items, { ringCount: 1 });
    run();
    const drops = events().filter((e): e is DropEvent => e.kind === 'drop');
    expect(drops.map((d) => [d.pkt, d.where, d.counter, d.cpu, d.qlenPackets, d.qlimitPackets])).toEqual([
      [4, 'rx-ring', 'ifi_iqdrops', 0, 4, 4],
      [5, 'rx-ring', 'ifi_iqdrops', 0, 4, 4],
    ]);
    expect([stats.get('ifi_iqdrops'), rings[0]?.packets.length, seen.arrivals.at(-1)]).toEqual([2, 4, 6]);
  });

  it('a pause keeps it idle on the virtual clock until the pause ends, and arms a wakeup then', () => {
    const { nic, clock, seen } = nicWith([{ kind: 'pause', ns: 500 }, pkt(0), { kind: 'snapshot' }]);
    expect([nic.runnable(), nic.pendingItems]).toEqual([true, 3]);
    nic.step();
    expect([nic.runnable(), nic.pendingItems, seen.wakes]).toEqual([false, 2, [500]]);
    clock.advanceTo(499 as never);
    expect(nic.runnable()).toBe(false);
    clock.advanceTo(500 as never);
    expect(nic.runnable()).toBe(true);
    nic.step();
    nic.step();
    expect([nic.runnable(), nic.pendingItems, seen.snapshots]).toEqual([false, 0, 1]);
  });

  it('ethtool -X rotates the ring of every hash, modulo the ring count', () => {
    const { arrives, run } = nicWith(
      [pkt(0), { kind: 'retable', rotateRings: 2 }, pkt(0), { kind: 'retable', rotateRings: 2 }, pkt(0)],
      { ringCount: 3 },
    );
    run();
    const [r0, r1, r2] = arrives().map((e) => e.ring);
    expect([r1, r2]).toEqual([((r0 ?? 0) + 2) % 3, ((r0 ?? 0) + 4) % 3]);
  });

  it('a failover without a standby port leaves the flow where it is', () => {
    const { arrives, run } = nicWith([pkt(0), { kind: 'failover' }, pkt(0)]);
    run();
    const [a, b] = arrives();
    expect(b?.ring).toBe(a?.ring);
  });

  it('the tun0 writer migrates modulo the CPU count; its writes carry no ring and no promise', () => {
    const tun = new TunWriterState(cpuId(0));
    const { arrives, run } = nicWith(
      [
        { kind: 'migrate', cpu: 5 },
        { kind: 'packet', flow: 0, via: 'tun0' },
      ],
      { tun, cpuCount: 4, rss: true, bucketCpuPromise: () => cpuId(1) },
    );
    run();
    expect(tun.cpu).toBe(1);
    expect(arrives()[0]).toMatchObject({ ring: -1, cpu: 1, via: 'tun0' });
    expect(arrives()[0]?.bucketCpu).toBeUndefined();
    expect(tun.writes.length).toBe(1);
  });

  it('records the promised bucket CPU until a move leaves the flow on another CPU (R-6)', () => {
    const items: WorkloadItem[] = [pkt(0), { kind: 'retable', rotateRings: 1 }, pkt(0)];
    const probe = nicWith([], { rss: true });
    const home = probe.nic.ringOf(probe.flows[0]?.hash4Tuple ?? 0);
    const promise = () => cpuId(home);
    const moved = nicWith([...items, { kind: 'retable', rotateRings: 1 }, pkt(0)], {
      rss: true,
      bucketCpuPromise: promise,
    });
    moved.run();
    // Rings 0 and 1 interrupt CPUs 0 and 1: after one rotation the flow is on the other CPU.
    expect(moved.arrives().map((e) => [e.cpu, e.bucketCpu])).toEqual([
      [home, home],
      [1 - home, undefined],
      [home, home],
    ]);
    // Both rings on one CPU: the rotation moves the ring but not the CPU, so the promise holds.
    const rings = [new RxRing(0, cpuId(home), 4), new RxRing(1, cpuId(home), 4)];
    const sameCpu = nicWith(items, { rss: true, rings, bucketCpuPromise: promise });
    sameCpu.run();
    expect(sameCpu.arrives().map((e) => [e.ring, e.bucketCpu])).toEqual([
      [home, home],
      [1 - home, home],
    ]);
  });
});
