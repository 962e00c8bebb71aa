import { describe, expect, it } from 'vitest';
import { cpuId, threadId } from '../brand.ts';
import type { DispatchPolicy } from '../policy.ts';
import type { Trace, TraceEvent } from '../trace.ts';
import type { LinuxEnv } from './env.ts';
import { NetRxAction } from './napi.ts';
import type { LinuxRx } from './rx.ts';
import { burst, type LinuxScenario, runScenario, UDP_PORT, udpOnRing, udpTo } from './scenarios.ts';
import { Softnet } from './softnet.ts';

/** net_rx_action and process_backlog (net/core/dev.c) at the points N1..N5 and R9/R10 name. */
const only = <K extends TraceEvent['kind']>(trace: Trace, kind: K) =>
  trace.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);

/** The first net_rx_action run on `cpu`: its polls (napi name and work) and IPIs, in order. */
function firstRun(trace: Trace, cpu = 0): string[] {
  const out: string[] = [];
  let inRun = false;
  for (const e of trace) {
    if (e.kind === 'softirq' && e.cpu === cpu) {
      if (e.phase === 'end' && inRun) return out;
      inRun = e.phase === 'start';
    } else if (inRun && e.kind === 'napi-poll' && e.cpu === cpu) out.push(`${e.napi} ${e.work}`);
    else if (inRun && e.kind === 'ipi' && e.fromCpu === cpu) out.push(`ipi ${e.toCpu}`);
  }
  return out;
}

/** Flows on ring 0 and ring 1 of two (looked up inside each test, so their coverage is the test's). */
const twoRings = () => [udpOnRing(0, 2), udpOnRing(1, 2)];

describe('net_rx_action (N1, N4)', () => {
  it('is the softirq thread ksoftirqd/N, not running until its first step', () => {
    const sd = new Softnet(cpuId(3), 64, undefined);
    const a = new NetRxAction(threadId(9), {} as LinuxEnv, sd, [sd], {} as LinuxRx);
    expect([a.name, a.kind, a.cpu, a.running, a.runnable()]).toEqual([
      'ksoftirqd/3',
      'softirq',
      3,
      false,
      false,
    ]);
  });

  // "time_limit = jiffies + usecs_to_jiffies(netdev_budget_usecs)": usecs_to_jiffies rounds up.
  it('the time limit is netdev_budget_usecs rounded up to whole jiffies', () => {
    const r = runScenario({
      config: {
        cpuCount: 1,
        sysctl: { 'net.core.netdev_budget_usecs': 2500 },
        sockets: [{ port: UDP_PORT }],
      },
      workload: { flows: [udpTo(0)], items: burst(1) },
    });
    const start = only(r.trace, 'softirq')[0];
    expect(start?.atNs).toBeLessThan(1_000_000);
    expect(start?.timeLimitNs).toBe(3_000_000);
  });

  // "if (!list_empty(&sd->poll_list)) goto start;" only once both list and repoll are empty.
  it('a NAPI scheduled during the run is polled in it after the listed ones (goto start)', () => {
    const r = runScenario({
      config: { cpuCount: 1, rxRingCount: 2, sysctl: { 'rx-N/rps_cpus': 1 }, sockets: [{ port: UDP_PORT }] },
      workload: { flows: twoRings(), items: burst(6, [0, 1]) },
    });
    expect(firstRun(r.trace)).toEqual(['rxq0 3', 'rxq1 3', 'backlog 6']);
    // A poll boundary moves no packet: the next poll starts in the same step, at the same time.
    const polls = only(r.trace, 'napi-poll');
    expect(polls.slice(1, 3).map((p) => p.startNs)).toEqual(polls.slice(0, 2).map((p) => p.atNs));
    const batch = only(r.trace, 'batch')[0];
    expect(batch).toMatchObject({ kind: 'batch', proto: 'ip', cpu: 0, packets: 6 });
    expect(batch?.thread).toBe(only(r.trace, 'softirq')[0]?.thread);
  });

  it('with a NAPI on repoll the run ends instead: the newly scheduled backlog waits for the next run', () => {
    const r = runScenario({
      config: {
        cpuCount: 1,
        sysctl: { 'rx-N/rps_cpus': 1, 'driver.napi_weight': 8 },
        sockets: [{ port: UDP_PORT }],
      },
      workload: { flows: [udpTo(0)], items: burst(20) },
    });
    expect(firstRun(r.trace)).toEqual(['rxq0 8']);
  });

  // net_rx_action ends "if (time_after_eq(jiffies, time_limit))": at the first poll boundary once
  // jiffies reaches the limit, not a jiffy later.
  it('N1: leaves at the first poll boundary once jiffies reaches the time limit', () => {
    const r = runScenario({
      config: {
        cpuCount: 1,
        rxRingCount: 2,
        sysctl: { 'net.core.netdev_budget_usecs': 100, 'driver.napi_weight': 8 },
        limits: { stepCostNs: 100_000 },
        sockets: [{ port: UDP_PORT }],
      },
      workload: { flows: twoRings(), items: burst(100, [0, 1]) },
    });
    const ends = only(r.trace, 'softirq').filter((e) => e.phase === 'end' && e.squeezed);
    expect(ends.length).toBeGreaterThan(0);
    expect(ends.every((e) => e.atNs >= e.timeLimitNs && e.atNs < e.timeLimitNs + 1_000_000)).toBe(true);
    expect(r.stats['softnet.time_squeeze']).toBe(ends.length);
  });

  it('the broken variant linux-napi-squeeze-uncounted: a time-limit end counts no squeeze', () => {
    const r = runScenario({
      config: {
        cpuCount: 1,
        rxRingCount: 2,
        sysctl: { 'net.core.netdev_budget_usecs': 100, 'driver.napi_weight': 8 },
        limits: { stepCostNs: 100_000 },
        sockets: [{ port: UDP_PORT }],
        variants: ['linux-napi-squeeze-uncounted'],
      },
      workload: { flows: twoRings(), items: burst(100, [0, 1]) },
    });
    expect(only(r.trace, 'softirq').some((e) => e.squeezed)).toBe(false);
    expect(r.stats['softnet.time_squeeze']).toBe(0);
    expect(r.stats['softnet_cpu0.time_squeeze']).toBe(0);
  });

  it('the broken variant linux-napi-weight-ignored drains a ring in one poll; the backlog keeps dev_weight', () => {
    const r = runScenario({
      config: {
        cpuCount: 1,
        sysctl: { 'rx-N/rps_cpus': 1, 'driver.napi_weight': 8, 'net.core.dev_weight': 16 },
        sockets: [{ port: UDP_PORT }],
        variants: ['linux-napi-weight-ignored'],
      },
      workload: { flows: [udpTo(0)], items: burst(40) },
    });
    const polls = only(r.trace, 'napi-poll');
    expect(polls.some((p) => p.napi === 'rxq0' && p.work > 8)).toBe(true);
    expect(polls.filter((p) => p.napi === 'backlog').every((p) => p.work <= 16)).toBe(true);
  });
});

