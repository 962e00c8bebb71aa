import { describe, expect, it } from 'vitest';
import { cpuId, type PacketId, packetId } from '../brand.ts';
import type { DispatchContext, DispatchPolicy, PacketView, SoftnetView } from '../policy.ts';
import type { Trace, TraceEvent } from '../trace.ts';
import { FLOW_LIMIT_HISTORY } from './knobs.ts';
import { hash32, rfsSlot, rpsPolicy } from './rps.ts';
import { burst, runScenario, UDP_PORT, udpTo } from './scenarios.ts';
import { skbFlowLimit } from './softnet.ts';

const only = <K extends TraceEvent['kind']>(trace: Trace, kind: K) =>
  trace.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);

describe('table slots: hash_32 from 6.15 / 6.16, hash & mask before', () => {
  it('hash_32(val, bits) is the top `bits` bits of val * GOLDEN_RATIO_32 (include/linux/hash.h)', () => {
    expect(hash32(1, 10)).toBe(0x61c8_8647 >>> 22);
    expect(hash32(0xffff_ffff, 32)).toBe(Math.imul(0xffff_ffff, 0x61c8_8647) >>> 0);
    expect(hash32(12345, 0)).toBe(0);
  });

  // net/core/dev.c rfs_slot: "return hash_32(hash, flow_table->log);" (f3483c8e1da6), formerly
  // "rflow = &flow_table->flows[hash & flow_table->mask];".
  it('rfs_slot: hashes sharing their low bits share a slot under "hash & mask", not under hash_32', () => {
    const [a, b] = [0x0000_0010, 0x1000_0010];
    expect(rfsSlot(a, 16, false)).toBe(rfsSlot(b, 16, false));
    expect(rfsSlot(a, 16, true)).not.toBe(rfsSlot(b, 16, true));
    expect(rfsSlot(a, 16, true)).toBe(hash32(a, 4));
  });

  // skb_flow_limit: "new_flow = hash_32(skb_get_hash(skb), fl->log_buckets);" (6.16), formerly
  // "new_flow = skb_get_hash(skb) & (fl->num_buckets - 1);".
  it('skb_flow_limit: the bucket is hash_32(hash, log_buckets) on 6.16+, hash & (num_buckets - 1) before', () => {
    const fl = () => ({
      history: new Array<number>(FLOW_LIMIT_HISTORY).fill(0),
      buckets: new Uint16Array(4096),
      historyHead: 0,
      count: 0,
    });
    const masked = fl();
    const hashed = fl();
    skbFlowLimit(masked, 0x1234_5678, 600, 1000, false);
    skbFlowLimit(hashed, 0x1234_5678, 600, 1000, true);
    expect(masked.history[0]).toBe(0x678);
    expect(hashed.history[0]).toBe(hash32(0x1234_5678, 12));
    expect(hashed.buckets[hash32(0x1234_5678, 12)]).toBe(1);
  });
});

/** A get_rps_cpu context over hand-set softnet counters, with RFS pointing the flow at `reader`. */
function rfsBox(cpuCount: number) {
  const head = new Array<number>(cpuCount).fill(0);
  const tail = new Array<number>(cpuCount).fill(0);
  const box = { reader: 1, head, tail, save: undefined as ((t: number) => void) | undefined };
  const softnet: SoftnetView = {
    inputQueueHead: (c) => head[c] ?? 0,
    inputQueueTail: (c) => tail[c] ?? 0,
    sockFlowEntry: (hash) => ((hash & ~3) | box.reader) >>> 0,
    rpsCpuMask: 3,
    saveQtail: (save) => {
      box.save = save;
    },
  };
  const ctx = { cpu: cpuId(0), cpuCount, softnet } as unknown as DispatchContext;
  const pkt = { id: packetId(0) as PacketId, hash: 0x5555_5550, rxRing: 0 } as unknown as PacketView;
  return { box, ctx, pkt };
}

function placeCpu(p: DispatchPolicy, pkt: PacketView, ctx: DispatchContext): number {
  const a = p.place(pkt, ctx);
  return (a as { cpu: number }).cpu;
}

