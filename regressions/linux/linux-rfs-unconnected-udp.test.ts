import { describe, expect, it } from 'vitest';
import { burst, runScenario, UDP_PORT, udpTo } from '../../model/linux/scenarios.ts';

/**
 * Found by the live differential (npm run live -- --preset rfs, Linux 6.18): with RFS on, flows to a
 * UDP socket that is bound but not connected stayed on their rps_map CPU while the reader ran on
 * another. include/net/rps.h sock_rps_record_flow records only sk_state == TCP_ESTABLISHED, and
 * udp_queue_rcv_one_skb saves sk_rxhash only when inet_daddr is set: RFS never steers such a
 * socket. The model recorded every unicast socket.
 */
describe('RFS does not steer flows to a bound but unconnected UDP socket (sock_rps_record_flow)', () => {
  // One ring on CPU 0, rps_map = {CPU 0}, RFS on; the reader runs on CPU 1 only.
  const box = (connected: boolean) => ({
    config: {
      cpuCount: 2,
      ringCpus: [0],
      sysctl: { 'rx-N/rps_cpus': 0b01, 'net.core.rps_sock_flow_entries': 4096, 'rx-N/rps_flow_cnt': 1024 },
      sockets: [{ port: UDP_PORT, readerCpus: [1], connected }],
    },
    // Bursts with idle gaps: the reader reads (and RFS records) between them.
    workload: {
      flows: [udpTo(0)],
      items: Array.from({ length: 6 }, () => [
        ...burst(10),
        { kind: 'pause' as const, ns: 1_000_000 },
      ]).flat(),
    },
  });
  const backlogCpus = (t: ReturnType<typeof runScenario>['trace']) =>
    new Set<number>(t.flatMap((e) => (e.kind === 'enqueue' && e.proto === 'ip' ? [e.cpu] : [])));

  it('fixed: an unconnected socket is never recorded, so every packet stays on the rps_map CPU', () => {
    expect([...backlogCpus(runScenario(box(false)).trace)]).toEqual([0]);
  });

  it('a connected socket is still followed: the flow moves to its reader CPU', () => {
    expect(backlogCpus(runScenario(box(true)).trace).has(1)).toBe(true);
  });

  it('pre-fix (linux-rfs-records-unconnected) steers the unconnected socket to its reader CPU', () => {
    expect(backlogCpus(runScenario(box(false), ['linux-rfs-records-unconnected']).trace).has(1)).toBe(true);
  });
});
