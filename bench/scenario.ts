import type { HostConfig } from '../model/host/config.ts';
import { runHost } from '../model/host/run.ts';
import type { Workload, WorkloadItem } from '../model/host/workload.ts';
import type { PolicySource } from '../model/policy.ts';
import { unwrap } from '../model/result.ts';
import type { FlowSpec } from '../model/rss/flowhash.ts';
import type { Schedule } from '../model/sim/schedule.ts';
import type { Trace } from '../model/trace.ts';

/**
 * The benchmark's fixed scenario: a 4-CPU RSS host with one netisr thread per CPU and four rx
 * rings, queues large enough that nothing drops, 64 flows (TCP and UDP, v4 and v6) sending
 * packets round robin, and a seeded schedule. Fixed data, so every figure is comparable between
 * runs and machines.
 */
export const BENCH_CPUS = 4;
export const BENCH_FLOWS = 64;

export const benchConfig: HostConfig = {
  kernel: 'freebsd-rss',
  cpuCount: BENCH_CPUS,
  rxRingCount: BENCH_CPUS,
  sysctl: { 'net.isr.maxthreads': -1, 'net.isr.bindthreads': true, 'hw.ix.rxd': 65536 },
  qlimits: { ip: 10240, ip6: 10240 },
};

function flowSpec(i: number): FlowSpec {
  const v6 = i % 4 === 3;
  return {
    family: v6 ? 'inet6' : 'inet',
    ipProto: i % 2 === 0 ? 6 : 17,
    src: v6 ? `2001:db8:1::${(i + 1).toString(16)}` : `10.0.${i >> 8}.${(i & 255) + 1}`,
    dst: v6 ? '2001:db8:ffff::1' : '192.168.0.1',
    sport: 1024 + i,
    dport: i % 2 === 0 ? 80 : 53,
  };
}

/** `packets` packets over BENCH_FLOWS flows, round robin. */
export function benchWorkload(packets: number): Workload {
  const flows = Array.from({ length: BENCH_FLOWS }, (_, i) => flowSpec(i));
  const items: WorkloadItem[] = Array.from({ length: packets }, (_, i) => ({
    kind: 'packet',
    flow: i % BENCH_FLOWS,
  }));
  return { flows, items };
}

/** A schedule of `choices` small integers from a fixed linear congruential sequence. */
export function benchSchedule(choices: number): Schedule {
  const out: number[] = [];
  let x = 0x2545f491;
  for (let i = 0; i < choices; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push((x >>> 16) % 16);
  }
  return out;
}

/** The trace of the bench scenario with `packets` packets under `policy` (the same run every bench times). */
export function benchRun(packets: number, policy: PolicySource): Trace {
  return unwrap(
    runHost({
      config: benchConfig,
      workload: benchWorkload(packets),
      schedule: benchSchedule(packets * 4),
      policy,
    }),
  ).trace;
}