describe('RFS last_qtail (net/core/dev.c get_rps_cpu, set_rps_cpu, enqueue_to_backlog; R4, R5)', () => {
  const policy = (old: boolean) =>
    rpsPolicy({ rpsCpus: [], rpsFlowCnt: 8, qtailBeforeEnqueue: old })({
      cpuCount: 4,
      workstreamCpus: [],
      bucketCount: 128,
    });

  // set_rps_cpu: "rflow->last_qtail = per_cpu(softnet_data, next_cpu).input_queue_head;"
  // enqueue_to_backlog: "rps_input_queue_tail_save(qtail, tail); return NET_RX_SUCCESS;" only.
  it("a refused enqueue leaves last_qtail at the new CPU's input_queue_head: the flow may move on at once", () => {
    const { box, ctx, pkt } = rfsBox(4);
    const p = policy(false);
    box.head[1] = 5;
    box.tail[1] = 9;
    expect(placeCpu(p, pkt, ctx)).toBe(1); // set_rps_cpu: last_qtail = head(1) = 5
    // enqueue_to_backlog refused the packet (backlog full): box.save is never called.
    box.reader = 2;
    expect(placeCpu(p, pkt, ctx)).toBe(2); // (int)(head(1) - last_qtail) = 0 >= 0
  });

  it('pre-fix bookkeeping (tail + 1 before the enqueue, patched later) keeps the flow on the old CPU', () => {
    const { box, ctx, pkt } = rfsBox(4);
    const p = policy(true);
    box.head[1] = 5;
    box.tail[1] = 9;
    expect(placeCpu(p, pkt, ctx)).toBe(1);
    box.reader = 2;
    expect(placeCpu(p, pkt, ctx)).toBe(1); // last_qtail patched to tail(1) = 9 > head 5
  });

  it('an admitted packet saves the tail after it: the flow moves once head reaches that tail', () => {
    const { box, ctx, pkt } = rfsBox(4);
    const p = policy(false);
    box.head[1] = 5;
    box.tail[1] = 9;
    expect(placeCpu(p, pkt, ctx)).toBe(1);
    box.tail[1] = 10;
    box.save?.(10); // admitted: last_qtail = 10
    box.reader = 2;
    box.head[1] = 9;
    expect(placeCpu(p, pkt, ctx)).toBe(1); // (int)(9 - 10) < 0: its packet is still queued
    box.head[1] = 10;
    expect(placeCpu(p, pkt, ctx)).toBe(2);
  });
});

describe('process_backlog and input_queue_head (R9)', () => {
  /** Always CPU 1's backlog; records input_queue_head(1) at each placement. */
  const watcher = (seen: number[]): DispatchPolicy => ({
    name: 'watch-head',
    place(_pkt, ctx) {
      seen.push(ctx.softnet?.inputQueueHead(1) ?? -1);
      return { cpu: cpuId(1), mode: 'queue' };
    },
  });
  const run = (kernel: 'linux-6.18' | 'linux-6.6', schedule: number[]) => {
    const seen: number[] = [];
    const r = runScenario({
      config: {
        kernel,
        cpuCount: 2,
        ringCpus: [0],
        sysctl: { 'net.core.dev_weight': 16, 'driver.napi_weight': 4 },
      },
      workload: { flows: [udpTo(0)], items: burst(96) },
      schedule,
      policy: () => watcher(seen),
    });
    const works = only(r.trace, 'napi-poll')
      .filter((e) => e.cpu === 1 && e.napi === 'backlog')
      .map((e) => e.work);
    const sums = new Set(works.map((_, i) => works.slice(0, i + 1).reduce((a, b) => a + b, 0)));
    sums.add(0);
    return { seen, sums };
  };
  // CPU 0's ring poll and CPU 1's backlog poll take turns packet by packet.
  const schedule = Array.from({ length: 1200 }, (_, i) => i % 2);

  // 6.10+: "if (++work >= quota) { rps_input_queue_head_add(sd, work); return work; }" and
  // "if (work) rps_input_queue_head_add(sd, work);" at the end.
  it('6.18: input_queue_head moves only when process_backlog returns, by its work', () => {
    const { seen, sums } = run('linux-6.18', schedule);
    expect(seen.length).toBe(96);
    expect(seen.every((h) => sums.has(h))).toBe(true);
    expect(new Set(seen).size).toBeGreaterThan(1);
  });

  // 6.6: "__netif_receive_skb(skb); ... input_queue_head_incr(sd);" per packet.
  it('6.6: input_queue_head moves per packet, so another CPU sees it mid-poll', () => {
    const { seen, sums } = run('linux-6.6', schedule);
    expect(seen.some((h) => !sums.has(h))).toBe(true);
  });
});

