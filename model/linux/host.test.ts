import { describe, expect, it } from 'vitest';
import { cpuId } from '../brand.ts';
import {
  type DispatchContext,
  type DispatchPolicy,
  instantiatePolicy,
  type PacketView,
  type SoftnetView,
} from '../policy.ts';
import { errorOf, unwrap } from '../result.ts';
import type { ModelVariant } from '../variants.ts';
import { resolveLinuxConfig } from './config.ts';
import { linuxDefaultPolicy, runLinux } from './host.ts';
import { hash32 } from './rps.ts';
import { burst, runScenario, UDP_PORT, udpOnRing, udpTo, udpToGroup } from './scenarios.ts';

/** What a policy's tick saw of the Linux host, read through its DispatchContext. */
interface Seen {
  readonly limit: number;
  readonly lenOutside: number;
  readonly busyOutside: boolean;
  readonly bucketCpus: readonly number[];
  readonly bucketOfHash: number;
  readonly headOutside: number;
  readonly tailOutside: number;
  readonly tail0: number;
  readonly head0: number;
  readonly len0: number;
}

function recordingPolicy(seen: Seen[]): DispatchPolicy {
  return {
    name: 'to-cpu0',
    place: (_pkt, ctx) => ({ cpu: cpuId(0), mode: ctx.cpu === 0 ? 'direct' : 'queue' }),
    tick: (ctx: DispatchContext) => {
      const sn = ctx.softnet;
      seen.push({
        limit: ctx.queueLimitPackets(0),
        lenOutside: ctx.queueLengthPackets(7),
        busyOutside: ctx.busy(7),
        bucketCpus: [0, 1, 2, 3, 128, 129].map((b) => ctx.bucketCpu(b as never)),
        bucketOfHash: ctx.bucketOf(0x1234_5685),
        headOutside: sn?.inputQueueHead(7) ?? -1,
        tailOutside: sn?.inputQueueTail(7) ?? -1,
        tail0: sn?.inputQueueTail(0) ?? -1,
        head0: sn?.inputQueueHead(0) ?? -1,
        len0: ctx.queueLengthPackets(0),
      });
    },
  };
}

