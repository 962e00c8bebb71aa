import { checkC1 } from './check-c1.ts';
import { checkF20 } from './check-f20.ts';
import type { NetstatSSection } from './netstat-s.ts';
import { grouped, percent } from './numbers.ts';
import type { CounterReading } from './reading.ts';
import type { Explanation, GroupCheck, SectionCheck } from './types.ts';

/** FreeBSD `netstat -s -p udp` / `-p ip` identities: C-1 (check-c1.ts), F-20 (check-f20.ts), and what the drops say. */

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

export function checkNetstatS(s: NetstatSSection, reading: CounterReading): SectionCheck {
  const r: GroupCheck =
    s.proto === 'udp'
      ? checkC1(s, reading)
      : s.proto === 'ip'
        ? checkF20(s, reading)
        : { checks: 0, findings: [] };
  return {
    checks: r.checks,
    rows: s.counters.size,
    findings: r.findings,
    explanations: [...(r.explanations ?? []), ...explanations(s)],
  };
}
