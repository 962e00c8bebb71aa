import { describe, expect, it } from 'vitest';
import { errorOf, unwrap } from '../result.ts';
import {
  type HostConfig,
  hostNetstatQ,
  kernelProtocols,
  type ResolvedHostConfig,
  resolveHostConfig,
} from './config.ts';
import { DEFAULT_RUN_LIMITS } from './knobs.ts';

function resolved(config: HostConfig): ResolvedHostConfig {
  return unwrap(resolveHostConfig(config));
}

const qlimitOf = (cfg: ResolvedHostConfig, name: string) =>
  cfg.protocols.find((p) => p.reg.name === name)?.qlimitPackets;

describe('host configuration: what the boot fix-ups settle', () => {
  it('caps net.isr.defaultqlimit at net.isr.maxqlimit, and a protocol limit of its own too (netisr_register)', () => {
    const cfg = resolved({ cpuCount: 1, sysctl: { 'net.isr.defaultqlimit': 300, 'net.isr.maxqlimit': 200 } });
    expect([qlimitOf(cfg, 'ip'), qlimitOf(cfg, 'rtsock')]).toEqual([200, 200]);
    const roomy = resolved({ cpuCount: 1, sysctl: { 'net.isr.defaultqlimit': 300 } });
    expect([qlimitOf(roomy, 'ip'), qlimitOf(roomy, 'rtsock')]).toEqual([300, 2048]);
    // A per-protocol limit may go up to maxqlimit, even above the default.
    expect(qlimitOf(resolved({ cpuCount: 1, qlimits: { ip: 9000 } }), 'ip')).toBe(9000);
    expect(
      errorOf(resolveHostConfig({ cpuCount: 1, sysctl: { 'net.isr.maxqlimit': 50 }, qlimits: { ip: 51 } })),
    ).toBe('qlimit for ip: 51 outside 1..50 (EINVAL)');
  });

  it('netstat -Q of the settled configuration: threads, queue limits, dispatch, binding', () => {
    const cfg = resolved({
      cpuCount: 4,
      sysctl: {
        'net.isr.maxthreads': 3,
        'net.isr.defaultqlimit': 300,
        'net.isr.maxqlimit': 200,
        'net.isr.dispatch': 'hybrid',
        'net.isr.bindthreads': true,
      },
    });
    const text = hostNetstatQ(cfg, []);
    expect(text.split('\n').slice(0, 6)).toEqual([
      'Configuration:',
      'Setting                        Current        Limit',
      'Thread count                         3            3',
      'Default queue limit                200          200',
      'Dispatch policy                 hybrid          n/a',
      'Threads bound to CPUs          enabled          n/a',
    ]);
    expect(text).toContain('ip         1    200   flow  default');
  });

  it('sizes the default indirection table by net.inet.rss.bits (R-4), else by the CPU count', () => {
    expect(resolved({ cpuCount: 2 }).buckets.bucketCount).toBe(4);
    const tuned = resolved({ cpuCount: 2, sysctl: { 'net.inet.rss.bits': 3 } }).buckets;
    expect([tuned.bucketCount, tuned.bucketCpus]).toEqual([8, [0, 1, 0, 1, 0, 1, 0, 1]]);
  });

  it('hashes UDP over the 4-tuple under net.inet.rss.udp_4tuple or its variant', () => {
    expect(resolved({ cpuCount: 1, variants: ['rss-udp-4tuple-default'] }).hashConfig.udp4Tuple).toBe(true);
    expect(resolved({ cpuCount: 1, variants: ['netisr-lifo-dequeue'] }).hashConfig.udp4Tuple).toBe(false);
  });

  it('fills run limits not given with the defaults, and keeps the frame sizes given', () => {
    const cfg = resolved({ cpuCount: 1, limits: { stepsMax: 5 }, frameBytes: { ip_input: 64 } });
    expect(cfg.limits).toEqual({ ...DEFAULT_RUN_LIMITS, stepsMax: 5 });
    expect(cfg.frameBytes).toEqual({ ip_input: 64 });
    expect(resolved({ cpuCount: 1 }).limits).toEqual(DEFAULT_RUN_LIMITS);
  });

  it('checks the ring table before the indirection table, and a bad table before the version', () => {
    expect(errorOf(resolveHostConfig({ cpuCount: 2, ringCpus: [3], bucketCpus: [4, 0] }))).toBe(
      'ringCpus: CPU 3 outside 0..1',
    );
    expect(
      errorOf(
        resolveHostConfig({ cpuCount: 2, bucketCpus: [0, 1, 0], version: 'freebsd-9' as 'freebsd-14' }),
      ),
    ).toBe('bucketCpus: want a power-of-two length up to 128, got 3');
  });

  it('the kernel table: GENERIC whatever the version, the version table under options RSS', () => {
    expect(kernelProtocols('freebsd')).toBe(kernelProtocols('freebsd', 'freebsd-rss-2015'));
    expect(kernelProtocols('freebsd-rss').map((r) => r.name)).toContain('ip6_direct');
    expect(kernelProtocols('freebsd-rss', 'freebsd-rss-2015').map((r) => r.name)).not.toContain('ip6_direct');
  });

  it('refuses two protocols of one number, wherever they sort', () => {
    const ip = kernelProtocols('freebsd')[0];
    if (ip === undefined) throw new Error('GENERIC registers ip');
    expect(
      errorOf(resolveHostConfig({ cpuCount: 1, extraProtocols: [{ ...ip, name: 'ipsec', proto: 1 }] })),
    ).toMatch(/^protocol (ip|ipsec) \(1\) registered twice$/);
    expect(resolveHostConfig({ cpuCount: 1, extraProtocols: [{ ...ip, name: 'ipsec', proto: 7 }] }).ok).toBe(
      true,
    );
  });
});
