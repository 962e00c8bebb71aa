import { resolveHostConfig } from '../model/host/config.ts';
import { builtinNetisrPolicies } from '../model/netisr/policies.ts';
import { FREEBSD_RSS_PROTOCOLS } from '../model/netisr/protocols.ts';
import { unwrap } from '../model/result.ts';
import { fairBaseline, modelHandledCpus } from './fair-baseline.ts';
import { benchConfig, benchRun, benchWorkload } from './scenario.ts';
import { median, pairedSamplesMs, si, spread } from './timing.ts';

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
