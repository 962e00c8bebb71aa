import { availableParallelism, cpus, loadavg } from 'node:os';
import type { LinuxHostConfig } from '../model/linux/config.ts';
import { runLinux } from '../model/linux/host.ts';
import { builtinNetisrPolicies } from '../model/netisr/policies.ts';
import { FREEBSD_RSS_PROTOCOLS } from '../model/netisr/protocols.ts';
import { unwrap } from '../model/result.ts';
import type { Trace } from '../model/trace.ts';
import { BENCH_CPUS, BENCH_FLOWS, benchRun, benchSchedule, benchWorkload } from './scenario.ts';
import { baselineMove, baselinePackets } from './throughput.ts';
import { interleavedMedianMs, si } from './timing.ts';

/**
 * `npm run bench:linux`: the Linux receive path (NAPI, backlog with RPS/RFS, UDP sockets, skb
 * defer) beside the FreeBSD netisr path on the bench's packets, each as packets/s and as a ratio
 * to the plain per-CPU FIFO baseline moving the same packets in the same run.
 */
const PACKETS = 20_000;

/** 4 CPUs, 4 rings, limits high enough that nothing drops; one UDP socket per port, read on every CPU. */
function linuxConfig(steering: 'none' | 'rps' | 'rfs'): LinuxHostConfig {
  return {
    cpuCount: BENCH_CPUS,
    rxRingCount: BENCH_CPUS,
    sysctl: {
      'driver.rx_ring_entries': 65_536,
      'net.core.netdev_max_backlog': 100_000,
      'rx-N/rps_cpus': steering === 'rps' ? 2 ** BENCH_CPUS - 1 : 0,
      'net.core.rps_sock_flow_entries': steering === 'rfs' ? 32_768 : 0,
      'rx-N/rps_flow_cnt': steering === 'rfs' ? 8192 : 0,
    },
    sockets: [80, 53].map((port) => ({ port, rcvbufBytes: 1 << 30, readerCpus: [0, 1, 2, 3] })),
  };
}

/** The bench workload with every flow turned into IPv4 UDP (the Linux model delivers UDP). */
function linuxWorkload(packets: number) {
  const w = benchWorkload(packets);
  return {
    flows: w.flows.map((f, i) => ({
      ...f,
      family: 'inet' as const,
      ipProto: 17,
      src: `10.0.0.${i + 1}`,
      dst: '192.168.0.1',
    })),
    items: w.items,
  };
}

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

function row(name: string, run: () => Trace): string {
  const trace = run();
  const moved = baselinePackets(trace);
  const [modelMs = 0, baselineMs = 0] = interleavedMedianMs(
    [run, () => baselineMove(moved, BENCH_CPUS, BENCH_CPUS)],
    {
      rounds: 5,
      sampleMsMin: 5,
    },
  );
  const modelPps = (PACKETS * 1000) / modelMs;
  const baselinePps = (moved.length * 1000) / baselineMs;
  const ratio = modelPps / baselinePps;
  return `${name.padEnd(30)} ${String(trace.length).padStart(8)} ${si(modelPps).padStart(12)} ${si(baselinePps).padStart(15)}  ${ratio.toFixed(4)} (1/${(1 / ratio).toFixed(0)})`;
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
    `${'path'.padEnd(30)} ${'events'.padStart(8)} ${'model pkt/s'.padStart(12)} ${'baseline pkt/s'.padStart(15)}  model/baseline\n`,
  );
  const netisrName = builtinNetisrPolicies(FREEBSD_RSS_PROTOCOLS)[0]?.name ?? 'netisr';
  process.stdout.write(`${row(`netisr ${netisrName}`, runNetisrOnce)}\n`);
  for (const steering of ['none', 'rps', 'rfs'] as const) {
    process.stdout.write(
      `${row(`linux napi+${steering === 'none' ? 'inline' : steering}`, () => runLinuxOnce(steering))}\n`,
    );
  }
}

main();
