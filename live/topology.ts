import { randomBytes } from 'node:crypto';
import type { Cleanup } from './cleanup.ts';
import { run, runIn } from './system.ts';

/** Every namespace, device and tracefs instance a live run creates starts with this. */
export const LIVE_PREFIX = 'nsc-';
/** Addresses come from TEST-NET-2 (RFC 5737) only. */
export const TX_ADDR = '198.51.100.1';
export const RX_ADDR = '198.51.100.2';

export interface LiveNames {
  readonly id: string;
  readonly txNs: string;
  readonly rxNs: string;
  /** Device names are unique across runs too: tracefs filters on them machine-wide. */
  readonly txDev: string;
  readonly rxDev: string;
}

export function liveNames(pid = process.pid): LiveNames {
  const id = `${pid}-${randomBytes(2).toString('hex')}`;
  const short = `nsc${pid.toString(36)}${randomBytes(1).toString('hex')}`;
  return {
    id,
    txNs: `${LIVE_PREFIX}${id}-tx`,
    rxNs: `${LIVE_PREFIX}${id}-rx`,
    txDev: `${short}t`,
    rxDev: `${short}r`,
  };
}

/** The pid in a name this command gave (`nsc-<pid>-...`), if it is one. */
export function ownerPid(name: string): number | undefined {
  const m = /^nsc-(\d+)-[0-9a-f]+/.exec(name);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Namespaces of earlier runs whose process is gone (killed before it could clean up). */
export function staleNamespaces(listing: string, alive: (pid: number) => boolean): string[] {
  const out: string[] = [];
  for (const line of listing.split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    const pid = ownerPid(name);
    if (pid !== undefined && !alive(pid)) out.push(name);
  }
  return out;
}

/**
 * Two namespaces joined by a veth pair with `queues` rx and tx queues on each end, addressed from
 * 198.51.100.0/24, IPv6 off and a permanent neighbour entry so no ARP or ND packet shares the
 * receive path with the workload. Deleting a namespace deletes the veth end inside it.
 */
export function createTopology(n: LiveNames, queues: number, cleanup: Cleanup): void {
  for (const ns of [n.txNs, n.rxNs]) {
    run('ip', ['netns', 'add', ns]);
    cleanup.add(`delete namespace ${ns}`, () => run('ip', ['netns', 'del', ns]));
    runIn(ns, 'sysctl', [
      '-q',
      '-w',
      'net.ipv6.conf.all.disable_ipv6=1',
      'net.ipv6.conf.default.disable_ipv6=1',
    ]);
  }
  const q = String(queues);
  run('ip', [
    ...['-n', n.txNs, 'link', 'add', 'name', n.txDev, 'numrxqueues', q, 'numtxqueues', q, 'type', 'veth'],
    ...['peer', 'name', n.rxDev, 'numrxqueues', q, 'numtxqueues', q, 'netns', n.rxNs],
  ]);
  run('ip', ['-n', n.txNs, 'addr', 'add', `${TX_ADDR}/24`, 'dev', n.txDev]);
  run('ip', ['-n', n.rxNs, 'addr', 'add', `${RX_ADDR}/24`, 'dev', n.rxDev]);
  for (const [ns, dev] of [
    [n.txNs, n.txDev],
    [n.rxNs, n.rxDev],
  ] as const) {
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  }
  const mac = (ns: string, dev: string) =>
    /link\/ether ([0-9a-f:]+)/.exec(run('ip', ['-n', ns, 'link', 'show', dev]))?.[1] ?? '';
  run('ip', [
    '-n',
    n.txNs,
    'neigh',
    'replace',
    RX_ADDR,
    'lladdr',
    mac(n.rxNs, n.rxDev),
    'dev',
    n.txDev,
    'nud',
    'permanent',
  ]);
  run('ip', [
    '-n',
    n.rxNs,
    'neigh',
    'replace',
    TX_ADDR,
    'lladdr',
    mac(n.txNs, n.txDev),
    'dev',
    n.rxDev,
    'nud',
    'permanent',
  ]);
}

/** rx-N/rps_cpus and rx-N/rps_flow_cnt on every rx queue of the receiving end (its own sysfs). */
export function configureQueues(n: LiveNames, queues: number, rpsCpus: number, rpsFlowCnt: number): void {
  const writes: string[] = [];
  for (let r = 0; r < queues; r++) {
    const dir = `/sys/class/net/${n.rxDev}/queues/rx-${r}`;
    writes.push(`echo ${rpsCpus.toString(16)} > ${dir}/rps_cpus`, `echo ${rpsFlowCnt} > ${dir}/rps_flow_cnt`);
  }
  runIn(n.rxNs, 'sh', ['-c', writes.join(' && ')]);
}
