import { resolveHostConfig } from '../model/host/config.ts';
import { runHost } from '../model/host/run.ts';
import { builtinNetisrPolicies } from '../model/netisr/policies.ts';
import { FREEBSD_RSS_PROTOCOLS } from '../model/netisr/protocols.ts';
import type { PolicySource } from '../model/policy.ts';
import { unwrap } from '../model/result.ts';
import type { Trace } from '../model/trace.ts';
import { benchConfig, benchSchedule, benchWorkload } from './scenario.ts';
import { interleavedMedianMs, si } from './timing.ts';

/** A packet as the baseline moves it: what the model's arrive event says, nothing more. */
interface BaselinePacket {
  readonly flow: number;
  readonly seq: number;
  readonly ring: number;
  readonly cpu: number;
}

/** The packets of a model run, in arrival order, with the CPU their RSS bucket maps to. */
export function baselinePackets(trace: Trace): BaselinePacket[] {
  const out: BaselinePacket[] = [];
  for (const ev of trace) {
    if (ev.kind === 'arrive')
      out.push({ flow: ev.flow, seq: ev.seq, ring: ev.ring, cpu: ev.bucketCpu ?? ev.cpu });
  }
  return out;
}

/**
 * The minimal baseline: the same packets through plain per-ring and per-CPU array FIFOs (ring ->
 * netisr queue of the bucket's CPU -> handled), rings served round robin, no checks, no trace.
 * Returns a checksum so the work cannot be optimised away.
 */
export function baselineMove(packets: readonly BaselinePacket[], rings: number, cpus: number): number {
  const ringQ: BaselinePacket[][] = Array.from({ length: rings }, () => []);
  for (const p of packets) ringQ[p.ring]?.push(p);
  const cpuQ: BaselinePacket[][] = Array.from({ length: cpus }, () => []);
  const ringHead = new Array<number>(rings).fill(0);
  let moved = 0;
  while (moved < packets.length) {
    for (let r = 0; r < rings; r++) {
      const q = ringQ[r] as BaselinePacket[];
      const head = ringHead[r] as number;
      if (head >= q.length) continue;
      const p = q[head] as BaselinePacket;
      ringHead[r] = head + 1;
      cpuQ[p.cpu]?.push(p);
      moved++;
    }
  }
  let checksum = 0;
  for (const q of cpuQ) {
    for (let i = 0; i < q.length; i++) {
      const p = q[i] as BaselinePacket;
      checksum = (checksum + p.flow * 31 + p.seq) | 0;
    }
  }
  return checksum;
}

export interface ThroughputRow {
  readonly policy: string;
  readonly packets: number;
  readonly events: number;
  readonly modelPps: number;
  readonly baselinePps: number;
}

function runOnce(packets: number, policy: PolicySource): Trace {
  const result = unwrap(
    runHost({
      config: benchConfig,
      workload: benchWorkload(packets),
      schedule: benchSchedule(packets * 4),
      policy,
    }),
  );
  return result.trace;
}

/** Model packets/s with each built-in netisr policy, and the baseline on the same packets. */
export function throughput(packets: number): ThroughputRow[] {
  const cfg = unwrap(resolveHostConfig(benchConfig));
  return builtinNetisrPolicies(FREEBSD_RSS_PROTOCOLS).map(({ name, factory }) => {
    const trace = runOnce(packets, factory);
    const moved = baselinePackets(trace);
    const [modelMs = 0, baselineMs = 0] = interleavedMedianMs(
      [() => runOnce(packets, factory), () => baselineMove(moved, cfg.rxRingCount, cfg.cpuCount)],
      { rounds: 5, sampleMsMin: 5 },
    );
    return {
      policy: name,
      packets,
      events: trace.length,
      modelPps: (packets * 1000) / modelMs,
      baselinePps: (moved.length * 1000) / baselineMs,
    };
  });
}

export function throughputTable(rows: readonly ThroughputRow[]): string {
  const lines = [
    `${'policy'.padEnd(26)} ${'packets'.padStart(7)} ${'events'.padStart(8)} ${'model pkt/s'.padStart(12)} ${'baseline pkt/s'.padStart(15)}  model/baseline`,
  ];
  for (const r of rows) {
    const ratio = r.modelPps / r.baselinePps;
    lines.push(
      `${r.policy.padEnd(26)} ${String(r.packets).padStart(7)} ${String(r.events).padStart(8)} ${si(r.modelPps).padStart(12)} ${si(r.baselinePps).padStart(15)}  ${ratio.toFixed(4)} (1/${(1 / ratio).toFixed(0)})`,
    );
  }
  return lines.join('\n');
}
