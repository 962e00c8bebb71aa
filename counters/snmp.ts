import { fields, type InputLines } from './lines.ts';
import { parseS64, parseU64 } from './numbers.ts';
import type { ParseError, SectionBase } from './types.ts';

/**
 * `/proc/net/snmp` (and `/proc/net/netstat`, same shape): per protocol a header line of field names
 * and a line of values, both opening with `Proto:` (net/ipv4/proc.c snmp_seq_show).
 */
export interface SnmpGroup {
  /** `Ip`, `Icmp`, `IcmpMsg`, `Tcp`, `Udp`, `UdpLite`, `TcpExt`, `IpExt`, ... */
  readonly proto: string;
  /** The line of the values. */
  readonly line: number;
  readonly values: ReadonlyMap<string, bigint>;
}

export interface SnmpSection extends SectionBase {
  readonly format: 'proc-net-snmp';
  readonly groups: readonly SnmpGroup[];
  /** One device's /proc/net/dev_snmp6 file rather than the whole host's (snmp6.ts). */
  readonly perDevice?: true;
}

/** `Proto:` opening both lines of a group. */
const GROUP = /^([A-Z][A-Za-z0-9]*):/;
/** A header's field names and a values line's numbers. */
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const NUMBER = /^-?\d+$/;

/** The groups netstat-like tools print; a header of one of these must be followed by its values. */
const KNOWN = new Set(['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite', 'TcpExt', 'IpExt', 'MPTcpExt']);

/**
 * The group of a header line (`token` NAME) or a values line (NUMBER): `Proto:`, then one or more
 * blank-separated tokens. Read field by field: one pattern over the whole line backtracks through
 * every field and ran out of stack on a long one.
 */
function proto(line: string | undefined, token: RegExp): string | undefined {
  const m = line === undefined ? null : GROUP.exec(line);
  if (line === undefined || m === null) return undefined;
  const rest = line.slice(m[0].length);
  if (!/^\s/.test(rest)) return undefined;
  const tokens = fields(rest);
  return tokens.length > 0 && tokens.every((t) => token.test(t)) ? m[1] : undefined;
}

/** A header line followed by the values line of the same group. */
export function startsSnmp(lines: InputLines, i: number): boolean {
  const p = proto(lines.text[i], NAME);
  return p !== undefined && (KNOWN.has(p) || proto(lines.text[i + 1], NUMBER) === p);
}

function parseGroup(lines: InputLines, i: number): SnmpGroup | ParseError {
  const header = lines.text[i] ?? '';
  const p = proto(header, NAME) ?? '';
  const valuesLine = lines.text[i + 1];
  if (valuesLine === undefined) {
    return {
      line: i + 1,
      message: `the ${p} header is the last line`,
      expected: `a "${p}: <numbers>" line after it`,
    };
  }
  if (proto(valuesLine, NUMBER) !== p) {
    return {
      line: i + 2,
      message: `the ${p} header has no values line`,
      expected: `"${p}: <numbers>" after line ${i + 1}`,
    };
  }
  const names = fields(header).slice(1);
  const tokens = fields(valuesLine ?? '').slice(1);
  if (names.length !== tokens.length) {
    return {
      line: i + 2,
      message: `${p} has ${tokens.length} values for ${names.length} fields`,
      expected: `${names.length} values, one per field of line ${i + 1}`,
    };
  }
  const values = new Map<string, bigint>();
  for (const [k, name] of names.entries()) {
    const signed = isSigned(p, name);
    const v = (signed ? parseS64 : parseU64)(tokens[k] ?? '');
    if (v === undefined) {
      return {
        line: i + 2,
        message: `${p} ${name} is "${(tokens[k] ?? '').slice(0, 24)}"`,
        expected: signed
          ? 'a 64-bit integer'
          : 'an unsigned 64-bit count (the kernel prints every field but Tcp MaxConn with %lu)',
      };
    }
    values.set(name, v);
  }
  return { proto: p, line: i + 2, values };
}

/**
 * snmp_seq_show (net/ipv4/proc.c) prints every counter unsigned (`%lu`, and Ip Forwarding /
 * DefaultTTL as small positive `%d`); Tcp MaxConn alone is `%ld`, -1 for "no limit". A minus sign
 * anywhere else is not kernel output.
 */
function isSigned(proto: string, name: string): boolean {
  return proto === 'Tcp' && name === 'MaxConn';
}

/**
 * Consecutive header/values pairs from line index `start`. A group seen again starts the next
 * table: two snapshots pasted back to back are read as two, as two netstat -Q tables are.
 */
export function parseSnmp(
  lines: InputLines,
  start: number,
): { section: SnmpSection; next: number } | ParseError {
  const groups: SnmpGroup[] = [];
  const seen = new Set<string>();
  let i = start;
  while (i < lines.text.length && startsSnmp(lines, i)) {
    const p = proto(lines.text[i], NAME) ?? '';
    if (seen.has(p)) break;
    seen.add(p);
    const g = parseGroup(lines, i);
    if ('expected' in g) return g;
    groups.push(g);
    i += 2;
  }
  const names = groups.map((g) => g.proto).join(', ');
  // /proc/net/netstat prints the same shape with the kernel's extended MIBs (TcpExt, IpExt ...).
  const extended = groups.every((g) => g.proto.endsWith('Ext'));
  const layout = extended ? `/proc/net/netstat: ${names} rows (no identity applies)` : `${names} rows`;
  return {
    section: { format: 'proc-net-snmp', layout, firstLine: start + 1, lastLine: i, groups },
    next: i,
  };
}
