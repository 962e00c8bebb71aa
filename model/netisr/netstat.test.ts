import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cpuId } from '../brand.ts';
import { resolveHostConfig } from '../host/config.ts';
import { unwrap } from '../result.ts';
import { renderNetstatQ } from './netstat.ts';
import type { ProtocolRegistration } from './protocols.ts';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/netstat-q/${name}`, import.meta.url)), 'utf8');

/** The D9721 kernel registered an ipsec netisr protocol (11, SOURCE, default dispatch). */
const IPSEC: ProtocolRegistration = {
  name: 'ipsec',
  proto: 11,
  policy: 'source',
  dispatch: 'default',
  qlimitPackets: 0,
  m2cpuid: false,
  drainedcpu: false,
  m2flow: false,
};

function renderFor(config: Parameters<typeof resolveHostConfig>[0]): string {
  const cfg = unwrap(resolveHostConfig(config));
  const rows = cfg.workstreamCpus.flatMap((cpu) =>
    cfg.protocols.map(({ reg, qlimitPackets }) => ({
      wsid: cpu,
      cpu: cpuId(cpu),
      proto: reg.name,
      lenPackets: 0,
      watermarkPackets: 0,
      dispatched: 0,
      hybridDispatched: 0,
      qdrops: 0,
      queued: 0,
      handled: 0,
      qlimitPackets,
    })),
  );
  return renderNetstatQ(
    {
      numthreads: cfg.workstreamCpus.length,
      maxthreads: cfg.workstreamCpus.length,
      defaultqlimit: cfg.sysctl['net.isr.defaultqlimit'],
      maxqlimit: cfg.sysctl['net.isr.maxqlimit'],
      dispatch: cfg.sysctl['net.isr.dispatch'],
      bindthreads: cfg.sysctl['net.isr.bindthreads'],
      protocols: cfg.protocols,
    },
    rows,
  );
}

/** Lines of a seed's netstat -Q block between `from` and the Workstreams header, blank lines folded. */
function seedLines(text: string, from: string, count: number): string[] {
  // The RSS blog's copy has no-break spaces (U+00A0) where netstat printed spaces.
  const lines = text.split('\n').map((l) => l.replaceAll('\u00a0', ' ').replace(/\s+$/, ''));
  const start = lines.indexOf(from);
  return lines.slice(start, start + count).filter((l) => l !== '');
}

describe('netstat -Q rendering (usr.bin/netstat/netisr.c, Q-1..Q-5)', () => {
  it('renders the D9721 review configuration and protocol table byte for byte (fixtures: D9721)', () => {
    const out = renderFor({ cpuCount: 1, extraProtocols: [IPSEC] }).split('\n');
    const want = seedLines(fixture('d9721-ipsec-qlimit-256.txt'), 'Configuration:', 19);
    const got = out.filter((l) => l !== '').slice(0, want.length);
    expect(got).toEqual(want);
  });

  it('renders the RSS blog protocol table with 8 bound threads, ip_direct overflowing its column (fixtures: RSS blog)', () => {
    // The blog's kernel is the review-era RSS table (ip6 FLOW, no ip6_direct): freebsd-rss-2015.
    const out = renderFor({
      cpuCount: 8,
      kernel: 'freebsd-rss',
      version: 'freebsd-rss-2015',
      sysctl: { 'net.isr.maxthreads': 8, 'net.isr.bindthreads': true },
    });
    const want = seedLines(
      fixture('rss-8-bound-threads.txt'),
      'Setting                        Current        Limit',
      15,
    );
    const got = out.split('\n').filter((l) => l !== '' && !l.endsWith(':'));
    expect(want).toHaveLength(13);
    expect(got.slice(0, want.length)).toEqual(want);
    expect(out).toContain('   7   7   ip_direct     0     0        0        0        0        0        0');
  });

  it('freebsd-14 with options RSS lists ip6 and ip6_direct as CPU/HYBRID (ip6_input.c ip6_nh, ip6_direct_nh)', () => {
    const out = renderFor({ cpuCount: 1, kernel: 'freebsd-rss' }).split('\n');
    expect(out).toContain('ip6        6    256    cpu   hybrid   C--');
    expect(out).toContain('ip6_direct    10    256    cpu   hybrid   C--');
    const old = renderFor({ cpuCount: 1, kernel: 'freebsd-rss', version: 'freebsd-rss-2015' }).split('\n');
    expect(old).toContain('ip6        6    256   flow  default   ---');
    expect(old.some((l) => l.startsWith('ip6_direct'))).toBe(false);
  });

  it('prints one Workstreams row per (CPU with a thread, protocol), WSID and CPU on every row (Q-2, Q-3)', () => {
    const out = renderFor({ cpuCount: 4, sysctl: { 'net.isr.maxthreads': 2 } });
    const rows = out.split('\n').filter((l) => /^\s+\d+\s+\d+\s{3}\S/.test(l));
    expect(rows).toHaveLength(2 * 6);
    expect(rows[0]).toBe('   0   0   ip         0     0        0        0        0        0        0');
  });
});
