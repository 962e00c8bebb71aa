import type { InputLines } from './lines.ts';
import { parseU64 } from './numbers.ts';
import type { SnmpGroup, SnmpSection } from './snmp.ts';
import type { ParseError } from './types.ts';

/**
 * `/proc/net/snmp6`: one counter a line, `Ip6InReceives` then its value (net/ipv6/proc.c
 * snmp6_seq_show_item, `%-32s\t%lu`), the group its name's prefix (Ip6, Icmp6, Udp6, UdpLite6).
 * Read into the groups of /proc/net/snmp, names without the prefix (`Udp6InErrors` is Udp6
 * `InErrors`), so the same identities read them. A device's own file (/proc/net/dev_snmp6/<dev>)
 * opens with `ifIndex`: it holds Ip6 and Icmp6 alone, and a reassembly's counts may fall on two
 * devices there (the fragments on the route's device, the datagram on the one it arrived on).
 */
const LINE = /^(Ip6|Icmp6|Udp6|UdpLite6)([A-Za-z][A-Za-z0-9_]*)\s+(\S+)\s*$/;
const IF_INDEX = /^ifIndex\s+(\d+)\s*$/;

export function startsSnmp6(lines: InputLines, i: number): boolean {
  const line = lines.text[i] ?? '';
  return LINE.test(line) || (IF_INDEX.test(line) && LINE.test(lines.text[i + 1] ?? ''));
}

export function parseSnmp6(
  lines: InputLines,
  start: number,
): { section: SnmpSection; next: number } | ParseError {
  let i = start;
  const ifIndex = IF_INDEX.exec(lines.text[i] ?? '')?.[1];
  if (ifIndex !== undefined) i++;
  const groups = new Map<string, { line: number; values: Map<string, bigint> }>();
  for (; i < lines.text.length; i++) {
    const m = LINE.exec(lines.text[i] ?? '');
    if (m === null) break;
    const [, proto = '', name = '', token = ''] = m;
    // A counter seen again starts the next snapshot (the kernel prints each once): two files
    // pasted back to back are read as two tables, as two netstat -Q tables are.
    if (groups.get(proto)?.values.has(name) === true) break;
    const value = parseU64(token);
    if (value === undefined) {
      return {
        line: i + 1,
        message: `${proto}${name} is "${token.slice(0, 24)}"`,
        expected: 'an unsigned 64-bit count (the kernel prints every field with %lu)',
      };
    }
    const group = groups.get(proto) ?? { line: i + 1, values: new Map<string, bigint>() };
    group.values.set(name, value);
    groups.set(proto, group);
  }
  const parsed: SnmpGroup[] = [...groups].map(([proto, g]) => ({ proto, line: g.line, values: g.values }));
  const names = parsed.map((g) => g.proto).join(', ');
  const layout =
    ifIndex === undefined
      ? `snmp6: ${names} rows`
      : `snmp6 of one device (ifIndex ${ifIndex}): ${names} rows; its reassembly counts are not checked (they may fall on two devices)`;
  return {
    section: {
      format: 'proc-net-snmp',
      layout,
      firstLine: start + 1,
      lastLine: i,
      groups: parsed,
      ...(ifIndex === undefined ? {} : { perDevice: true }),
    },
    next: i,
  };
}
