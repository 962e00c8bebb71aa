import { describe, expect, it } from 'vitest';
import { errorOf, unwrap } from '../result.ts';
import { type HostConfig, type ResolvedHostConfig, resolveHostConfig, resolveMaxthreads } from './config.ts';

function resolved(config: HostConfig): ResolvedHostConfig {
  return unwrap(resolveHostConfig(config));
}

describe('host configuration and the boot fix-ups (netisr_init, rss_init)', () => {
  it('fixes up net.isr.maxthreads as netisr_init does', () => {
    expect(resolveMaxthreads(-1, 8)).toBe(8);
    expect(resolveMaxthreads(0, 8)).toBe(1);
    expect(resolveMaxthreads(-2, 8)).toBe(1);
    expect(resolveMaxthreads(1, 8)).toBe(1);
    expect(resolveMaxthreads(3, 8)).toBe(3);
    expect(resolveMaxthreads(12, 8)).toBe(8);
    expect(resolved({ cpuCount: 4, sysctl: { 'net.isr.maxthreads': 3 } }).workstreamCpus).toEqual([0, 1, 2]);
  });

  it('accepts 1..64 CPUs and 1..64 rx rings, inclusive', () => {
    for (const cpuCount of [1, 64]) expect(resolved({ cpuCount }).cpuCount).toBe(cpuCount);
    for (const cpuCount of [0, 65, 2.5])
      expect(errorOf(resolveHostConfig({ cpuCount }))).toBe(`cpuCount ${cpuCount}: want 1..64`);
    expect(resolved({ cpuCount: 2, rxRingCount: 64 }).rxRingCount).toBe(64);
    for (const rxRingCount of [0, 65, 1.5]) {
      expect(errorOf(resolveHostConfig({ cpuCount: 2, rxRingCount }))).toBe(
        `rxRingCount ${rxRingCount}: want 1..64`,
      );
    }
  });

  it('spreads rx rings over CPUs by default and checks an explicit ring table', () => {
    expect(resolved({ cpuCount: 2, rxRingCount: 3 }).ringCpus).toEqual([0, 1, 0]);
    expect(errorOf(resolveHostConfig({ cpuCount: 2, rxRingCount: 2, ringCpus: [0] }))).toBe(
      'ringCpus: want 2 entries, got 1',
    );
    expect(errorOf(resolveHostConfig({ cpuCount: 2, rxRingCount: 1, ringCpus: [2] }))).toBe(
      'ringCpus: CPU 2 outside 0..1',
    );
    expect(errorOf(resolveHostConfig({ cpuCount: 2, rxRingCount: 1, ringCpus: [-1] }))).toBe(
      'ringCpus: CPU -1 outside 0..1',
    );
    expect(errorOf(resolveHostConfig({ cpuCount: 2, rxRingCount: 1, ringCpus: [0.5] }))).toBe(
      'ringCpus: CPU 0.5 outside 0..1',
    );
    expect(resolved({ cpuCount: 2, rxRingCount: 1, ringCpus: [1] }).ringCpus).toEqual([1]);
  });

  it('takes an indirection table of a power-of-two length up to 128 with CPUs in range', () => {
    expect(resolved({ cpuCount: 2, bucketCpus: [1, 0] }).buckets.bucketCpus).toEqual([1, 0]);
    expect(resolved({ cpuCount: 2, bucketCpus: new Array(128).fill(1) }).buckets.bucketCount).toBe(128);
    expect(resolved({ cpuCount: 2, bucketCpus: [0] }).buckets.bucketCount).toBe(1);
    for (const bucketCpus of [[], [0, 1, 0], new Array(256).fill(0)]) {
      expect(errorOf(resolveHostConfig({ cpuCount: 2, bucketCpus }))).toBe(
        `bucketCpus: want a power-of-two length up to 128, got ${bucketCpus.length}`,
      );
    }
    expect(errorOf(resolveHostConfig({ cpuCount: 2, bucketCpus: [0, 2] }))).toBe(
      'bucketCpus: CPU 2 outside 0..1',
    );
  });

  it('refuses unknown sysctls and bad values with the knob named', () => {
    const unknown = { 'net.isr.nonsense': 1 } as unknown as NonNullable<HostConfig['sysctl']>;
    expect(errorOf(resolveHostConfig({ cpuCount: 1, sysctl: unknown }))).toBe(
      'unknown sysctl net.isr.nonsense',
    );
    expect(errorOf(resolveHostConfig({ cpuCount: 1, sysctl: { 'net.isr.maxqlimit': 1.5 } }))).toMatch(
      /^net\.isr\.maxqlimit must be an integer/,
    );
  });

  it('checks per-protocol qlimits against net.isr.maxqlimit (netisr_setqlimit: EINVAL)', () => {
    const ok = resolved({ cpuCount: 1, qlimits: { ip: 1 } });
    expect(ok.protocols.find((p) => p.reg.name === 'ip')?.qlimitPackets).toBe(1);
    const max = resolved({ cpuCount: 1, qlimits: { ip: 10240 } });
    expect(max.protocols.find((p) => p.reg.name === 'ip')?.qlimitPackets).toBe(10240);
    expect(errorOf(resolveHostConfig({ cpuCount: 1, qlimits: { ip: 0 } }))).toBe(
      'qlimit for ip: 0 outside 1..10240 (EINVAL)',
    );
    expect(errorOf(resolveHostConfig({ cpuCount: 1, qlimits: { ip: 10241 } }))).toBe(
      'qlimit for ip: 10241 outside 1..10240 (EINVAL)',
    );
    expect(errorOf(resolveHostConfig({ cpuCount: 1, qlimits: { ip: 2.5 } }))).toBe(
      'qlimit for ip: 2.5 outside 1..10240 (EINVAL)',
    );
    expect(errorOf(resolveHostConfig({ cpuCount: 1, qlimits: { ipx: 5 } }))).toBe(
      'qlimit for ipx: no such netisr protocol',
    );
  });

  it('lists protocols in registration order by number, with the kernel flavour', () => {
    const generic = resolved({ cpuCount: 1 });
    expect(generic.kernel).toBe('freebsd');
    const numbers = generic.protocols.map((p) => p.reg.proto);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    const extra = resolved({
      cpuCount: 1,
      extraProtocols: [{ ...(generic.protocols[0]?.reg ?? fail()), name: 'ipsec', proto: 0 }],
    });
    expect(extra.protocols[0]?.reg.name).toBe('ipsec');
    expect(resolved({ cpuCount: 1, kernel: 'freebsd-rss' }).protocols.map((p) => p.reg.name)).toContain(
      'ip_direct',
    );
  });

  it('follows the FreeBSD version: freebsd-14 by default, the 2015 RSS table on request', () => {
    const rss = (version?: 'freebsd-14' | 'freebsd-rss-2015') =>
      resolved({ cpuCount: 1, kernel: 'freebsd-rss', ...(version === undefined ? {} : { version }) });
    expect(rss().version).toBe('freebsd-14');
    expect(rss().protocols.find((p) => p.reg.name === 'ip6')?.reg).toMatchObject({
      policy: 'cpu',
      dispatch: 'hybrid',
    });
    expect(rss('freebsd-rss-2015').protocols.find((p) => p.reg.name === 'ip6')?.reg).toMatchObject({
      policy: 'flow',
      dispatch: 'default',
    });
    expect(rss('freebsd-rss-2015').protocols.map((p) => p.reg.name)).not.toContain('ip6_direct');
    // GENERIC is the same table on both versions.
    expect(resolved({ cpuCount: 1, version: 'freebsd-rss-2015' }).protocols).toEqual(
      resolved({ cpuCount: 1 }).protocols,
    );
    expect(errorOf(resolveHostConfig({ cpuCount: 1, version: 'freebsd-9' as 'freebsd-14' }))).toBe(
      'version freebsd-9: want freebsd-14 or freebsd-rss-2015',
    );
  });

  it('refuses a protocol registered twice, as netisr_register would', () => {
    const ip6Direct = resolved({ cpuCount: 1, kernel: 'freebsd-rss' }).protocols.find(
      (p) => p.reg.name === 'ip6_direct',
    )?.reg;
    if (ip6Direct === undefined) throw new Error('no ip6_direct');
    expect(
      errorOf(resolveHostConfig({ cpuCount: 1, kernel: 'freebsd-rss', extraProtocols: [ip6Direct] })),
    ).toBe('protocol ip6_direct (10) registered twice');
    expect(
      errorOf(resolveHostConfig({ cpuCount: 1, extraProtocols: [{ ...ip6Direct, name: 'ip', proto: 11 }] })),
    ).toBe('protocol ip (11) registered twice');
  });

  it('derives the stack size, hash config and variants', () => {
    const r = resolved({
      cpuCount: 1,
      sysctl: { 'kern.kstack_pages': 2, 'net.inet.rss.udp_4tuple': true },
      variants: ['netisr-lifo-dequeue'],
    });
    expect(r.kstackBytes).toBe(2 * r.sysctl['hw.pagesize']);
    expect(r.hashConfig.udp4Tuple).toBe(true);
    expect(resolved({ cpuCount: 1 }).hashConfig.udp4Tuple).toBe(false);
    expect([...r.variants]).toEqual(['netisr-lifo-dequeue']);
    expect(resolved({ cpuCount: 1 }).variants.size).toBe(0);
    expect(resolved({ cpuCount: 1 }).frameBytes).toEqual({});
  });
});

function fail(): never {
  throw new Error('the generic kernel registers protocols');
}
