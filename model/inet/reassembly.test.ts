import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { type HostConfig, kernelProtocols } from '../host/config.ts';
import { type RunResult, runHost } from '../host/run.ts';
import { findFlowSpec, fragmentItems, udpFlow } from '../host/scenario.ts';
import type { Workload } from '../host/workload.ts';
import { freebsdNetisrPolicy } from '../netisr/policies.ts';
import { unwrap } from '../result.ts';
import type { FlowSpec } from '../rss/flowhash.ts';
import { IP6_DIRECT_REGISTRATION } from './fragment.ts';

const RSS4: HostConfig = {
  kernel: 'freebsd-rss',
  cpuCount: 4,
  rxRingCount: 4,
  sysctl: { 'net.isr.maxthreads': -1 },
};

function run(config: HostConfig, workload: Workload): RunResult {
  const base = kernelProtocols(config.kernel ?? 'freebsd', config.version);
  const protocols = base.some((r) => r.name === 'ip6_direct') ? base : [...base, IP6_DIRECT_REGISTRATION];
  const r = unwrap(
    runHost({
      config,
      workload,
      schedule: [],
      policy: freebsdNetisrPolicy({ protocols, dispatch: 'direct' }),
    }),
  );
  return r;
}

const kinds = (r: RunResult, kind: string) => r.trace.filter((e) => e.kind === kind);

describe('reassembly in the host (F-26 .. F-28)', () => {
  it('SC-16: a datagram whose full bucket is the same CPU is queued behind the inline ip dispatch (N-22)', () => {
    // UDP keeps its trusted 2-tuple hash (R-15), so the datagram's bucket is its fragments' bucket.
    const r = run(RSS4, { flows: [udpFlow(3)], items: fragmentItems(0, 1, 40, 16) });
    const done = kinds(r, 'reassembled')[0];
    expect(done).toMatchObject({ fullHashType: 'rss-ipv4', continuation: 'reinject' });
    if (done?.kind !== 'reassembled') return;
    expect(done.fullBucketCpu).toBe(done.cpu);
    expect(kinds(r, 'enqueue')).toMatchObject([{ proto: 'ip_direct', cpu: done.cpu }]);
    expect(kinds(r, 'deliver')).toMatchObject([{ cpu: done.cpu, layer: 'udp' }]);
    expect(r.stats).toMatchObject({ ips_fragments: 3, ips_reassembled: 1, ips_delivered: 1 });
  });

  it('N-22 then N-16: a later packet of the flow queued for ip reaches UDP before the re-injected datagram', () => {
    // The kernel's own order, not a model bug: ip (1) is drained before ip_direct (9) in a pass.
    const items = [...fragmentItems(0, 1, 40, 16), { kind: 'packet' as const, flow: 0, payloadBytes: 20 }];
    const r = run(RSS4, { flows: [udpFlow(3)], items });
    expect(kinds(r, 'enqueue').map((e) => (e.kind === 'enqueue' ? e.proto : ''))).toEqual([
      'ip_direct',
      'ip',
    ]);
    expect(kinds(r, 'deliver').map((e) => (e.kind === 'deliver' ? e.seq : -1))).toEqual([3, 2]);
  });

  it('with net.inet.rss.udp_4tuple the datagram is rehashed on the 4-tuple and moves to that CPU', () => {
    const spec = findFlowSpec(udpFlow, (f) => (f.hash4Tuple & 3) !== (f.hash2Tuple & 3));
    const r = run(
      { ...RSS4, sysctl: { ...RSS4.sysctl, 'net.inet.rss.udp_4tuple': true } },
      { flows: [spec], items: fragmentItems(0, 1, 40, 16) },
    );
    const done = kinds(r, 'reassembled')[0];
    expect(done).toMatchObject({ fullHashType: 'rss-udp-ipv4' });
    if (done?.kind !== 'reassembled') return;
    expect(done.fullBucketCpu).not.toBe(done.cpu);
    expect(kinds(r, 'deliver')).toMatchObject([{ cpu: done.fullBucketCpu }]);
  });

  it('F-28: without RSS the datagram goes up inline where it was reassembled', () => {
    const r = run(
      { cpuCount: 2, rxRingCount: 2 },
      { flows: [udpFlow(1)], items: fragmentItems(0, 1, 40, 16) },
    );
    const done = kinds(r, 'reassembled')[0];
    expect(done).toMatchObject({ continuation: 'inline', fullBucket: undefined, fullBucketCpu: undefined });
    expect(kinds(r, 'deliver')).toMatchObject([{ cpu: done?.kind === 'reassembled' ? done.cpu : -1 }]);
    expect(r.stats).toMatchObject({ ips_total: 3, ips_delivered: 1 });
  });

  it('IPv6 goes through ip6_direct on freebsd-14 RSS (ip6_input.c ip6_direct_nh), up inline on the 2015 table', () => {
    const v6: FlowSpec = {
      family: 'inet6',
      ipProto: 6,
      src: '2001:db8::1',
      dst: '2001:db8::2',
      sport: 7,
      dport: 8,
    };
    const wl = { flows: [v6], items: fragmentItems(0, 5, 64, 24) };
    const with6 = run(RSS4, wl);
    expect(kinds(with6, 'reassembled')).toMatchObject([
      { family: 'inet6', continuation: 'reinject', fullHashType: 'rss-tcp-ipv6' },
    ]);
    expect(kinds(with6, 'handle').some((e) => e.kind === 'handle' && e.proto === 'ip6_direct')).toBe(true);
    const without = run({ ...RSS4, version: 'freebsd-rss-2015' }, wl);
    expect(kinds(without, 'reassembled')).toMatchObject([
      { continuation: 'inline', fullBucketCpu: undefined },
    ]);
    expect(without.stats).toMatchObject({ ip6s_fragments: 3, ip6s_reassembled: 1, ip6s_delivered: 1 });
  });

  it('SC-11 on the virtual clock: a lone fragment times out after 30 s and the run ends quiescent', () => {
    const r = run({ cpuCount: 1 }, { flows: [udpFlow(1)], items: fragmentItems(0, 1, 40, 16).slice(0, 1) });
    const drop = kinds(r, 'drop')[0];
    expect(drop).toMatchObject({ where: 'reassembly', counter: 'ips_fragtimeout', cpu: 0 });
    expect(drop?.atNs).toBeGreaterThanOrEqual(30 * NS_PER_SECOND);
    expect(r.trace.at(-1)).toMatchObject({ kind: 'end', outcome: 'quiescent' });
  });
});
