import { describe, expect, it } from 'vitest';
import { errorOf } from '../result.ts';
import type { Trace, TraceEvent } from '../trace.ts';
import { runLinux } from './host.ts';
import { renderProcNetUdp } from './procfs.ts';
import { reciprocalScale } from './rps.ts';
import { burst, runScenario, UDP_PORT, udpOnRing, udpTo, udpToGroup } from './scenarios.ts';

const only = <K extends TraceEvent['kind']>(trace: Trace, kind: K) =>
  trace.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);

describe('Linux receive model: configuration and determinism', () => {
  it('the same input gives a byte-identical trace', () => {
    const s = {
      config: {
        cpuCount: 3,
        sysctl: { 'rx-N/rps_cpus': 0b110 },
        sockets: [{ port: UDP_PORT, readerCpus: [0, 2] }],
      },
      workload: { flows: [udpTo(0), udpTo(1)], items: burst(40, [0, 1]) },
      schedule: [1, 2, 0, 3, 1, 1, 2, 0, 4, 2],
    };
    expect(JSON.stringify(runScenario(s).trace)).toBe(JSON.stringify(runScenario(s).trace));
  });

  it.each([
    [{ cpuCount: 0 }, 'cpuCount 0: want 1..32'],
    [{ cpuCount: 2, sockets: [{ port: 0 }] }, 'socket 0: port 0 outside 1..65535'],
    [{ cpuCount: 2, sysctl: { 'net.core.netdev_budget': 0 } }, 'net.core.netdev_budget must be >= 1 packets'],
    [{ cpuCount: 2, ringCpus: [5] }, 'ringCpus: CPU 5 outside 0..1'],
    [{ cpuCount: 2, sysctl: { 'rx-N/rps_cpus': 0b100 } }, 'rx-N/rps_cpus 0x4 names CPUs beyond 1'],
  ])('bad configuration %j answers one sentence', (config, sentence) => {
    expect(errorOf(runLinux({ config, workload: { flows: [], items: [] }, schedule: [] }))).toBe(sentence);
  });
});

describe('backlog, RPS and RFS (net/core/dev.c)', () => {
  it('R7: from empty with no dequeue, a backlog takes netdev_max_backlog + 1 packets and drops the rest', () => {
    const r = runScenario({
      config: {
        cpuCount: 1,
        sysctl: { 'rx-N/rps_cpus': 1, 'net.core.netdev_max_backlog': 5 },
        sockets: [{ port: UDP_PORT }],
      },
      workload: { flows: [udpTo(0)], items: burst(20) },
    });
    expect(only(r.trace, 'enqueue')).toHaveLength(6);
    expect(only(r.trace, 'drop').filter((d) => d.where === 'backlog')).toHaveLength(14);
    expect(r.stats['softnet_cpu0.dropped']).toBe(14);
    expect(r.softnetStat.split(' ')[1]).toBe('0000000e');
  });

  it('R6: rps_map is indexed by the high bits of the hash (reciprocal_scale), not hash % len', () => {
    expect(reciprocalScale(0x8000_0000, 2)).toBe(1);
    expect(reciprocalScale(0x7fff_ffff, 2)).toBe(0);
    expect(reciprocalScale(0xffff_ffff, 3)).toBe(2);
  });

  it('R1/R3/R10: with RFS the flow follows its reader; the RPS IPI counts received_rps once per IPI', () => {
    const r = runScenario({
      config: {
        cpuCount: 3,
        sysctl: { 'net.core.rps_sock_flow_entries': 4096, 'rx-N/rps_flow_cnt': 256 },
        sockets: [{ port: UDP_PORT, readerCpus: [2], connected: true }],
      },
      workload: { flows: [udpTo(0)], items: [...burst(2), { kind: 'pause', ns: 1_000_000 }, ...burst(10)] },
    });
    const queued = only(r.trace, 'dispatch').filter((d) => d.mode === 'queued');
    expect(queued.length).toBeGreaterThan(0);
    expect(new Set(queued.map((d) => d.toCpu))).toEqual(new Set([2]));
    const ipis = only(r.trace, 'ipi').filter((e) => e.reason === 'rps');
    expect(r.stats['softnet_cpu2.received_rps']).toBe(ipis.length);
    expect(ipis.length).toBeLessThan(queued.length);
  });

  it('R8: with flow limit on, one flow holding more than 64 of the last 128 slots is shed once qlen >= max/2', () => {
    const r = runScenario({
      config: {
        cpuCount: 1,
        sysctl: {
          'rx-N/rps_cpus': 1,
          'net.core.netdev_max_backlog': 200,
          'net.core.flow_limit_cpu_bitmap': 1,
          'driver.napi_weight': 300,
        },
        sockets: [{ port: UDP_PORT }],
      },
      workload: { flows: [udpTo(0)], items: burst(300) },
    });
    const shed = only(r.trace, 'drop').filter((d) => d.reason === 'flow_limit');
    // Tracked from qlen 100 on; from then on every packet of the single flow is over 64 of 128.
    expect(shed.length).toBe(300 - 100 - 64);
    expect(r.stats['softnet_cpu0.flow_limit_count']).toBe(shed.length);
    expect(r.stats['softnet_cpu0.dropped']).toBe(shed.length);
  });
});

