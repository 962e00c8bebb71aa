import { randomBytes } from 'node:crypto';
import type { Cleanup } from './cleanup.ts';
import type { LiveFamily } from './config.ts';
import { run, runIn } from './system.ts';

/** Every namespace, device and tracefs instance a live run creates starts with this. */
export const LIVE_PREFIX = 'nsc-';
/** Addresses come from TEST-NET-2 (RFC 5737) and 2001:db8::/32 (RFC 3849) only. */
export const TX_ADDR = '198.51.100.1';
export const RX_ADDR = '198.51.100.2';
export const TX_ADDR6 = '2001:db8:5::1';
export const RX_ADDR6 = '2001:db8:5::2';

/** The sender's and receiver's addresses and prefix length of a family. */
export function liveAddresses(family: LiveFamily): { tx: string; rx: string; prefix: number } {
  return family === 'inet6'
    ? { tx: TX_ADDR6, rx: RX_ADDR6, prefix: 64 }
    : { tx: TX_ADDR, rx: RX_ADDR, prefix: 24 };
}

/**
 * IPv6 on, with nothing sent but the workload: no duplicate address detection, no router
 * solicitation, no link-local address (whose solicited-node group would be reported), and MLD's
 * unsolicited reports of the one group joined (the address's solicited-node group) repeated
 * within milliseconds, over before the trace starts (MLD_SETTLE_MS). Set as the defaults the veth
 * ends take when created.
 */
const IPV6_QUIET = [
  'net.ipv6.conf.all.disable_ipv6=0',
  'net.ipv6.conf.default.disable_ipv6=0',
  'net.ipv6.conf.default.accept_dad=0',
  'net.ipv6.conf.default.dad_transmits=0',
  'net.ipv6.conf.default.router_solicitations=0',
  'net.ipv6.conf.default.accept_ra=0',
  'net.ipv6.conf.default.addr_gen_mode=1',
  'net.ipv6.conf.default.mldv2_unsolicited_report_interval=1',
  'net.ipv6.conf.default.mldv1_unsolicited_report_interval=1',
];
const IPV6_OFF = ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'];

/** After the links are up: MLD's reports (1 ms apart) are over well within this. */
export const MLD_SETTLE_MS = 200;

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
 * 198.51.100.0/24 (IPv6 off) or 2001:db8:5::/64 (IPv6 quiet, IPV6_QUIET), with a permanent
 * neighbour entry so no ARP or ND packet shares the receive path with the workload. Deleting a
 * namespace deletes the veth end inside it.
 */
export function createTopology(n: LiveNames, queues: number, family: LiveFamily, cleanup: Cleanup): void {
  for (const ns of [n.txNs, n.rxNs]) {
    run('ip', ['netns', 'add', ns]);
    cleanup.add(`delete namespace ${ns}`, () => run('ip', ['netns', 'del', ns]));
    runIn(ns, 'sysctl', ['-q', '-w', ...(family === 'inet6' ? IPV6_QUIET : IPV6_OFF)]);
  }
  const q = String(queues);
  run('ip', [
    ...['-n', n.txNs, 'link', 'add', 'name', n.txDev, 'numrxqueues', q, 'numtxqueues', q, 'type', 'veth'],
    ...['peer', 'name', n.rxDev, 'numrxqueues', q, 'numtxqueues', q, 'netns', n.rxNs],
  ]);
  const a = liveAddresses(family);
  const nodad = family === 'inet6' ? ['nodad'] : [];
  run('ip', ['-n', n.txNs, 'addr', 'add', `${a.tx}/${a.prefix}`, 'dev', n.txDev, ...nodad]);
  run('ip', ['-n', n.rxNs, 'addr', 'add', `${a.rx}/${a.prefix}`, 'dev', n.rxDev, ...nodad]);
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
    a.rx,
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
    a.tx,
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
