import { readAtLeast } from './at-least.ts';
import { bendNote, pastTornRead } from './bend-note.ts';
import type { NetstatSSection } from './netstat-s.ts';
import type { CounterReading } from './reading.ts';
import type { GroupCheck } from './types.ts';
import { fitIn32 } from './wrap32.ts';

/**
 * F-20 on `netstat -s -p ip`: ip_reass (sys/netinet/ip_reass.c) counts ips_fragments for every
 * fragment it admits, before the reassembly, drop or timeout that ends it, so fragments received >=
 * dropped (less the F-4 / F-5 size rejects, which never count as fragments) + timed out +
 * reassembled. With reassembly off (net.inet.ip.maxfragpackets=0) or its fragment limit reached,
 * every fragment is counted in ips_fragments and then in ips_fragdropped, and the two move together.
 */
export function checkF20(s: NetstatSSection, reading: CounterReading): GroupCheck {
  const fragments = s.counters.get('fragments');
  if (fragments === undefined) return { checks: 0, findings: [] };
  const v = (n: string) => s.counters.get(n)?.value ?? 0n;
  const droppedAdmitted = v('fragdropped') - v('toosmall') - v('toolong');
  const accounted = (droppedAdmitted > 0n ? droppedAdmitted : 0n) + v('fragtimeout') + v('reassembled');
  const table = { fitIn32: fitIn32([...s.counters.values()].map((c) => c.value)) };
  const r = readAtLeast(fragments.value, accounted, table, reading);
  if (r.holds) return { checks: 1, findings: [] };
  const observed = `${fragments.value} fragments received, ${r.shortfall} fewer than dropped + timed out + reassembled (${accounted})`;
  if (r.explainedBy.length === 0) {
    const why = pastTornRead(r, 'fragments arrive');
    const past = why === undefined ? '' : ` (${why})`;
    return {
      checks: 1,
      findings: [
        { format: 'netstat-s', rule: 'F-20', line: fragments.line, row: 'ip', message: `${observed}${past}` },
      ],
    };
  }
  const allDropped = v('reassembled') === 0n && v('fragtimeout') === 0n;
  const text = bendNote(r, {
    observed,
    torn: `a read while fragments arrived${allDropped ? ' and were dropped (reassembly off or full)' : ''}: ip_reass counts ips_fragments first, netstat reads it first`,
    wrapped:
      'a 32-bit kernel (i386 before FreeBSD 10, every count fits): ips_fragments, counting each first, wrapped at 2^32',
    fault: 'a fragment ended twice or never counted (F-20)',
  });
  return {
    checks: 1,
    findings: [],
    explanations: [{ format: 'netstat-s', row: 'ip', text, knobs: ['net.inet.ip.maxfragpackets'] }],
  };
}
