import type { LinuxHostConfig } from '../../model/linux/config.ts';
import { burst, type LinuxScenario, UDP_PORT, udpTo } from '../../model/linux/scenarios.ts';
import type { Trace, TraceEvent } from '../../model/trace.ts';

/**
 * The skb-defer box: two CPUs, the NIC's only ring on CPU 0, one UDP socket whose reader runs on
 * `readerCpu`. With the reader on CPU 1 every datagram is freed away from the CPU that allocated
 * it; after the burst CPU 0 has no more traffic, so only a kick makes it drain its defer list.
 */
export function deferBox(
  datagrams: number,
  readerCpu: number,
  extra: Partial<LinuxHostConfig> = {},
): LinuxScenario {
  return {
    config: { cpuCount: 2, ringCpus: [0], sockets: [{ port: UDP_PORT, readerCpus: [readerCpu] }], ...extra },
    workload: { flows: [udpTo(0)], items: burst(datagrams) },
  };
}

export const only = <K extends TraceEvent['kind']>(trace: Trace, kind: K) =>
  trace.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);
