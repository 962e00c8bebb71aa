import { readAtLeast } from './at-least.ts';
import { bendNote, pastTornRead } from './bend-note.ts';
import type { CounterReading } from './reading.ts';
import type { SnmpGroup } from './snmp.ts';
import type { GroupCheck } from './types.ts';
import { fitIn32 } from './wrap32.ts';

/**
 * U5 on a Udp, UdpLite, Udp6 or UdpLite6 row: __udp_queue_rcv_skb (__udpv6_queue_rcv_skb) charges a
 * rcvbuf drop to RcvbufErrors and InErrors ("an ENOMEM error is charged twice"), a memory drop to
 * MemErrors and InErrors, and __udp4_lib_rcv a checksum error to InCsumErrors and InErrors (U9), each
 * time the part first. So InErrors >= RcvbufErrors + MemErrors + InCsumErrors, read exactly on an
 * idle 64-bit kernel; otherwise a torn read or a 32-bit wrap may bend it (at-least.ts).
 */
const PARTS = ['RcvbufErrors', 'MemErrors', 'InCsumErrors'] as const;

export function checkU5(g: SnmpGroup, reading: CounterReading): GroupCheck {
  if (!g.values.has('InErrors') || !g.values.has('RcvbufErrors')) return { checks: 0, findings: [] };
  const parts = PARTS.filter((n) => g.values.has(n));
  const covered = parts.reduce((a, n) => a + (g.values.get(n) ?? 0n), 0n);
  const inErrors = g.values.get('InErrors') ?? 0n;
  const v = readAtLeast(inErrors, covered, { fitIn32: fitIn32(g.values.values()) }, reading);
  if (v.holds) return { checks: 1, findings: [] };
  const sum = `${parts.join(' + ')} = ${covered}`;
  if (v.explainedBy.length === 0) {
    const past = pastTornRead(v, 'drops are counted');
    return {
      checks: 1,
      findings: [
        {
          format: 'proc-net-snmp',
          rule: 'U5',
          line: g.line,
          row: g.proto,
          message: `InErrors ${inErrors} < ${sum}${past === undefined ? '' : ` (${v.shortfall} short: ${past})`}`,
        },
      ],
    };
  }
  const text = bendNote(v, {
    observed: `InErrors ${inErrors} is ${v.shortfall} below ${sum}`,
    torn: 'a read while drops were counted: each goes to its part, then to InErrors, read first',
    wrapped: 'a 32-bit kernel (every value fits): InErrors, counting all of them, wrapped at 2^32 first',
    fault: 'a drop charged to its part but not to InErrors (U5)',
  });
  return {
    checks: 1,
    findings: [],
    explanations: [{ format: 'proc-net-snmp', row: g.proto, text, knobs: [] }],
  };
}