describe('RPS IPIs and input_queue_head (R9, R10)', () => {
  // net_rps_action_and_irq_enable runs at the end of net_rx_action and when process_backlog starts;
  // a device poll sends none.
  it('IPIs queued by device polls go out when net_rx_action ends, not when the next device poll starts', () => {
    const r = runScenario({
      config: {
        cpuCount: 2,
        ringCpus: [0, 0],
        sysctl: { 'rx-N/rps_cpus': 0b10 },
        sockets: [{ port: UDP_PORT }],
      },
      workload: { flows: twoRings(), items: burst(6, [0, 1]) },
    });
    expect(firstRun(r.trace)).toEqual(['rxq0 3', 'rxq1 3', 'ipi 1']);
    const ipis = only(r.trace, 'ipi').filter((e) => e.reason === 'rps');
    expect(r.stats['softnet.received_rps']).toBe(ipis.length);
    expect(r.stats['softnet_cpu1.received_rps']).toBe(ipis.length);
  });

  // Only process_backlog adds to input_queue_head (rps_input_queue_head_add); a device poll never.
  it.each([
    'linux-6.18',
    'linux-6.6',
  ] as const)('%s: device polls leave the ring CPU input_queue_head alone', (kernel) => {
    const seen: number[] = [];
    const watcher: DispatchPolicy = {
      name: 'watch-head',
      place(_pkt, ctx) {
        seen.push(ctx.softnet?.inputQueueHead(0) ?? -1);
        return { cpu: cpuId(1), mode: 'queue' };
      },
    };
    const s: LinuxScenario = {
      config: { kernel, cpuCount: 2, ringCpus: [0], sysctl: { 'driver.napi_weight': 4 } },
      workload: { flows: [udpTo(0)], items: burst(24) },
      policy: () => watcher,
    };
    runScenario(s);
    expect(seen).toEqual(Array.from({ length: 24 }, () => 0));
  });
});
