import type { NetstatSSection } from './netstat-s.ts';
import { grouped, percent, U64_MOD } from './numbers.ts';
import type { Explanation, Finding, SectionCheck } from './types.ts';

/** FreeBSD `netstat -s -p udp` / `-p ip` identities (usr.bin/netstat/inet.c, ip_reass.c F-20). */

const UDP_NOT_DELIVERED = ['hdrops', 'badlen', 'badsum', 'noport', 'noportbcast', 'fullsock'] as const;

/** 2^32: a u_long on i386. */
const U32_MOD = 1n << 32n;

/** `n` as unsigned arithmetic modulo `mod` leaves it. */
const wrapped = (n: bigint, mod: bigint) => ((n % mod) + mod) % mod;

function udpFindings(s: NetstatSSection): { checks: number; findings: Finding[] } {
  const received = s.counters.get('received');
  const delivered = s.counters.get('delivered');
  // With -ss zero lines are left out, so a missing counter is 0; without both ends there is nothing to check.
  if (received === undefined || delivered === undefined) return { checks: 0, findings: [] };
  const lost = UDP_NOT_DELIVERED.reduce((a, n) => a + (s.counters.get(n)?.value ?? 0n), 0n);
  // netstat computes the difference in uint64_t: it wraps.
  const want = wrapped(received.value - lost, U64_MOD);
  if (delivered.value === want) return { checks: 1, findings: [] };
  // Before FreeBSD 10 the counters and netstat's difference were u_long: 32 bits on i386, where
  // every count printed fits in 32 bits and the difference wraps at 2^32.
  const counts = [received, delivered, ...UDP_NOT_DELIVERED.map((n) => s.counters.get(n))];
  const fits32 = counts.every((c) => c === undefined || c.value < U32_MOD);
  if (fits32 && delivered.value === wrapped(received.value - lost, U32_MOD))
    return { checks: 1, findings: [] };
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

function ipFindings(s: NetstatSSection): { checks: number; findings: Finding[] } {
  const fragments = s.counters.get('fragments');
  if (fragments === undefined) return { checks: 0, findings: [] };
  const v = (n: string) => s.counters.get(n)?.value ?? 0n;
  // F-4 / F-5 rejects count in fragdropped without being admitted; they are part of toosmall / toolong.
  const droppedAdmitted = v('fragdropped') - v('toosmall') - v('toolong');
  const accounted = (droppedAdmitted > 0n ? droppedAdmitted : 0n) + v('fragtimeout') + v('reassembled');
  if (fragments.value >= accounted) return { checks: 1, findings: [] };
  return {
    checks: 1,
    findings: [
      {
        format: 'netstat-s',
        rule: 'F-20',
        line: fragments.line,
        row: 'ip',
        message: `${fragments.value} fragments received, fewer than the ${accounted} dropped, timed out or reassembled`,
      },
    ],
  };
}

function explanations(s: NetstatSSection): Explanation[] {
  const v = (n: string) => s.counters.get(n)?.value ?? 0n;
  if (s.proto === 'udp' && v('fullsock') > 0n) {
    return [
      {
        format: 'netstat-s',
        row: 'udp',
        text:
          `${grouped(v('fullsock'))} datagrams dropped due to full socket buffers (${percent(v('fullsock'), v('received'))} of received): ` +
          'the application did not read fast enough for its receive buffer. Read faster (more sockets, SO_REUSEPORT with RSS), ' +
          'or raise SO_RCVBUF (net.inet.udp.recvspace is the default, kern.ipc.maxsockbuf the cap).',
        knobs: ['SO_RCVBUF', 'net.inet.udp.recvspace', 'kern.ipc.maxsockbuf'],
      },
    ];
  }
  if (s.proto === 'ip' && v('fragtimeout') + v('fragdropped') > 0n) {
    return [
      {
        format: 'netstat-s',
        row: 'ip',
        text: `${grouped(v('fragdropped'))} fragments dropped and ${grouped(v('fragtimeout'))} timed out of ${grouped(v('fragments'))} received (F-7, F-17, F-21).`,
        knobs: ['net.inet.ip.maxfragpackets', 'net.inet.ip.maxfragsperpacket', 'net.inet.ip.fragttl'],
      },
    ];
  }
  return [];
}

export function checkNetstatS(s: NetstatSSection): SectionCheck {
  const r =
    s.proto === 'udp' ? udpFindings(s) : s.proto === 'ip' ? ipFindings(s) : { checks: 0, findings: [] };
  return { checks: r.checks, rows: s.counters.size, findings: r.findings, explanations: explanations(s) };
}
