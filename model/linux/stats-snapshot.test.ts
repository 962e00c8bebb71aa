import { describe, expect, it } from 'vitest';
import { cpuId } from '../brand.ts';
import { StatCounters } from '../stats.ts';
import type { CounterName } from '../vocab.ts';
import { UDP_SNMP_FIELDS } from './procfs.ts';
import { Softnet } from './softnet.ts';
import { LinuxStatsSnapshot } from './stats-snapshot.ts';
import { UdpSock } from './udp.ts';

/** The snapshot as a Map of every name, sorted at the end: what the flat layout must equal. */
function reference(stats: StatCounters, softnets: Softnet[], sockets: UdpSock[]): Record<string, number> {
  const all = new Map<string, number>();
  stats.copyInto(all);
  for (const row of ['Udp', 'Udp6'])
    for (const f of UDP_SNMP_FIELDS) all.set(`${row}.${f}`, stats.get(`${row}.${f}` as CounterName));
  all.set('softnet.time_squeeze', stats.get('softnet.time_squeeze'));
  for (const sd of softnets) {
    const p = `softnet_cpu${sd.cpu}.`;
    all.set(`${p}processed`, sd.processed);
    all.set(`${p}dropped`, sd.dropped);
    all.set(`${p}time_squeeze`, sd.timeSqueeze);
    all.set(`${p}received_rps`, sd.receivedRps);
    all.set(`${p}flow_limit_count`, sd.flowLimit?.count ?? 0);
    all.set(`${p}backlog_len`, sd.backlogLenPackets);
  }
  for (const s of sockets) {
    all.set(`udp_sock${s.spec.index}.drops`, s.drops);
    all.set(`udp_sock${s.spec.index}.rx_queue`, s.rxQueueBytes);
  }
  const out: Record<string, number> = {};
  for (const name of [...all.keys()].sort()) out[name] = all.get(name) as number;
  return out;
}

function host(cpuCount: number, socketCount: number) {
  const softnets = Array.from(
    { length: cpuCount },
    (_, c) => new Softnet(cpuId(c), 64, c % 2 ? 16 : undefined),
  );
  const sockets = Array.from(
    { length: socketCount },
    (_, index) =>
      new UdpSock({
        index,
        port: 5000 + index,
        group: undefined,
        rcvbufBytes: 4096,
        readerCpus: [],
        connected: false,
      }),
  );
  // Distinct values everywhere, so a value read into the wrong name shows.
  let n = 1;
  for (const sd of softnets) {
    sd.processed = n++;
    sd.dropped = n++;
    sd.timeSqueeze = n++;
    sd.receivedRps = n++;
    if (sd.flowLimit !== undefined) sd.flowLimit.count = n++;
  }
  for (const s of sockets) {
    s.drops = n++;
    s.rmemAllocBytes = n++;
  }
  return { softnets, sockets, snapshot: new LinuxStatsSnapshot(cpuCount, sockets) };
}

describe('LinuxStatsSnapshot', () => {
  it('names every counter in code-unit order (cpu10 before cpu2), with its value', () => {
    for (const [cpus, socks] of [
      [1, 0],
      [2, 1],
      [11, 3],
      [32, 12],
    ] as const) {
      const { softnets, sockets, snapshot } = host(cpus, socks);
      const stats = new StatCounters();
      const got = snapshot.take(stats, softnets, sockets);
      expect(JSON.stringify(got)).toBe(JSON.stringify(reference(stats, softnets, sockets)));
    }
  });

  it('merges counters of other names as they appear, and a host name wins over a counter of the same name', () => {
    const { softnets, sockets, snapshot } = host(12, 2);
    const stats = new StatCounters();
    const steps: CounterName[][] = [
      ['Udp.InDatagrams', 'softnet.time_squeeze'],
      ['ifi_iqdrops', 'softnet.received_rps'],
      ['ip.policy_errors', 'Udp6.NoPorts', 'softnet_cpu1.dropped', 'udp_sock1.drops'],
      ['aaa.first' as CounterName, 'zzz.last' as CounterName],
      [],
    ];
    for (const names of steps) {
      for (const name of names) stats.inc(name, 7);
      (softnets[10] as Softnet).processed += 3;
      const got = snapshot.take(stats, softnets, sockets);
      expect(JSON.stringify(got)).toBe(JSON.stringify(reference(stats, softnets, sockets)));
    }
  });
});
