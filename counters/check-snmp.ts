import { checkU5 } from './check-u5.ts';
import { grouped, percent } from './numbers.ts';
import type { CounterReading } from './reading.ts';
import type { SnmpGroup, SnmpSection } from './snmp.ts';
import type { Explanation, Finding, GroupCheck, SectionCheck } from './types.ts';

/**
 * /proc/net/snmp identities (linux-rx notes U5, U9, F10) on the Udp and Ip rows, and on the Udp6
 * and Ip6 rows of /proc/net/snmp6 (snmp6.ts): __udpv6_queue_rcv_skb charges its drops as UDP does.
 */
const UDP = new Set(['Udp', 'UdpLite', 'Udp6', 'UdpLite6']);

const get = (g: SnmpGroup, name: string): bigint => g.values.get(name) ?? 0n;

function ipFindings(g: SnmpGroup): GroupCheck {
  if (!g.values.has('ReasmReqds') || !g.values.has('ReasmOKs')) return { checks: 0, findings: [] };
  const reqds = get(g, 'ReasmReqds');
  const oks = get(g, 'ReasmOKs');
  const timeout = get(g, 'ReasmTimeout');
  const fails = get(g, 'ReasmFails');
  const findings: Finding[] = [];
  const f = (message: string): Finding => ({
    format: 'proc-net-snmp',
    rule: 'F10',
    line: g.line,
    row: g.proto,
    message,
  });
  // A datagram needs a first and a last fragment (F5, F7); a queue that timed out held at least one.
  // IPv6 counts an atomic fragment (offset 0, no more fragments) as one request and one OK
  // (ipv6_frag_rcv), so there a datagram is at least one request.
  const perOk = g.proto === 'Ip6' ? 1n : 2n;
  if (reqds < perOk * oks + timeout) {
    const times = perOk === 1n ? '' : `${perOk} x `;
    findings.push(f(`ReasmReqds ${reqds} < ${times}ReasmOKs ${oks} + ReasmTimeout ${timeout}`));
  }
  if (g.values.has('ReasmTimeout') && g.values.has('ReasmFails') && timeout > fails) {
    findings.push(f(`ReasmTimeout ${timeout} > ReasmFails ${fails}`));
  }
  return { checks: 2, findings };
}

function explanations(s: SnmpSection): Explanation[] {
  const out: Explanation[] = [];
  for (const g of s.groups) {
    if (!UDP.has(g.proto)) continue;
    const rcvbuf = get(g, 'RcvbufErrors');
    if (rcvbuf > 0n) {
      out.push({
        format: 'proc-net-snmp',
        row: g.proto,
        text:
          `${grouped(rcvbuf)} receive-buffer drops (${percent(rcvbuf, rcvbuf + get(g, 'InDatagrams'))} of datagrams that reached a socket): ` +
          'a socket queue was over its SO_RCVBUF when the packet came (U2, U5). Read faster, or raise SO_RCVBUF ' +
          '(capped by net.core.rmem_max; net.core.rmem_default for sockets that do not ask).',
        knobs: ['SO_RCVBUF', 'net.core.rmem_max', 'net.core.rmem_default'],
      });
    }
    const mem = get(g, 'MemErrors');
    if (mem > 0n) {
      out.push({
        format: 'proc-net-snmp',
        row: g.proto,
        text: `${grouped(mem)} drops for UDP memory pressure (U4, U5): the protocol-wide limit was hit.`,
        knobs: ['net.ipv4.udp_mem'],
      });
    }
  }
  return out;
}

export function checkSnmp(s: SnmpSection, reading: CounterReading): SectionCheck {
  let checks = 0;
  const findings: Finding[] = [];
  const notes: Explanation[] = [];
  for (const g of s.groups) {
    // A device's own snmp6 may hold a datagram's requests and its OK on two devices (snmp6.ts).
    const r = UDP.has(g.proto)
      ? checkU5(g, reading)
      : g.proto === 'Ip' || (g.proto === 'Ip6' && s.perDevice !== true)
        ? ipFindings(g)
        : undefined;
    if (r === undefined) continue;
    checks += r.checks;
    findings.push(...r.findings);
    notes.push(...(r.explanations ?? []));
  }
  return { checks, rows: s.groups.length, findings, explanations: [...notes, ...explanations(s)] };
}
