import { resolveHostConfig } from '../model/host/config.ts';
import { builtinNetisrPolicies } from '../model/netisr/policies.ts';
import { FREEBSD_RSS_PROTOCOLS } from '../model/netisr/protocols.ts';
import { unwrap } from '../model/result.ts';
import type { Trace } from '../model/trace.ts';
import { fairBaseline, modelHandledCpus } from './fair-baseline.ts';
import { benchConfig, benchRun, benchWorkload } from './scenario.ts';
import { median, pairedSamplesMs, si, spread } from './timing.ts';

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
 * The move-only floor (bench:linux compares against it; `npm run bench` uses the fair baseline):
 * the same packets through plain per-ring and per-CPU array FIFOs (ring ->
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
  /** Packets the fair baseline placed on the CPU the model handled them on. */
  readonly agreed: number;
  readonly modelPps: number;
  readonly baselinePps: number;
  /** model / fair baseline, per round (the ratio's median and spread come from these). */
  readonly ratios: readonly number[];
}

/**
 * Model packets/s with each built-in netisr policy beside the fair baseline (bench/fair-baseline.ts)
 * on the same packets, timed in alternation; throws unless the baseline placed every packet on the
 * CPU the model handled it on.
 */
export function throughput(packets: number, rounds: number): ThroughputRow[] {
  const cfg = unwrap(resolveHostConfig(benchConfig));
  const workload = benchWorkload(packets);
  return builtinNetisrPolicies(FREEBSD_RSS_PROTOCOLS).map(({ name, factory }) => {
    const trace = benchRun(packets, factory);
    const model = modelHandledCpus(trace, packets);
    const baseline = new Int32Array(packets).fill(-1);
    fairBaseline({ cfg, workload, policy: factory }, baseline);
    let agreed = 0;
    for (let i = 0; i < packets; i++) if (model[i] === baseline[i] && model[i] !== -1) agreed++;
    if (agreed !== packets)
      throw new Error(`${name}: the fair baseline agrees on ${agreed} of ${packets} CPUs`);
    const [modelMs, baselineMs] = pairedSamplesMs(
      () => benchRun(packets, factory),
      () => fairBaseline({ cfg, workload, policy: factory }),
      { rounds, sampleMsMin: 50 },
    );
    return {
      policy: name,
      packets,
      events: trace.length,
      agreed,
      modelPps: (packets * 1000) / median(modelMs),
      baselinePps: (packets * 1000) / median(baselineMs),
      ratios: modelMs.map((ms, i) => (baselineMs[i] ?? 0) / ms),
    };
  });
}

export function throughputTable(rows: readonly ThroughputRow[]): string {
  const lines = [
    `${'policy'.padEnd(24)} ${'events'.padStart(7)} ${'same CPU'.padStart(11)} ${'model pkt/s'.padStart(12)} ${'fair pkt/s'.padStart(11)}  model/fair baseline`,
  ];
  for (const r of rows) {
    const ratio = median(r.ratios);
    lines.push(
      `${r.policy.padEnd(24)} ${String(r.events).padStart(7)} ${`${r.agreed}/${r.packets}`.padStart(11)} ${si(r.modelPps).padStart(12)} ${si(r.baselinePps).padStart(11)}  ${ratio.toFixed(3)} ${spread(r.ratios)}`,
    );
  }
  return lines.join('\n');
}
