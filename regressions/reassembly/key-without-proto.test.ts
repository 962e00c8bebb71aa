/**
 * RFC 791 identifies a datagram by source, destination, protocol and identification, and ip_reass
 * matches a queue on all four (F-2). A key without the protocol merges a TCP and a UDP datagram that
 * happen to share addresses and ip_id into one, delivered to one of them with the other's bytes.
 */
import { describe, expect, it } from 'vitest';
import { REASSEMBLY_PROPERTIES, type ReassemblyCase, runReassembly } from '../../harness/reassembly-run.ts';
import { fragmentItems } from '../../model/host/scenario.ts';
import { checkDatagramIntact } from '../../properties/reassembly-intact.ts';

const udp = {
  family: 'inet',
  ipProto: 17,
  src: '10.0.0.1',
  dst: '10.0.0.2',
  sport: 5000,
  dport: 53,
} as const;
const tcp = { ...udp, ipProto: 6, dport: 80 } as const;
const [udpHead, udpTail] = fragmentItems(0, 77, 48, 24);
const [, tcpTail] = fragmentItems(1, 77, 48, 24);

/** UDP id 77 first half, TCP id 77 second half, then the UDP second half. */
const mixed: ReassemblyCase = {
  config: { kernel: 'freebsd', cpuCount: 1 },
  workload: { flows: [udp, tcp], items: [udpHead, tcpTail, udpTail].filter((i) => i !== undefined) },
  schedule: [],
};

describe('regression: reassembly key without the protocol (F-2)', () => {
  it('fixed: the UDP datagram completes from its own fragments; the TCP half times out', () => {
    const trace = runReassembly(mixed);
    expect(trace.filter((e) => e.kind === 'reassembled')).toMatchObject([
      { fragments: [0, 2], datagram: 'inet 10.0.0.1>10.0.0.2 p17 id 77' },
    ]);
    expect(trace.filter((e) => e.kind === 'drop')).toMatchObject([{ pkt: 1, counter: 'ips_fragtimeout' }]);
    expect(REASSEMBLY_PROPERTIES.flatMap((p) => p.check(trace))).toEqual([]);
  });

  it('pre-fix: UDP head and TCP tail make one datagram, caught by datagram-intact (F-2)', () => {
    const trace = runReassembly(mixed, ['reass-key-without-proto']);
    expect(trace.filter((e) => e.kind === 'reassembled')).toMatchObject([
      { fragments: [0, 1], datagram: 'inet 10.0.0.1>10.0.0.2 id 77' },
    ]);
    const found = checkDatagramIntact(trace);
    expect(found.map((v) => v.rule)).toEqual(['F-2']);
    expect(found[0]?.message).toMatch(/p17 id 77 \+ inet 10.0.0.1>10.0.0.2 p6 id 77/);
  });
});