describe('RPS IPIs (R10)', () => {
  // Two flows from the one ring on CPU 0, steered by rps_map to CPU 0 and to CPU 1.
  const box = {
    config: { cpuCount: 2, ringCpus: [0], sysctl: { 'rx-N/rps_cpus': 0b11 }, sockets: [{ port: UDP_PORT }] },
    workload: { flows: [udpTo(0), udpTo(1), udpTo(2), udpTo(3)], items: burst(16, [0, 1, 2, 3]) },
  };
  const firstOn = (trace: Trace, pred: (e: TraceEvent) => boolean) => trace.findIndex(pred);

  // process_backlog: "if (sd_has_rps_ipi_waiting(sd)) { local_irq_disable(); net_rps_action_and_irq_enable(sd); }"
  it('process_backlog sends the pending IPIs before it takes its first packet', () => {
    const t = runScenario(box).trace;
    const ipi = firstOn(t, (e) => e.kind === 'ipi' && e.reason === 'rps');
    const batch0 = firstOn(t, (e) => e.kind === 'batch' && e.cpu === 0);
    expect(ipi).toBeGreaterThan(0);
    expect(batch0).toBeGreaterThan(ipi);
    const pre = runScenario(box, ['linux-rps-ipi-at-end']).trace;
    expect(firstOn(pre, (e) => e.kind === 'ipi')).toBeGreaterThan(
      firstOn(pre, (e) => e.kind === 'batch' && e.cpu === 0),
    );
  });

  // napi_schedule_rps: "if (!mysd->in_net_rx_action && !mysd->in_napi_threaded_poll) __raise_softirq_irqoff(NET_RX_SOFTIRQ);"
  it('napi_schedule_rps inside net_rx_action raises no softirq: no empty net_rx_action run follows', () => {
    const emptyRuns = (trace: Trace) => {
      let n = 0;
      for (let i = 1; i < trace.length; i++) {
        const [a, b] = [trace[i - 1], trace[i]];
        if (a?.kind === 'softirq' && a.phase === 'start' && b?.kind === 'softirq' && b.phase === 'end') n++;
      }
      return n;
    };
    expect(emptyRuns(runScenario(box).trace)).toBe(0);
    expect(emptyRuns(runScenario(box, ['linux-rps-ipi-at-end']).trace)).toBeGreaterThan(0);
  });
});

describe('UDP recvmsg frees (net/ipv4/udp.c skb_consume_udp)', () => {
  const box = (kernel: 'linux-6.18' | 'linux-6.6') => ({
    config: { kernel, cpuCount: 2, ringCpus: [0], sockets: [{ port: UDP_PORT, readerCpus: [1] }] },
    workload: { flows: [udpTo(0)], items: burst(8) },
  });

  // 6471658dc66c "udp: use skb_attempt_defer_free()" (6.18): "Move skb freeing from udp recvmsg()
  // path to the cpu which allocated/received it, as TCP did in linux-5.17."
  it('6.18: every datagram read on CPU 1 goes back to CPU 0 through skb_attempt_defer_free', () => {
    const t = runScenario(box('linux-6.18')).trace;
    expect(only(t, 'defer-free')).toHaveLength(8);
    expect(
      only(t, 'free')
        .filter((e) => e.what === 'skb')
        .every((e) => e.cpu === 0),
    ).toBe(true);
  });

  it('6.6: only TCP defers; UDP frees on the reading CPU at once', () => {
    const t = runScenario(box('linux-6.6')).trace;
    expect(only(t, 'defer-free')).toHaveLength(0);
    expect(
      only(t, 'free')
        .filter((e) => e.what === 'skb')
        .every((e) => e.cpu === 1),
    ).toBe(true);
    expect(t[0]).toMatchObject({ kind: 'kernel', os: 'linux', version: 'linux-6.6', rules: [] });
  });
});

describe('UDP rcvbuf test (net/ipv4/udp.c __udp_enqueue_schedule_skb, U2)', () => {
  // A slow reader (it never runs before the burst is in); each datagram's truesize is 704 bytes.
  const box = (kernel: 'linux-6.18' | 'linux-6.6') => ({
    config: { kernel, cpuCount: 1, sockets: [{ port: UDP_PORT, rcvbufBytes: 1000 }] },
    workload: { flows: [udpTo(0)], items: burst(3) },
  });
  const outcomes = (t: Trace) => only(t, 'sock-queue').map((e) => e.outcome);

  // 6.18: "if (rmem + size > rcvbuf) { if (rcvbuf > INT_MAX >> 1) goto drop; /* Accept the packet
  // if queue is empty. */ if (rmem) goto drop; }" (9aaec660b5be).
  it('6.18: only a datagram that fits, or one into an empty queue, is taken', () => {
    const t = runScenario(box('linux-6.18')).trace;
    expect(only(t, 'sock-queue')[0]?.truesizeBytes).toBe(704);
    expect(outcomes(t)).toEqual(['queued', 'dropped', 'dropped']);
  });

  // 6.6: "if (rmem > sk->sk_rcvbuf) goto drop;" before the charge, so one datagram may overshoot.
  it('6.6: taken while sk_rmem_alloc <= sk_rcvbuf, so the queue overshoots by one datagram', () => {
    expect(outcomes(runScenario(box('linux-6.6')).trace)).toEqual(['queued', 'queued', 'dropped']);
  });
});
