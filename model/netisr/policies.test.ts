import { describe, expect, it } from 'vitest';
import { type BucketId, type CpuId, cpuId } from '../brand.ts';
import type { DispatchContext, PacketView } from '../policy.ts';
import { builtinNetisrPolicies, freebsdNetisrPolicy, placeByDispatch, selectCpu } from './policies.ts';
import { FREEBSD_PROTOCOLS, FREEBSD_RSS_PROTOCOLS } from './protocols.ts';

/** A 4-workstream context on CPU 1: bucket b on CPU (b + 2) % 4; CPUs listed in `busy` are busy. */
function context(over: Partial<DispatchContext> = {}, busy: readonly number[] = []): DispatchContext {
  return {
    cpuCount: 4,
    cpu: cpuId(1),
    workstreamCpus: [cpuId(0), cpuId(1), cpuId(2), cpuId(3)],
    deferredOnly: false,
    busy: (cpu: number) => busy.includes(cpu),
    bucketCount: 8,
    bucketCpu: (bucket: number) => cpuId((bucket + 2) % 4),
    bucketOf: (hash: number) => (hash & 7) as BucketId,
    ...over,
  } as unknown as DispatchContext;
}

/** An IPv4 TCP packet with an RSS hash in bucket 1 (CPU 3), from interface 2, source 0. */
function packet(over: Partial<PacketView> = {}): PacketView {
  return {
    protocol: 'ip',
    hash: 0x11,
    hashType: 'rss-tcp-ipv4',
    rcvifIndex: 2,
    source: 0,
    ...over,
  } as unknown as PacketView;
}

const cpu = (n: number): CpuId => cpuId(n);

/** What a factory is built with (the policies here read nothing of it). */
const SETUP = { cpuCount: 4, workstreamCpus: [cpu(0), cpu(1), cpu(2), cpu(3)], bucketCount: 8 };

describe('netisr_select_cpuid (N-2..N-5)', () => {
  it('one workstream: always nws_array[0], whatever the hash', () => {
    const ctx = context({ workstreamCpus: [cpu(3)] });
    expect(selectCpu(packet(), ctx, 'cpu', 'hybrid')).toBe(3);
    expect(selectCpu(packet(), ctx, 'flow', 'deferred')).toBe(3);
  });

  it('CPU policy: the bucket CPU of an RSS hash (R-7/R-9)', () => {
    expect(selectCpu(packet(), context(), 'cpu', 'deferred')).toBe(3);
  });

  it('CPU policy without a usable hash: hybrid stays on the current CPU, others fall back to SOURCE (N-3)', () => {
    const opaque = packet({ hashType: 'opaque-hash' });
    expect(selectCpu(opaque, context(), 'cpu', 'hybrid')).toBe(1);
    // SOURCE: (if_index 2 + source 0) % 4.
    expect(selectCpu(opaque, context(), 'cpu', 'deferred')).toBe(2);
    expect(selectCpu(opaque, context(), 'cpu', 'direct')).toBe(2);
  });

  it('FLOW policy: flowid % nws_count, SOURCE without a hash (N-4)', () => {
    expect(selectCpu(packet({ hash: 0xfffffffd }), context(), 'flow', 'deferred')).toBe(0xfffffffd % 4);
    expect(selectCpu(packet({ hashType: 'none', hash: 7 }), context(), 'flow', 'deferred')).toBe(2);
    expect(selectCpu(packet({ rcvifIndex: 1, source: 2 }), context(), 'source', 'deferred')).toBe(3);
  });
});

describe('netisr_dispatch_src placement (N-11..N-13)', () => {
  it('direct runs on the current CPU, deferred queues to the target', () => {
    expect(placeByDispatch(cpu(3), context(), 'direct')).toEqual({ cpu: 1, mode: 'direct' });
    expect(placeByDispatch(cpu(3), context(), 'deferred')).toEqual({ cpu: 3, mode: 'queue' });
  });

  it('hybrid runs inline only on the idle current workstream', () => {
    expect(placeByDispatch(cpu(1), context(), 'hybrid')).toEqual({ cpu: 1, mode: 'hybrid' });
    expect(placeByDispatch(cpu(1), context({}, [1]), 'hybrid')).toEqual({ cpu: 1, mode: 'queue' });
    expect(placeByDispatch(cpu(2), context(), 'hybrid')).toEqual({ cpu: 2, mode: 'queue' });
  });
});

