import { describe, expect, it } from 'vitest';
import { cpuId, threadId } from '../brand.ts';
import type { Netisr } from '../netisr/netisr.ts';
import { unwrap } from '../result.ts';
import type { Actor } from '../sim/simulator.ts';
import type { BootEnv } from './boot.ts';
import { freebsdKernelHeader, rxRings, standbyRings, startNetisrThreads } from './boot.ts';
import { resolveHostConfig } from './config.ts';

describe('booting a FreeBSD host (netisr_start, the NIC rings)', () => {
  it('names the kernel config RSS or GENERIC in the trace header', () => {
    const generic = unwrap(resolveHostConfig({ cpuCount: 2, kernel: 'freebsd' }));
    const rss = unwrap(resolveHostConfig({ cpuCount: 2, kernel: 'freebsd-rss' }));
    expect(freebsdKernelHeader(generic).config).toBe('GENERIC');
    expect(freebsdKernelHeader(rss).config).toBe('RSS');
    expect(freebsdKernelHeader(rss).os).toBe('freebsd');
  });

  it('sizes every rx ring and its standby twin by hw.ix.rxd', () => {
    const cfg = unwrap(resolveHostConfig({ cpuCount: 2, rxRingCount: 2, sysctl: { 'hw.ix.rxd': 512 } }));
    expect(rxRings(cfg).map((r) => r.sizeDescriptors)).toEqual([512, 512]);
    expect(standbyRings(cfg).map((r) => r.sizeDescriptors)).toEqual([512, 512]);
  });

  it('starts a SWI thread only on the CPUs whose workstream has one', () => {
    const cfg = unwrap(resolveHostConfig({ cpuCount: 2 }));
    const actors: Actor[] = [];
    const env = {
      cfg,
      sim: { clock: {}, addActor: (a: Actor) => actors.push(a) },
      trace: {},
      frameBytes: () => 0,
      stackOf: (cpu: number) => ({ thread: threadId(10 + cpu), cpu }),
    } as unknown as BootEnv;
    const netisr = {
      workstreams: [
        { cpu: cpuId(0), hasThread: false },
        { cpu: cpuId(1), hasThread: true },
      ],
    } as unknown as Netisr;
    startNetisrThreads(env, netisr);
    expect(actors.map((a) => a.cpu)).toEqual([1]);
  });
});
