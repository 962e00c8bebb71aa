import { describe, expect, it } from 'vitest';
import { cpuId } from '../brand.ts';
import type { DispatchPolicy, PacketView } from '../policy.ts';
import { type FlowSpec, makeFlow } from '../rss/flowhash.ts';
import type { Trace, TraceEvent } from '../trace.ts';
import { hash32 } from './rps.ts';
import { burst, runScenario, UDP_PORT, udpTo } from './scenarios.ts';

const only = <K extends TraceEvent['kind']>(trace: Trace, kind: K) =>
  trace.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);

const udp6: FlowSpec = {
  family: 'inet6',
  ipProto: 17,
  src: '2001:db8::2',
  dst: '2001:db8::1',
  sport: 20_000,
  dport: UDP_PORT,
};
const tcp4 = { ...udpTo(2), ipProto: 6 };

describe('netif_receive_skb: what the policy sees and how its answer is traced', () => {
  // Packet i: direct, hybrid, or queued to CPU 1, by i % 3; flows udp4, udp6, tcp4 in turn. Run
  // inside each test, so a mutation tool sees which test covers what.
  const run = () => {
    const views: PacketView[] = [];
    const policy = (): DispatchPolicy => ({
      name: 'by-id',
      place(v, ctx) {
        views.push(v);
        const m = (v.id as number) % 3;
        if (m === 0) return { cpu: ctx.cpu, mode: 'direct' };
        return m === 1 ? { cpu: ctx.cpu, mode: 'hybrid' } : { cpu: cpuId(1), mode: 'queue' };
      },
    });
    const r = runScenario({
      config: { cpuCount: 2, ringCpus: [0], sockets: [{ port: UDP_PORT }] },
      workload: { flows: [udpTo(0), udp6, tcp4], items: burst(6, [0, 1, 2]) },
      policy,
    });
    return { views, r };
  };

  it('the view: protocol ip for IPv4, ip6 for IPv6; never a fragment (GRO has reassembled nothing here)', () => {
    const { views } = run();
    expect(views.slice(0, 3).map((v) => [v.protocol, v.family, v.ipProto, v.isFragment])).toEqual([
      ['ip', 'inet', 17, false],
      ['ip6', 'inet6', 17, false],
      ['ip', 'inet', 6, false],
    ]);
  });

  it('dispatch modes: direct, hybrid, queued', () => {
    const { r } = run();
    expect(only(r.trace, 'dispatch').map((d) => [d.pkt, d.mode, d.toCpu])).toEqual([
      [0, 'direct', 0],
      [1, 'hybrid', 0],
      [2, 'queued', 1],
      [3, 'direct', 0],
      [4, 'hybrid', 0],
      [5, 'queued', 1],
    ]);
  });

  it('IPv4 and IPv6 UDP reach the socket (udp_rcv, udpv6_rcv); TCP ends at the IP layer on the CPU that handled it', () => {
    const { r } = run();
    expect(only(r.trace, 'sock-queue').map((e) => [e.pkt, e.family ?? 'inet'])).toEqual([
      [0, 'inet'],
      [1, 'inet6'],
      [3, 'inet'],
      [4, 'inet6'],
    ]);
    const ipLayer = only(r.trace, 'deliver')
      .filter((e) => e.layer === 'ip')
      .sort((x, y) => x.pkt - y.pkt);
    expect(ipLayer.map((e) => [e.pkt, e.flow, e.seq, e.cpu])).toEqual([
      [2, 2, 0, 1],
      [5, 2, 1, 1],
    ]);
  });

  it('softnet_stat processed counts every packet __netif_receive_skb_core took, inline or from a backlog', () => {
    const { r } = run();
    const processed = r.softnetStat
      .trim()
      .split('\n')
      .map((row) => row.split(' ')[0]);
    expect(processed).toEqual(['00000004', '00000002']);
  });
});

describe('a policy fault drops the packet at the policy', () => {
  it('one policy-error and one drop counted in ip.policy_errors', () => {
    const r = runScenario({
      config: { cpuCount: 1, sockets: [{ port: UDP_PORT }] },
      workload: { flows: [udpTo(0)], items: burst(1) },
      policy: () => ({
        name: 'thrower',
        place() {
          throw new Error('no');
        },
      }),
    });
    expect(only(r.trace, 'drop')).toEqual([
      expect.objectContaining({
        pkt: 0,
        flow: 0,
        cpu: 0,
        where: 'policy',
        reason: 'threw',
        counter: 'ip.policy_errors',
      }),
    ]);
    expect(r.stats['ip.policy_errors']).toBe(1);
  });
});

