import type { NetstatSSection } from './netstat-s.ts';
import { U64_MOD } from './numbers.ts';
import type { CounterReading } from './reading.ts';
import type { GroupCheck } from './types.ts';
import { fitIn32, U32_MOD, wrapped } from './wrap32.ts';

/**
 * C-1 on `netstat -s -p udp`: netstat prints "delivered" as received less the six drops
 * (usr.bin/netstat/inet.c udp_stats), so the line is that difference in netstat's arithmetic:
 * uint64_t since FreeBSD 10 (counter(9)); `u_long` before, 32 bits on i386, where received wraps
 * at 2^32 and can read below "dropped due to no socket".
 */
const UDP_NOT_DELIVERED = ['hdrops', 'badlen', 'badsum', 'noport', 'noportbcast', 'fullsock'] as const;

export function checkC1(s: NetstatSSection, reading: CounterReading): GroupCheck {
  const received = s.counters.get('received');
  const delivered = s.counters.get('delivered');
  // With -ss zero lines are left out, so a missing counter is 0; without both ends there is nothing to check.
  if (received === undefined || delivered === undefined) return { checks: 0, findings: [] };
  const lost = UDP_NOT_DELIVERED.reduce((a, n) => a + (s.counters.get(n)?.value ?? 0n), 0n);
  const want = wrapped(received.value - lost, U64_MOD);
  if (delivered.value === want) return { checks: 1, findings: [] };
  const counts = [received, delivered, ...UDP_NOT_DELIVERED.map((n) => s.counters.get(n))];
  const may32 = !reading.counters64bit && fitIn32(counts.map((c) => c?.value));
  const want32 = wrapped(received.value - lost, U32_MOD);
  if (may32 && delivered.value === want32) {
    const text =
      `delivered ${delivered.value} is received ${received.value} less the ${lost} not delivered modulo 2^32: ` +
      "netstat's u_long arithmetic on i386 before FreeBSD 10, where udpstat's counters are 32 bits too and every count here fits; " +
      `or a 64-bit netstat, which prints ${want}, printing the wrong difference (C-1). ` +
      'If the kernel keeps these counters in 64 bits, check again with --counters-64bit.';
    return { checks: 1, findings: [], explanations: [{ format: 'netstat-s', row: 'udp', text, knobs: [] }] };
  }
  return {
    checks: 1,
    findings: [
      {
        format: 'netstat-s',
        rule: 'C-1',
        line: delivered.line,
        row: 'udp',
        message: `delivered ${delivered.value}, but received ${received.value} less the ${lost} not delivered is ${want}`,
      },
    ],
  };
}