describe('the Linux host as a policy sees it (get_rps_cpu inputs, net/core/dev.c)', () => {
  it('tick every policyTickPackets arrivals; backlog limit is netdev_max_backlog + 1 (R7); RETA entry i is ring i % rings', () => {
    const seen: Seen[] = [];
    const pause = { kind: 'pause' as const, ns: 1_000_000 };
    const r = runScenario({
      config: {
        cpuCount: 3,
        ringCpus: [1, 2, 1],
        sysctl: { 'net.core.netdev_max_backlog': 40 },
        limits: { policyTickPackets: 16 },
        sockets: [{ port: UDP_PORT }],
      },
      workload: { flows: [udpTo(0)], items: [...burst(20), pause, ...burst(20), pause, ...burst(10)] },
      policy: recordingPolicy(seen),
    });
    // 50 arrivals: a tick at 16, 32 and 48, each inside a burst the ring CPUs have not polled yet.
    expect(seen).toHaveLength(3);
    for (const s of seen) {
      expect(s.limit).toBe(41);
      // A CPU the host does not have: an empty, idle backlog with zero counters.
      expect([s.lenOutside, s.busyOutside, s.headOutside, s.tailOutside]).toEqual([0, false, 0, 0]);
      // The indirection table spreads its 128 entries over the rings' CPUs, entry & 127.
      expect(s.bucketCpus).toEqual([1, 2, 1, 1, 1, 2]);
      expect(s.bucketOfHash).toBe(0x05);
    }
    // CPU 0's input_queue_tail counts the packets its backlog admitted (enqueue_to_backlog) and
    // input_queue_head the ones process_backlog took: each earlier burst of 20 in and out by the pause.
    expect(seen.map((s) => [s.tail0, s.head0, s.len0])).toEqual([
      [0, 0, 0],
      [20, 20, 0],
      [40, 40, 0],
    ]);
    expect(r.trace.filter((e) => e.kind === 'enqueue' && e.cpu === 0)).toHaveLength(50);
  });

  it('R1: rps_sock_flow_entries 0 turns RFS off even with rps_flow_cnt set: the flow stays on its rps_map CPU', () => {
    const config = (entries: number) => ({
      cpuCount: 3,
      sysctl: { 'rx-N/rps_cpus': 0b001, 'net.core.rps_sock_flow_entries': entries, 'rx-N/rps_flow_cnt': 256 },
      sockets: [{ port: UDP_PORT, readerCpus: [2], connected: true }],
    });
    const workload = {
      flows: [udpTo(0)],
      items: [...burst(2), { kind: 'pause' as const, ns: 1_000_000 }, ...burst(10)],
    };
    const cpus = (entries: number) =>
      new Set(
        runScenario({ config: config(entries), workload })
          .trace.filter((e) => e.kind === 'dispatch' && e.mode === 'queued')
          .map((e) => (e.kind === 'dispatch' ? Number(e.toCpu) : -1)),
      );
    expect(cpus(0)).toEqual(new Set([0]));
    // Near miss: with a sock flow table the same flow follows its reader to CPU 2.
    expect(cpus(4096).has(2)).toBe(true);
  });

  it('counters: stats keys sorted; /proc/net/udp rows carry inode 10000 + slot and the wildcard address', () => {
    const r = runScenario({
      config: { cpuCount: 12, sockets: [{ port: UDP_PORT }, { port: UDP_PORT + 1 }] },
      workload: { flows: [udpTo(0), udpTo(1, UDP_PORT + 1)], items: burst(6, [0, 1]) },
    });
    const keys = Object.keys(r.stats);
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    // Byte order, as the counters text is rendered: cpu10 before cpu2.
    expect(keys.indexOf('softnet_cpu10.dropped')).toBeLessThan(keys.indexOf('softnet_cpu2.dropped'));
    expect(keys).toContain('softnet_cpu1.backlog_len');
    expect(keys).toContain('udp_sock1.rx_queue');
    expect(r.stats['udp_sock0.drops']).toBe(0);
    const rows = r.procNetUdp.trim().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\s*0: 00000000:1388 /);
    expect(rows[1]).toMatch(/^\s*1: 00000000:1389 /);
    expect(rows[0]?.split(/\s+/).includes('10000')).toBe(true);
    expect(rows[1]?.split(/\s+/).includes('10001')).toBe(true);
  });

  it('every snapshot lists its names sorted, a counter that appears mid-run in its place', () => {
    const r = runScenario({
      // RPS to CPU 2: softnet.received_rps first counts after the first snapshot.
      config: { cpuCount: 12, sockets: [{ port: UDP_PORT }], sysctl: { 'rx-N/rps_cpus': 0b100 } },
      workload: {
        flows: [udpTo(0)],
        items: [{ kind: 'snapshot' as const }, ...burst(6), { kind: 'snapshot' as const }],
      },
    });
    const snapshots = r.trace.flatMap((e) => (e.kind === 'counters' ? [Object.keys(e.stats)] : []));
    for (const keys of snapshots) expect(keys).toEqual([...keys].sort());
    const [first, last] = [snapshots[0] ?? [], snapshots.at(-1) ?? []];
    expect(first).not.toContain('softnet.received_rps');
    expect(last).toEqual([...first, 'softnet.received_rps'].sort());
  });

  it('the NIC hashes UDP over the 4-tuple (ethtool rx-flow-hash udp4 sdfn) and picks the ring by RETA entry hash & 127', () => {
    const r = runScenario({
      config: { cpuCount: 4, ringCpus: [0, 1, 2, 3], sockets: [{ port: UDP_PORT }] },
      workload: { flows: [udpTo(0), udpTo(1)], items: burst(8, [0, 1]) },
    });
    const arrivals = r.trace.filter((e) => e.kind === 'arrive');
    expect(arrivals).toHaveLength(8);
    for (const a of arrivals) {
      if (a.kind !== 'arrive') continue;
      expect(a.hashType).toBe('rss-udp-ipv4');
      expect(a.bucket).toBe(a.hash & 127);
      expect(a.ring).toBe((a.hash & 127) % 4);
      expect(a.cpu).toBe(a.ring);
    }
  });

  it('a ring raises its MSI-X vector only when a packet landed on it: a CPU with an empty ring never runs NET_RX', () => {
    const r = runScenario({
      config: {
        cpuCount: 2,
        ringCpus: [0, 1],
        sysctl: { 'rx-N/rps_cpus': 1 },
        sockets: [{ port: UDP_PORT, readerCpus: [0] }],
      },
      workload: { flows: [udpOnRing(0, 2)], items: burst(4) },
    });
    expect(r.trace.filter((e) => e.kind === 'napi-poll')).toHaveLength(2);
    expect(r.trace.filter((e) => 'cpu' in e && e.cpu === 1)).toEqual([]);
    expect(r.stats['softnet_cpu0.processed']).toBe(4);
  });

  it('skb_clone for each extra multicast member: clones get their own ids, every buffer a distinct one', () => {
    const r = runScenario({
      config: {
        cpuCount: 2,
        sockets: [
          { port: 6000, group: '239.1.1.1', readerCpus: [0] },
          { port: 6000, group: '239.1.1.1', readerCpus: [1] },
        ],
      },
      workload: { flows: [udpToGroup(0, '239.1.1.1', 6000)], items: burst(3) },
    });
    const clones = r.trace.filter((e) => e.kind === 'sock-queue' && e.cloneOf !== undefined);
    expect(clones.map((e) => (e.kind === 'sock-queue' ? Number(e.pkt) : -1))).toEqual([
      1_000_000_000, 1_000_000_001, 1_000_000_002,
    ]);
    const bufs = r.trace.flatMap((e) => (e.kind === 'alloc' ? [e.buf] : []));
    expect(bufs).toEqual(bufs.map((_, i) => i));
  });

  it('a full rx ring drops at the NIC (no free rx descriptor): driver.rx_ring_entries sizes each ring', () => {
    const r = runScenario({
      config: { cpuCount: 1, sysctl: { 'driver.rx_ring_entries': 4 }, sockets: [{ port: UDP_PORT }] },
      workload: { flows: [udpTo(0)], items: burst(10) },
    });
    const drops = r.trace.filter((e) => e.kind === 'drop' && e.where === 'rx-ring');
    expect(drops).toHaveLength(6);
    for (const d of drops) if (d.kind === 'drop') expect([d.qlenPackets, d.qlimitPackets]).toEqual([4, 4]);
    expect(r.trace.filter((e) => e.kind === 'deliver')).toHaveLength(4);
  });

  it('a workload naming a bad address is refused with one sentence before any run', () => {
    const bad = { flows: [{ ...udpTo(0), src: '10.300.0.1' }], items: burst(1) };
    expect(errorOf(runLinux({ config: { cpuCount: 1 }, workload: bad, schedule: [] }))).toBe(
      "flow 0: bad inet source address '10.300.0.1'",
    );
  });

  it('a snapshot item mid-run records the counters as not quiescent; the end of the run records them quiescent', () => {
    const r = runScenario({
      config: { cpuCount: 1, sockets: [{ port: UDP_PORT }] },
      workload: { flows: [udpTo(0)], items: [...burst(2), { kind: 'snapshot' }, ...burst(1)] },
    });
    const counters = r.trace.flatMap((e) => (e.kind === 'counters' ? [e] : []));
    expect(counters.map((c) => c.quiescent)).toEqual([false, true]);
    expect(counters[0]?.stats['Udp.InDatagrams']).toBe(0);
    expect(counters[1]?.stats['Udp.InDatagrams']).toBe(3);
  });
});

