import type { NetisrWorkRow } from '../trace.ts';
import type { NetisrDispatchPolicy } from './knobs.ts';
import type { ProtocolRegistration } from './protocols.ts';

/** What `netstat -Q` reads besides the rows: the net.isr.* sysctls (usr.bin/netstat/netisr.c). */
export interface NetstatQConfig {
  readonly numthreads: number;
  readonly maxthreads: number;
  readonly defaultqlimit: number;
  readonly maxqlimit: number;
  readonly dispatch: NetisrDispatchPolicy;
  readonly bindthreads: boolean;
  readonly protocols: readonly { readonly reg: ProtocolRegistration; readonly qlimitPackets: number }[];
}

const padRight = (s: string, width: number) => s.padEnd(width);
const padLeft = (s: string | number, width: number) => String(s).padStart(width);

/** C (m2cpuid), D (drainedcpu), F (m2flow), '-' where absent. */
export function protocolFlags(reg: ProtocolRegistration): string {
  return `${reg.m2cpuid ? 'C' : '-'}${reg.drainedcpu ? 'D' : '-'}${reg.m2flow ? 'F' : '-'}`;
}

/**
 * Renders `netstat -Q` exactly as FreeBSD's text output lays it out: the
 * Configuration, Protocols and Workstreams sections, printf widths as in usr.bin/netstat/netisr.c.
 * A name longer than its column (ip_direct) pushes the row right, as netstat does.
 */
export function renderNetstatQ(config: NetstatQConfig, rows: readonly NetisrWorkRow[]): string {
  const setting = (name: string, current: string | number, limit: string | number) =>
    `${padRight(name, 25)} ${padLeft(current, 12)} ${padLeft(limit, 12)}`;
  const lines = [
    'Configuration:',
    setting('Setting', 'Current', 'Limit'),
    setting('Thread count', config.numthreads, config.maxthreads),
    setting('Default queue limit', config.defaultqlimit, config.maxqlimit),
    setting('Dispatch policy', config.dispatch, 'n/a'),
    setting('Threads bound to CPUs', config.bindthreads ? 'enabled' : 'disabled', 'n/a'),
    '',
    'Protocols:',
    `${padRight('Name', 6)} ${padLeft('Proto', 5)} ${padLeft('QLimit', 6)} ${padRight('Policy', 6)} ${padRight('Dispatch', 8)} Flags`,
  ];
  for (const { reg, qlimitPackets } of config.protocols) {
    lines.push(
      `${padRight(reg.name, 6)} ${padLeft(reg.proto, 5)} ${padLeft(qlimitPackets, 6)} ${padLeft(reg.policy, 6)} ${padLeft(reg.dispatch, 8)}   ${protocolFlags(reg)}`,
    );
  }
  lines.push('', 'Workstreams:');
  const head = ['Len', 'WMark'].map((h) => padLeft(h, 5));
  const counts = ["Disp'd", "HDisp'd", 'QDrops', 'Queued', 'Handled'].map((h) => padLeft(h, 8));
  lines.push(
    `${padLeft('WSID', 4)} ${padLeft('CPU', 3)}   ${padRight('Name', 6)} ${[...head, ...counts].join(' ')}`,
  );
  for (const r of rows) {
    const nums = [padLeft(r.lenPackets, 5), padLeft(r.watermarkPackets, 5)];
    const ctrs = [r.dispatched, r.hybridDispatched, r.qdrops, r.queued, r.handled].map((n) => padLeft(n, 8));
    lines.push(
      `${padLeft(r.wsid, 4)} ${padLeft(r.cpu, 3)}   ${padRight(r.proto, 6)} ${[...nums, ...ctrs].join(' ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
