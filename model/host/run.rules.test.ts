import { describe, expect, it } from 'vitest';
import { freebsdNetisrPolicy } from '../netisr/policies.ts';
import { FREEBSD_PROTOCOLS } from '../netisr/protocols.ts';
import type { DispatchPolicy } from '../policy.ts';
import { unwrap } from '../result.ts';
import type { DispatchEvent, HandleEvent, StackEvent, TraceEvent } from '../trace.ts';
import type { ModelVariant } from '../variants.ts';
import type { HostConfig, KernelFlavour } from './config.ts';
import { runHost } from './run.ts';
import { fragmentItems, tcpFlow } from './scenario.ts';
import { inet6Flow } from './test/flows.ts';
import type { WorkloadItem } from './workload.ts';

const direct = freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'direct' });

function run(
  items: readonly WorkloadItem[],
  kernel: KernelFlavour = 'freebsd',
  variants: readonly ModelVariant[] = [],
  config: Partial<HostConfig> = {},
): readonly TraceEvent[] {
  return unwrap(
    runHost({
      config: { cpuCount: 1, kernel, variants, ...config },
      workload: { flows: [tcpFlow(0), inet6Flow], items },
      schedule: [],
      policy: direct,
    }),
  ).trace;
}

const protos = (t: readonly TraceEvent[]) =>
  t.filter((e): e is DispatchEvent => e.kind === 'dispatch').map((e) => e.proto);

/** The hash type ip_input sees for each packet, after ether_demux. */
const ipHashTypes = (t: readonly TraceEvent[]) =>
  t.filter((e): e is HandleEvent => e.kind === 'handle' && e.proto === 'ip').map((e) => e.hashType);

const piece = (offsetBytes: number, moreFragments: boolean): WorkloadItem => ({
  kind: 'packet',
  flow: 0,
  fragment: { ipId: 3, offsetBytes, lengthBytes: 8, moreFragments },
});

describe('ether_demux: the hash ip_input sees (R-14..R-17)', () => {
  it('GENERIC keeps the opaque NIC flowid, an RSS kernel the trusted Toeplitz 4-tuple hash', () => {
    const pkt: WorkloadItem = { kind: 'packet', flow: 0 };
    expect(ipHashTypes(run([pkt]))).toEqual(['opaque-hash']);
    expect(ipHashTypes(run([pkt], 'freebsd-rss'))).toEqual(['rss-tcp-ipv4']);
  });

  it('a TCP fragment is hashed on the 2-tuple, the first one too', () => {
    expect(ipHashTypes(run([piece(0, true), piece(8, false)], 'freebsd-rss'))).toEqual([
      'rss-ipv4',
      'rss-ipv4',
    ]);
  });

  it('under rss-soft-hash-ignores-fragment the first fragment (offset 0) is rehashed on the 4-tuple, a later one not', () => {
    const t = run([piece(0, true), piece(8, false)], 'freebsd-rss', ['rss-soft-hash-ignores-fragment']);
    expect(ipHashTypes(t)).toEqual(['rss-tcp-ipv4', 'rss-ipv4']);
    // GENERIC computes no software hash, whatever the variant.
    const generic = run([piece(0, true)], 'freebsd', ['rss-soft-hash-ignores-fragment']);
    expect(ipHashTypes(generic)).toEqual(['opaque-hash']);
  });
});

describe('the threads a run starts', () => {
  const tunThreads = (items: readonly WorkloadItem[]) => [
    ...new Set(
      run(items)
        .filter((e): e is StackEvent => e.kind === 'stack' && e.frames.startsWith('tunwrite'))
        .map((e) => e.thread),
    ),
  ];

  it('the tun0 writer comes after the NIC, the ring thread and the SWI: no standby port without a failover', () => {
    expect(tunThreads([{ kind: 'packet', flow: 0, via: 'tun0' }])).toEqual([3]);
  });

  it('a migrate alone starts the tun0 writer too', () => {
    const t = run([
      { kind: 'migrate', cpu: 0 },
      { kind: 'packet', flow: 0 },
    ]);
    expect(t.filter((e) => e.kind === 'deliver')).toHaveLength(1);
  });

  it('a migrate with no tun0 write still has a writer to move', () => {
    const t = run([{ kind: 'migrate', cpu: 0 }]);
    expect(t.at(-1)).toMatchObject({ kind: 'end', outcome: 'quiescent' });
  });

  it('a tun0 write enters ip or ip6 by its family, from the tunwrite frame of its size', () => {
    const t = run(
      [
        { kind: 'packet', flow: 0, via: 'tun0' },
        { kind: 'packet', flow: 1, via: 'tun0' },
      ],
      'freebsd',
      [],
      {
        frameBytes: { tunwrite: 3000 },
      },
    );
    expect(protos(t)).toEqual(['ip', 'ip6']);
    const tun = t.filter((e): e is StackEvent => e.kind === 'stack' && e.frames === 'tunwrite');
    expect(tun.map((e) => e.depthBytes)).toEqual([3000]);
  });
});

describe('the protocols a run registers handlers for', () => {
  it('an RSS kernel hands a reassembled datagram to ip_direct or ip6_direct (F-27), GENERIC to none', () => {
    const items = [...fragmentItems(0, 1, 16, 8), ...fragmentItems(1, 2, 16, 8)];
    expect(protos(run(items, 'freebsd-rss')).filter((p) => p.endsWith('_direct'))).toEqual([
      'ip_direct',
      'ip6_direct',
    ]);
    const generic = run(items);
    expect(protos(generic).filter((p) => p.endsWith('_direct'))).toEqual([]);
    expect(generic.filter((e) => e.kind === 'deliver')).toHaveLength(2);
  });

  it('a completed datagram cancels its reassembly timer: the run ends at once, not at the expiry', () => {
    const t = run(fragmentItems(0, 1, 16, 8));
    expect(t.filter((e) => e.kind === 'deliver')).toHaveLength(1);
    // The fragments' handling takes microseconds; ipfragttl is 30 s.
    expect(t.at(-1)?.atNs).toBeLessThan(1_000_000_000);
  });
});

describe('policy ticks', () => {
  it('a policy without a tick is never ticked, however short the tick period', () => {
    const policy: DispatchPolicy = {
      name: 'no-tick',
      place: (_p, ctx) => ({ cpu: ctx.cpu, mode: 'direct' }),
    };
    const r = runHost({
      config: { cpuCount: 1, limits: { policyTickPackets: 1 } },
      workload: { flows: [tcpFlow(0)], items: [{ kind: 'packet', flow: 0 }] },
      schedule: [],
      policy,
    });
    expect(unwrap(r).trace.filter((e) => e.kind === 'deliver')).toHaveLength(1);
  });

  it('a ticking policy is ticked once every policyTickPackets arrivals', () => {
    let ticks = 0;
    const policy: DispatchPolicy = {
      name: 'ticking',
      place: (_p, ctx) => ({ cpu: ctx.cpu, mode: 'direct' }),
      tick: () => void ticks++,
    };
    runHost({
      config: { cpuCount: 1, limits: { policyTickPackets: 3 } },
      workload: {
        flows: [tcpFlow(0)],
        items: Array.from({ length: 7 }, () => ({ kind: 'packet', flow: 0 }) as const),
      },
      schedule: [],
      policy,
    });
    expect(ticks).toBe(2);
  });
});