describe('NAPI budget and weight (net_rx_action)', () => {
  it('N1/N2: six rings on one CPU: five polls of 64 spend the 300 budget to -20 and squeeze once', () => {
    const flows = Array.from({ length: 6 }, (_, i) => udpOnRing(i, 6));
    const r = runScenario({
      config: { cpuCount: 1, rxRingCount: 6, sockets: [{ port: UDP_PORT }] },
      workload: { flows, items: burst(6 * 70, [0, 1, 2, 3, 4, 5]) },
    });
    const first = only(r.trace, 'softirq').find((e) => e.phase === 'end');
    const polls = only(r.trace, 'napi-poll').filter((p) => p.atNs <= (first?.atNs ?? 0));
    expect(polls.map((p) => p.work)).toEqual([64, 64, 64, 64, 64]);
    expect(first?.budgetPackets).toBeLessThanOrEqual(0);
    expect(first?.squeezed).toBe(true);
    expect(r.stats['softnet_cpu0.time_squeeze']).toBe(
      only(r.trace, 'softirq').filter((e) => e.squeezed).length,
    );
    // The host-wide total equals the one CPU's softnet_stat column.
    expect(r.stats['softnet.time_squeeze']).toBe(r.stats['softnet_cpu0.time_squeeze']);
  });

  it('N1: netdev_budget_usecs on the virtual clock: slow packets end net_rx_action on the time limit', () => {
    const r = runScenario({
      config: {
        cpuCount: 1,
        rxRingCount: 2,
        sysctl: { 'net.core.netdev_budget_usecs': 100 },
        limits: { stepCostNs: 100_000 },
        sockets: [{ port: UDP_PORT }],
      },
      workload: { flows: [udpTo(0), udpTo(1)], items: burst(100, [0, 1]) },
    });
    const ends = only(r.trace, 'softirq').filter((e) => e.phase === 'end' && e.squeezed);
    expect(ends.length).toBeGreaterThan(0);
    expect(ends.every((e) => e.budgetPackets > 0 && e.atNs >= e.timeLimitNs)).toBe(true);
  });

  it('N3: a poll never does more than the NAPI weight; below it the NAPI completes', () => {
    const r = runScenario({
      config: { cpuCount: 1, sysctl: { 'driver.napi_weight': 8 }, sockets: [{ port: UDP_PORT }] },
      workload: { flows: [udpTo(0)], items: burst(30) },
    });
    const polls = only(r.trace, 'napi-poll');
    expect(polls.map((p) => p.work)).toEqual([8, 8, 8, 6]);
    expect(polls.map((p) => p.completed)).toEqual([false, false, false, true]);
  });
});

describe('UDP receive (net/ipv4/udp.c)', () => {
  it('U2/U5: an empty queue takes any skb; past sk_rcvbuf drops count RcvbufErrors, InErrors and sk_drops', () => {
    const r = runScenario({
      config: { cpuCount: 1, sockets: [{ port: UDP_PORT, rcvbufBytes: 100 }] },
      workload: { flows: [udpTo(0)], items: burst(3) },
    });
    expect(only(r.trace, 'sock-queue').map((e) => e.outcome)).toEqual(['queued', 'dropped', 'dropped']);
    expect(r.snmpUdp.split('\n')[1]).toBe('Udp: 1 0 2 0 2 0 0 0 0');
    expect(r.procNetUdp.split('\n')[1]?.trimEnd().endsWith(' 2')).toBe(true);
  });

  it('multicast: every member socket gets the datagram, clones first, the original last', () => {
    const r = runScenario({
      config: {
        cpuCount: 2,
        sockets: [
          { port: 6000, group: '239.1.1.1', readerCpus: [0] },
          { port: 6000, group: '239.1.1.1', readerCpus: [1] },
          { port: 6000, group: '239.9.9.9', readerCpus: [1] },
        ],
      },
      workload: { flows: [udpToGroup(0, '239.1.1.1', 6000)], items: burst(5) },
    });
    const q = only(r.trace, 'sock-queue');
    expect(q.map((e) => e.sock)).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(q.filter((e) => e.cloneOf !== undefined)).toHaveLength(5);
    expect(r.stats['Udp.InDatagrams']).toBe(10);
  });

  it('U6 before 4.10: while the reader owns the socket, skbs go to sk_backlog and release_sock queues them', () => {
    const r = runScenario({
      config: { cpuCount: 1, udpSocketBacklog: true, sockets: [{ port: UDP_PORT }] },
      workload: { flows: [udpTo(0)], items: burst(6) },
      // nic, softirq, reader interleaved so packets land while the reader holds the lock.
      schedule: [0, 1, 0, 1, 2, 0, 1, 1, 0, 1, 1, 2, 2, 2, 2, 2, 2],
    });
    const outcomes = only(r.trace, 'sock-queue').map((e) => e.outcome);
    expect(outcomes).toContain('backlog');
    expect(only(r.trace, 'deliver')).toHaveLength(6);
  });

  it('renders /proc/net/udp in udp4_format_sock layout, padded to 127 columns', () => {
    const text = renderProcNetUdp([
      {
        slot: 3,
        localAddress: '10.1.0.1',
        localPort: 53,
        txQueueBytes: 0,
        rxQueueBytes: 768,
        uid: 0,
        inode: 4242,
        refcount: 2,
        drops: 7,
      },
    ]);
    const [header, line] = text.split('\n');
    expect(header?.length).toBe(127);
    expect(line?.trimEnd()).toBe(
      '    3: 0100010A:0035 00000000:0000 07 00000000:00000300 00:00000000 00000000     0        0 4242 2 0000000000000000 7',
    );
  });
});