describe('enqueue_to_backlog (R7, R8)', () => {
  const selfRps = (extra: Record<string, number>, items = 20) => ({
    config: {
      cpuCount: 1,
      sysctl: { 'rx-N/rps_cpus': 1, 'net.core.netdev_max_backlog': 5, ...extra },
      sockets: [{ port: UDP_PORT }],
    },
    workload: { flows: [udpTo(0)], items: burst(items) },
  });

  it('R7: a backlog drop names the queue, its length and the limit max + 1', () => {
    const drops = only(runScenario(selfRps({})).trace, 'drop');
    expect(drops[0]).toEqual(
      expect.objectContaining({
        where: 'backlog',
        reason: 'input_pkt_queue over netdev_max_backlog',
        counter: 'softnet_cpu0.dropped',
        cpu: 0,
        qlenPackets: 6,
        qlimitPackets: 6,
      }),
    );
  });

  it('pre-fix variant linux-backlog-drops-early refuses from qlen >= max / 2: two of twenty are taken', () => {
    const t = runScenario(selfRps({}), ['linux-backlog-drops-early']).trace;
    expect(only(t, 'enqueue').map((e) => e.qlenBeforePackets)).toEqual([0, 1]);
    expect(only(t, 'drop')).toHaveLength(18);
  });

  it('the first packet into an empty backlog schedules it once: one backlog poll takes all twenty', () => {
    const t = runScenario(selfRps({ 'net.core.netdev_max_backlog': 1000 })).trace;
    expect(only(t, 'napi-poll').map((p) => [p.napi, p.work])).toEqual([
      ['rxq0', 20],
      ['backlog', 20],
    ]);
  });

  // napi_schedule_rps lists the backlog for an IPI only when enqueue_to_backlog found it unscheduled
  // ("if (!__test_and_set_bit(NAPI_STATE_SCHED, &sd->backlog.state))"): one IPI for a burst.
  it('R10: a burst RPS-steered to another CPU in one poll costs one IPI', () => {
    const r = runScenario({
      config: {
        cpuCount: 2,
        ringCpus: [0],
        sysctl: { 'rx-N/rps_cpus': 0b10 },
        sockets: [{ port: UDP_PORT }],
      },
      workload: { flows: [udpTo(0)], items: burst(20) },
    });
    expect(only(r.trace, 'enqueue')).toHaveLength(20);
    expect(only(r.trace, 'ipi').map((e) => [e.fromCpu, e.toCpu, e.reason])).toEqual([[0, 1, 'rps']]);
    expect(r.stats['softnet_cpu1.received_rps']).toBe(1);
  });

  it('R8: a flow-limit drop reports the flow bucket count against the cap FLOW_LIMIT_HISTORY / 2 + 1', () => {
    const t = runScenario(
      selfRps(
        {
          'net.core.netdev_max_backlog': 200,
          'net.core.flow_limit_cpu_bitmap': 1,
          'driver.napi_weight': 300,
        },
        200,
      ),
    ).trace;
    expect(only(t, 'drop')[0]).toEqual(
      expect.objectContaining({ reason: 'flow_limit', qlenPackets: 65, qlimitPackets: 65, where: 'backlog' }),
    );
  });

  // c3025e94daa9 (6.16): "new_flow = hash_32(skb_get_hash(skb), fl->log_buckets);", before
  // "new_flow = skb_get_hash(skb) & (fl->num_buckets - 1);". Two flows sharing the low hash bit but
  // not hash_32's top bit share a bucket of a 2-bucket table only on the old kernel.
  it('R8 by kernel version: two flows taking turns are shed on 6.6 (one bucket), not on 6.18', () => {
    const hashOf = (i: number) => {
      const f = makeFlow(i, udpTo(i));
      return f.ok ? f.value.hash4Tuple : -1;
    };
    // Bucket 0 is left out: the zero-filled history keeps taking counts back from it.
    const odd = Array.from({ length: 64 }, (_, k) => k).filter((k) => (hashOf(k) & 1) === 1);
    const a = odd[0] ?? 0;
    const b = odd.find((k) => hash32(hashOf(k), 1) !== hash32(hashOf(a), 1));
    const run = (kernel: 'linux-6.18' | 'linux-6.6') =>
      runScenario({
        config: {
          kernel,
          cpuCount: 1,
          sysctl: {
            'rx-N/rps_cpus': 1,
            'net.core.netdev_max_backlog': 200,
            'net.core.flow_limit_cpu_bitmap': 1,
            'net.core.flow_limit_table_len': 2,
            'driver.napi_weight': 300,
          },
          sockets: [{ port: UDP_PORT }],
        },
        workload: { flows: [udpTo(a), udpTo(b ?? a)], items: burst(200, [0, 1]) },
      }).trace;
    expect(b).toBeDefined();
    expect(only(run('linux-6.18'), 'drop').filter((d) => d.reason === 'flow_limit')).toHaveLength(0);
    expect(only(run('linux-6.6'), 'drop').filter((d) => d.reason === 'flow_limit').length).toBeGreaterThan(0);
  });
});
