import { describe, expect, it } from 'vitest';
import { burst, runScenario, UDP_PORT, udpTo } from '../../model/linux/scenarios.ts';
import { checkLinuxNoDropBelowLimit } from '../../properties/linux-no-drop-below-limit.ts';
import { only } from './linux-scenario.ts';

/**
 * net/ipv4/udp.c __udp_queue_rcv_skb: "Note that an ENOMEM error is charged twice": a datagram
 * refused for a full receive buffer counts in RcvbufErrors and InErrors and the socket's drops
 * (seed 004 shows the two MIB counters equal). Counting only RcvbufErrors hides the loss from InErrors.
 */
describe('UDP rcvbuf drops count in RcvbufErrors, InErrors and sk_drops (U5)', () => {
  // A slow reader (it never runs before the burst is in) and a 4 KiB receive buffer.
  const box = {
    config: { cpuCount: 1, sockets: [{ port: UDP_PORT, rcvbufBytes: 4096 }] },
    workload: { flows: [udpTo(0)], items: burst(20) },
  };

  it('fixed: /proc/net/snmp and /proc/net/udp agree with the drops in the trace', () => {
    const r = runScenario(box);
    const drops = only(r.trace, 'sock-queue').filter((e) => e.outcome === 'dropped').length;
    expect(drops).toBeGreaterThan(0);
    expect(r.snmpUdp.split('\n')[1]).toBe(`Udp: ${20 - drops} 0 ${drops} 0 ${drops} 0 0 0 0`);
    expect(r.procNetUdp.split('\n')[1]?.trimEnd().endsWith(` ${drops}`)).toBe(true);
    expect(checkLinuxNoDropBelowLimit(r.trace)).toEqual([]);
  });

  it('pre-fix (linux-udp-inerrors-uncounted) is caught by linux-no-drop-below-limit (U5)', () => {
    const v = checkLinuxNoDropBelowLimit(runScenario(box, ['linux-udp-inerrors-uncounted']).trace);
    expect(v[0]?.rule).toBe('U5');
    expect(v[0]?.message).toMatch(/^Udp\.InErrors is 0, but the trace shows \d+ socket receive buffer drops/);
  });
});