describe('skb free deferral (skb_attempt_defer_free, D1..D7)', () => {
  const reader = (cpus: number[], deferMax?: number) => ({
    cpuCount: 2,
    ringCpus: [0],
    ...(deferMax === undefined ? {} : { sysctl: { 'net.core.skb_defer_max': deferMax } }),
    sockets: [{ port: UDP_PORT, readerCpus: cpus }],
  });
  const outcomes = (t: Trace) => only(t, 'defer-free').map((e) => e.outcome);

  it('D2: read on the allocating CPU: freed at once, no list', () => {
    const r = runScenario({ config: reader([0]), workload: { flows: [udpTo(0)], items: burst(4) } });
    expect(outcomes(r.trace)).toEqual(['local', 'local', 'local', 'local']);
  });

  it('D3/D4: read elsewhere: parked on the allocating CPU, the insert at skb_defer_max/2 kicks, the owner drains', () => {
    const r = runScenario({ config: reader([1], 4), workload: { flows: [udpTo(0)], items: burst(6) } });
    const d = only(r.trace, 'defer-free');
    const kicks = d.filter((e) => e.kick).map((e) => e.listLenBefore);
    expect(kicks.length).toBeGreaterThan(0);
    expect(new Set(kicks)).toEqual(new Set([2]));
    expect(only(r.trace, 'ipi').some((e) => e.reason === 'defer' && e.toCpu === 0)).toBe(true);
    const drained = only(r.trace, 'free').filter((f) => f.what === 'skb' && f.cpu === 0 && f.allocCpu === 0);
    expect(drained.length).toBeGreaterThanOrEqual(3);
  });

  it('D3: skb_defer_max = 0 turns deferral off; = 1 kicks on the first insert (before 6.18)', () => {
    const off = runScenario({ config: reader([1], 0), workload: { flows: [udpTo(0)], items: burst(3) } });
    expect(outcomes(off.trace)).toEqual(['list-full', 'list-full', 'list-full']);
    // On 6.6 only TCP deferred; the variant sends the model's UDP reads down that path.
    const one = runScenario({
      config: { ...reader([1], 1), kernel: 'linux-6.6', variants: ['linux-udp-defer-every-version'] },
      workload: { flows: [udpTo(0)], items: burst(1) },
    });
    expect(only(one.trace, 'defer-free').map((e) => e.kick)).toEqual([true]);
  });

  // 6.18 skb_attempt_defer_free: "defer_count = atomic_long_inc_return(&sdn->defer_count);
  // if (defer_count >= defer_max) goto nodefer;" (844c9db7f7f5).
  it('D3 from 6.18: the count goes up before "defer_count >= defer_max", so a list holds skb_defer_max - 1', () => {
    const one = runScenario({ config: reader([1], 1), workload: { flows: [udpTo(0)], items: burst(3) } });
    expect(outcomes(one.trace)).toEqual(['list-full', 'list-full', 'list-full']);
    // skb_defer_max = 2: one skb parked at most, and "(defer_count - 1) == (defer_max >> 1)" never
    // holds for a parked one, so no kick: CPU 0 drains it on its own next net_rx_action.
    const two = runScenario({ config: reader([1], 2), workload: { flows: [udpTo(0)], items: burst(40) } });
    const parked = only(two.trace, 'defer-free').filter((e) => e.outcome === 'deferred');
    expect(parked.length).toBeGreaterThan(0);
    expect(parked.every((e) => e.listLenBefore === 0 && !e.kick)).toBe(true);
    expect(outcomes(two.trace)).toContain('list-full');
  });
});