describe('freebsdNetisrPolicy', () => {
  it('is named after its placement and ip dispatch, or as told', () => {
    expect(freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'direct' })(SETUP).name).toBe(
      'freebsd-registered-direct',
    );
    expect(
      freebsdNetisrPolicy({
        protocols: FREEBSD_PROTOCOLS,
        dispatch: 'direct',
        placement: 'cpu',
        ipDispatch: 'hybrid',
      })(SETUP).name,
    ).toBe('freebsd-cpu-hybrid');
    expect(
      freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'deferred', name: 'mine' })(SETUP).name,
    ).toBe('mine');
    expect(
      builtinNetisrPolicies(FREEBSD_PROTOCOLS).map((p) => [p.name, p.factory(SETUP).name]),
    ).toContainEqual(['freebsd-flow-deferred', 'freebsd-flow-deferred']);
  });

  it('N-12: DIRECT does no CPU selection, whatever the placement', () => {
    const p = freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'direct', placement: 'cpu' })(
      SETUP,
    );
    expect(p.place(packet(), context())).toEqual({ cpu: 1, mode: 'direct' });
    const q = builtinNetisrPolicies(FREEBSD_PROTOCOLS)
      .find((b) => b.name === 'freebsd-cpu-direct')
      ?.factory(SETUP);
    expect(q?.place(packet(), context())).toEqual({ cpu: 1, mode: 'direct' });
  });

  it('the built-in policies leave the other protocols on the global DIRECT dispatch', () => {
    const p = builtinNetisrPolicies(FREEBSD_PROTOCOLS)
      .find((b) => b.name === 'freebsd-flow-deferred')
      ?.factory(SETUP);
    expect(p?.place(packet({ protocol: 'arp' }), context())).toEqual({ cpu: 1, mode: 'direct' });
    expect(p?.place(packet(), context())).toEqual({ cpu: 1, mode: 'queue' });
  });

  it('the placement and ip dispatch overrides apply to ip and ip6 only', () => {
    const p = freebsdNetisrPolicy({
      protocols: FREEBSD_PROTOCOLS,
      dispatch: 'deferred',
      placement: 'cpu',
      ipDispatch: 'hybrid',
    })(SETUP);
    // ip and ip6: CPU placement (bucket 1 -> CPU 3), hybrid: queued to CPU 3.
    expect(p.place(packet(), context())).toEqual({ cpu: 3, mode: 'queue' });
    expect(p.place(packet({ protocol: 'ip6', hashType: 'rss-tcp-ipv6' }), context())).toEqual({
      cpu: 3,
      mode: 'queue',
    });
    expect(p.place(packet({ hash: 0x13 }), context())).toEqual({ cpu: 1, mode: 'hybrid' });
    // arp keeps its registered SOURCE policy and the global deferred dispatch: (2 + 0) % 4.
    expect(p.place(packet({ protocol: 'arp' }), context())).toEqual({ cpu: 2, mode: 'queue' });
    // ether is registered DIRECT (N-12).
    expect(p.place(packet({ protocol: 'ether' }), context())).toEqual({ cpu: 1, mode: 'direct' });
  });

  it('an unregistered protocol is placed by SOURCE under the global dispatch', () => {
    const p = freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'deferred' })(SETUP);
    expect(p.place(packet({ protocol: 'ipsec', rcvifIndex: 1 }), context())).toEqual({
      cpu: 1,
      mode: 'queue',
    });
  });

  it('a registered protocol uses its own policy and dispatch (RSS: ip is CPU/HYBRID)', () => {
    const p = freebsdNetisrPolicy({ protocols: FREEBSD_RSS_PROTOCOLS, dispatch: 'direct' })(SETUP);
    expect(p.place(packet(), context())).toEqual({ cpu: 3, mode: 'queue' });
    expect(p.place(packet({ hash: 0x17 }), context())).toEqual({ cpu: 1, mode: 'hybrid' });
  });

  it('a deferred-only context (netisr_queue_src) queues even where the dispatch is direct', () => {
    const p = freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'direct' })(SETUP);
    // ip is FLOW: 0x11 % 4 = 1.
    expect(p.place(packet(), context({ deferredOnly: true }))).toEqual({ cpu: 1, mode: 'queue' });
  });
});
