import type { LinuxHostConfig } from '../model/linux/config.ts';
import { BENCH_CPUS, benchWorkload } from './scenario.ts';

/** The Linux side of bench:linux: the bench's packets as UDP through a 4-CPU, 4-ring Linux host. */
/** 4 CPUs, 4 rings, limits high enough that nothing drops; one UDP socket per port, read on every CPU. */
export function linuxConfig(steering: 'none' | 'rps' | 'rfs'): LinuxHostConfig {
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
export function linuxWorkload(packets: number) {
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
