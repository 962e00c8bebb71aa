import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolveHostConfig } from '../model/host/config.ts';
import { runLinux } from '../model/linux/host.ts';
import { builtinNetisrPolicies } from '../model/netisr/policies.ts';
import { FREEBSD_RSS_PROTOCOLS } from '../model/netisr/protocols.ts';
import { unwrap } from '../model/result.ts';
import type { Trace } from '../model/trace.ts';
import { fairBaseline, modelHandledCpus } from './fair-baseline.ts';
import { linuxFairBaseline } from './linux-baseline.ts';
import { linuxConfig, linuxWorkload } from './linux-scenario.ts';
import { BENCH_CPUS, BENCH_FLOWS, benchConfig, benchRun, benchSchedule, benchWorkload } from './scenario.ts';
import { median, pairedSamplesMs, si, spread } from './timing.ts';

/**
 * `npm run bench:linux`: the Linux receive path (NAPI, backlog with RPS/RFS, UDP sockets, skb
 * defer) beside the FreeBSD netisr path on the bench's packets, each as packets/s and as a ratio
 * to its fair baseline (bench/linux-baseline.ts, bench/fair-baseline.ts): the same hashing, policy
 * call, per-CPU FIFOs and per-flow order bookkeeping, timed call by call in turn with the model,
 * 7 rounds of at least 50 ms a side (CPU time); the median ratio with its spread.
 */
const PACKETS = 20_000;

function runLinuxOnce(steering: 'none' | 'rps' | 'rfs'): Trace {
  const r = unwrap(
    runLinux({
      config: linuxConfig(steering),
      workload: linuxWorkload(PACKETS),
      schedule: benchSchedule(PACKETS * 4),
    }),
  );
  return r.trace;
}

function runNetisrOnce(): Trace {
  const policy = builtinNetisrPolicies(FREEBSD_RSS_PROTOCOLS)[0];
  if (policy === undefined) throw new Error('no netisr policy');
  return benchRun(PACKETS, policy.factory);
}

const ROUNDS = 7;

/** `same CPU`: packets the baseline handled on the model's CPU (not asked of RFS: see linux-baseline.ts). */
function row(
  name: string,
  run: () => Trace,
  baseline: (handled?: Int32Array) => unknown,
  sameCpu: boolean,
): string {
  const trace = run();
  const handled = new Int32Array(PACKETS).fill(-1);
  baseline(handled);
  const model = modelHandledCpus(trace, PACKETS);
  let agreed = 0;
  for (let i = 0; i < PACKETS; i++) if (model[i] === handled[i] && model[i] !== -1) agreed++;
  if (sameCpu && agreed !== PACKETS)
    throw new Error(`${name}: the fair baseline agrees on ${agreed} of ${PACKETS} CPUs`);
  const [modelMs, baselineMs] = pairedSamplesMs(run, () => baseline(), { rounds: ROUNDS, sampleMsMin: 50 });
  const ratios = modelMs.map((ms, i) => (baselineMs[i] ?? 0) / ms);
  const modelPps = (PACKETS * 1000) / median(modelMs);
  const baselinePps = (PACKETS * 1000) / median(baselineMs);
  const same = sameCpu ? `${agreed}/${PACKETS}` : 'n/a';
  return `${name.padEnd(24)} ${String(trace.length).padStart(8)} ${same.padStart(11)} ${si(modelPps).padStart(12)} ${si(baselinePps).padStart(11)}  ${median(ratios).toFixed(3)} ${spread(ratios)}`;
}

function main(): void {
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  process.stdout.write(
    `node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), load ${load}\n`,
  );
  process.stdout.write(
    `model throughput, ${BENCH_CPUS} CPUs, ${BENCH_CPUS} rings, ${PACKETS} packets of ${BENCH_FLOWS} flows\n`,
  );
  process.stdout.write(
    `${'path'.padEnd(24)} ${'events'.padStart(8)} ${'same CPU'.padStart(11)} ${'model pkt/s'.padStart(12)} ${'fair pkt/s'.padStart(11)}  model/fair baseline\n`,
  );
  const netisrName = builtinNetisrPolicies(FREEBSD_RSS_PROTOCOLS)[0]?.name ?? 'netisr';
  const netisr = builtinNetisrPolicies(FREEBSD_RSS_PROTOCOLS)[0];
  if (netisr === undefined) throw new Error('no netisr policy');
  const cfg = unwrap(resolveHostConfig(benchConfig));
  const workload = benchWorkload(PACKETS);
  const netisrBaseline = (h?: Int32Array) => fairBaseline({ cfg, workload, policy: netisr.factory }, h);
  process.stdout.write(`${row(`netisr ${netisrName}`, runNetisrOnce, netisrBaseline, true)}\n`);
  for (const steering of ['none', 'rps', 'rfs'] as const) {
    const config = linuxConfig(steering);
    const lw = linuxWorkload(PACKETS);
    const baseline = (h?: Int32Array) => linuxFairBaseline({ config, workload: lw }, h);
    const name = `linux napi+${steering === 'none' ? 'inline' : steering}`;
    process.stdout.write(`${row(name, () => runLinuxOnce(steering), baseline, steering !== 'rfs')}\n`);
  }
  process.stdout.write(
    `(load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})\n`,
  );
}

main();
