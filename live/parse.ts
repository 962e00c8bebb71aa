import type { SoftnetRow as ModelSoftnetRow } from '../model/linux/procfs.ts';
/**
 * Parsers for what a live run reads from the kernel: tracefs text lines, /proc/net/softnet_stat
 * and /proc/net/snmp. Pure functions, so a recorded run is converted the same way without a kernel.
 */

export interface TraceLine {
  readonly cpu: number;
  /** The global trace clock, in ns from an arbitrary origin. */
  readonly atNs: number;
  readonly event: string;
  readonly fields: Readonly<Record<string, string>>;
}

const LINE = /^\s*.+?-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+)\.(\d+):\s+(\w+):\s+(.*)$/;
const NAPI = /napi poll on napi struct \S+ for device (\S+) work (-?\d+) budget (\d+)/;

/** One tracefs line (`task-pid [cpu] flags secs.usecs: event: fields`), or undefined. */
export function parseTraceLine(line: string): TraceLine | undefined {
  const m = LINE.exec(line);
  if (m === null) return undefined;
  const [, , cpu, secs, frac, event, rest] = m;
  if (
    cpu === undefined ||
    secs === undefined ||
    frac === undefined ||
    event === undefined ||
    rest === undefined
  )
    return undefined;
  const atNs = Number(secs) * 1e9 + Number(frac.padEnd(9, '0').slice(0, 9));
  const fields: Record<string, string> = {};
  const napi = NAPI.exec(rest);
  if (event === 'napi_poll' && napi !== null) {
    fields.dev = napi[1] ?? '';
    fields.work = napi[2] ?? '0';
    fields.budget = napi[3] ?? '0';
  } else {
    for (const kv of rest.matchAll(/(\w+)=(\S+)/g)) fields[kv[1] ?? ''] = kv[2] ?? '';
    const reason = /reason: (\w+)/.exec(rest)?.[1];
    if (reason !== undefined) fields.reason = reason;
  }
  return { cpu: Number(cpu), atNs, event, fields };
}

/** The softnet_stat columns a run compares (net/core/net-procfs.c softnet_seq_show): the model's row less its backlog length. */
export type SoftnetRow = Omit<ModelSoftnetRow, 'backlogLenPackets'>;

/** Rows by CPU: the 13th column is the CPU index since 5.x; older kernels are taken in order. */
export function parseSoftnetStat(text: string): Map<number, SoftnetRow> {
  const out = new Map<number, SoftnetRow>();
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (const [i, line] of lines.entries()) {
    const col = line
      .trim()
      .split(/\s+/)
      .map((h) => Number.parseInt(h, 16));
    const at = (k: number) => col[k] ?? 0;
    out.set(col.length >= 13 ? at(12) : i, {
      processed: at(0),
      dropped: at(1),
      timeSqueeze: at(2),
      receivedRps: at(9),
      flowLimitCount: at(10),
    });
  }
  return out;
}

/** /proc/net/snmp as `Proto.Field` -> value (a header line, then a value line, per protocol). */
export function parseSnmp(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const head = (lines[i] ?? '').trim().split(/\s+/);
    const vals = (lines[i + 1] ?? '').trim().split(/\s+/);
    const proto = head[0]?.replace(':', '');
    if (proto === undefined || proto === '') continue;
    for (let k = 1; k < head.length; k++) out.set(`${proto}.${head[k]}`, Number(vals[k]));
  }
  return out;
}

/**
 * /proc/net/snmp6 as `Proto.Field` -> value: one `Udp6InDatagrams   39` line per counter, named as
 * the model names them (`Udp6.InDatagrams`; Ip6, Icmp6, UdpLite6 alike).
 */
export function parseSnmp6(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of snmp6Lines(text)) {
    const m = /^(Ip6|Icmp6|UdpLite6|Udp6)(\w+)$/.exec(key);
    if (m !== null) out.set(`${m[1]}.${m[2]}`, value);
  }
  return out;
}

/** snmp6's `Name   value` lines in order, as the file names them. */
function snmp6Lines(text: string): [string, number][] {
  const out: [string, number][] = [];
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key !== undefined && key !== '' && value !== undefined) out.push([key, Number(value)]);
  }
  return out;
}

/** after - before of every snmp6 counter, rendered back as /proc/net/snmp6 for check-counters. */
export function snmp6DeltaText(before: string, after: string): string {
  const b = new Map(snmp6Lines(before));
  // Per-interface files carry an ifIndex, a setting: kept as it is.
  const out = snmp6Lines(after).map(
    ([key, value]) => `${key.padEnd(32)}\t${key === 'ifIndex' ? value : value - (b.get(key) ?? 0)}`,
  );
  return `${out.join('\n')}\n`;
}

/** after - before of every snmp field, rendered back as /proc/net/snmp for check-counters. */
export function snmpDeltaText(before: string, after: string): string {
  const b = parseSnmp(before);
  const lines = after.split('\n');
  const out: string[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const head = (lines[i] ?? '').trim().split(/\s+/);
    const vals = (lines[i + 1] ?? '').trim().split(/\s+/);
    const proto = head[0]?.replace(':', '') ?? '';
    if (proto === '') continue;
    const delta = head.slice(1).map((f, k) => {
      const name = `${proto}.${f}`;
      // Ip Forwarding and DefaultTTL are settings, not counters: keep them as they are.
      const setting =
        name === 'Ip.Forwarding' ||
        name === 'Ip.DefaultTTL' ||
        name.startsWith('Tcp.Rto') ||
        name === 'Tcp.MaxConn';
      const v = Number(vals[k + 1]);
      return String(setting ? v : v - (b.get(name) ?? 0));
    });
    out.push(lines[i] ?? '', `${proto}: ${delta.join(' ')}`);
  }
  return `${out.join('\n')}\n`;
}

/** after - before of softnet_stat's counters, rendered back in its own hex layout. */
export function softnetDeltaText(before: string, after: string): string {
  const b = before.split('\n').filter((l) => l.trim() !== '');
  const counters = new Set([0, 1, 2, 9, 10]);
  return `${after
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const was = (b[i] ?? '').trim().split(/\s+/);
      return line
        .trim()
        .split(/\s+/)
        .map((h, k) => {
          if (!counters.has(k)) return h;
          const d = (Number.parseInt(h, 16) - Number.parseInt(was[k] ?? '0', 16)) >>> 0;
          return d.toString(16).padStart(8, '0');
        })
        .join(' ');
    })
    .join('\n')}\n`;
}