describe('linuxDefaultPolicy hands the version and the variants to get_rps_cpu', () => {
  /** get_rps_cpu over hand-set counters; the sock flow table points `hash` at readers[hash]. */
  const steer = (kernel: 'linux-6.18' | 'linux-6.6', variants: ModelVariant[] = []) => {
    const cfg = unwrap(
      resolveLinuxConfig({
        cpuCount: 4,
        kernel,
        variants,
        sysctl: { 'net.core.rps_sock_flow_entries': 4096, 'rx-N/rps_flow_cnt': 8 },
      }),
    );
    const p = instantiatePolicy(linuxDefaultPolicy(cfg), {
      cpuCount: 4,
      workstreamCpus: [],
      bucketCount: 128,
    });
    const head = [0, 0, 0, 0];
    const tail = [0, 0, 0, 0];
    const readers = new Map<number, number>();
    let save: ((t: number) => void) | undefined;
    const softnet: SoftnetView = {
      inputQueueHead: (c) => head[c] ?? 0,
      inputQueueTail: (c) => tail[c] ?? 0,
      sockFlowEntry: (hash) => ((hash & ~3) | (readers.get(hash) ?? 0)) >>> 0,
      rpsCpuMask: 3,
      saveQtail: (s) => {
        save = s;
      },
    };
    const ctx = { cpu: cpuId(0), cpuCount: 4, softnet } as unknown as DispatchContext;
    const place = (hash: number, reader: number) => {
      readers.set(hash, reader);
      save = undefined;
      const pkt = { id: 0, hash, rxRing: 0 } as unknown as PacketView;
      return (p.place(pkt, ctx) as { cpu: number }).cpu;
    };
    return { head, tail, place, save: (t: number) => save?.(t) };
  };

  // rps_dev_flow slot: "hash & flow_table->mask" before 6.15, hash_32(hash, log) from f3483c8e1da6.
  it('6.6: flows agreeing in the low bits share one rps_dev_flow; 6.18 parts them (hash_32)', () => {
    const [a, b] = [0x5555_5550, 0x5555_5560];
    expect(hash32(a, 3)).not.toBe(hash32(b, 3));
    const run = (kernel: 'linux-6.18' | 'linux-6.6') => {
      const box = steer(kernel);
      box.tail[1] = 5;
      expect(box.place(a, 1)).toBe(1);
      box.save(5); // admitted: last_qtail = 5, head(1) still 0
      return box.place(b, 2);
    };
    expect(run('linux-6.6')).toBe(1); // b finds a's entry: CPU 1 has not passed last_qtail
    expect(run('linux-6.18')).toBe(2);
  });

  it('linux-rfs-qtail-before-enqueue reaches the policy: a refused enqueue keeps the flow', () => {
    const run = (variants: ModelVariant[]) => {
      const box = steer('linux-6.18', variants);
      box.head[1] = 5;
      box.tail[1] = 9;
      expect(box.place(0x5555_5550, 1)).toBe(1);
      return box.place(0x5555_5550, 2); // no save: enqueue_to_backlog refused the packet
    };
    expect(run([])).toBe(2);
    expect(run(['linux-rfs-qtail-before-enqueue'])).toBe(1);
  });
});

describe('the end of a run names the CPUs whose NET_RX work is still pending', () => {
  it('cut off at stepsMax mid-burst: CPU 0 still busy; run to the end: none', () => {
    const box = (stepsMax?: number) => ({
      config: {
        cpuCount: 2,
        ringCpus: [0],
        sockets: [{ port: UDP_PORT }],
        ...(stepsMax === undefined ? {} : { limits: { stepsMax } }),
      },
      workload: { flows: [udpTo(0)], items: burst(20) },
    });
    const end = (t: ReturnType<typeof runScenario>['trace']) => t.at(-1);
    expect(end(runScenario(box(12)).trace)).toMatchObject({ kind: 'end', busyCpus: [0] });
    expect(end(runScenario(box()).trace)).toMatchObject({ kind: 'end', busyCpus: [] });
  });
});
