import { describe, expect, it } from 'vitest';
import { knobError } from '../knobs.ts';
import { errorOf, unwrap } from '../result.ts';
import { type LinuxHostConfig, resolveLinuxConfig, roundupPowerOfTwo } from './config.ts';
import { linuxKnobs } from './knobs.ts';

const resolve = (config: LinuxHostConfig) => unwrap(resolveLinuxConfig(config));
const refusal = (config: LinuxHostConfig) => errorOf(resolveLinuxConfig(config));

describe('resolveLinuxConfig: the kernel fix-ups', () => {
  // rps_sock_flow_sysctl / store_rps_dev_flow_table_cnt: roundup_pow_of_two, 0 stays 0 (RFS off).
  it('roundup_pow_of_two of the table sizes', () => {
    expect([0, 1, 2, 3, 5, 1024, 1025].map(roundupPowerOfTwo)).toEqual([0, 1, 2, 4, 8, 1024, 2048]);
    const s = resolve({
      cpuCount: 2,
      sysctl: {
        'net.core.rps_sock_flow_entries': 3000,
        'rx-N/rps_flow_cnt': 3,
        'net.core.flow_limit_table_len': 1,
      },
    }).sysctl;
    expect(s['net.core.rps_sock_flow_entries']).toBe(4096);
    expect(s['rx-N/rps_flow_cnt']).toBe(4);
    expect(s['net.core.flow_limit_table_len']).toBe(1);
  });

  // store_rps_map: the CPUs of the mask, ascending; a 32-CPU host may name all 32.
  it('rps_cpus becomes rps_map; on 32 CPUs every bit names a CPU', () => {
    expect(resolve({ cpuCount: 3, sysctl: { 'rx-N/rps_cpus': 0b101 } }).rpsCpus).toEqual([0, 2]);
    expect(resolve({ cpuCount: 32, sysctl: { 'rx-N/rps_cpus': 1 } }).rpsCpus).toEqual([0]);
    expect(resolve({ cpuCount: 32, sysctl: { 'rx-N/rps_cpus': 0xffff_ffff } }).rpsCpus).toHaveLength(32);
  });

  it('defaults: ring r on CPU r % cpus, socket i read on CPU i % cpus, unconnected, no secpath, no variant', () => {
    const c = resolve({ cpuCount: 2, rxRingCount: 3, sockets: [{ port: 1 }, { port: 2 }, { port: 0xffff }] });
    expect(c.ringCpus).toEqual([0, 1, 0]);
    expect(c.sockets.map((s) => s.readerCpus)).toEqual([[0], [1], [0]]);
    expect(c.sockets.map((s) => s.connected)).toEqual([false, false, false]);
    expect(c.sockets.map((s) => s.rcvbufBytes)).toEqual([212_992, 212_992, 212_992]);
    expect(c.secpathFlows.size).toBe(0);
    expect(c.variants.size).toBe(0);
    expect(c.kernel).toBe('linux-6.18');
  });

  it('the edges that must be accepted', () => {
    expect(resolve({ cpuCount: 32 }).cpuCount).toBe(32);
    expect(resolve({ cpuCount: 1, rxRingCount: 64 }).ringCpus).toHaveLength(64);
    expect(resolve({ cpuCount: 2, ringCpus: [1, 0] }).ringCpus).toEqual([1, 0]);
    expect(
      resolve({ cpuCount: 2, sockets: [{ port: 7, rcvbufBytes: 1, readerCpus: [1] }] }).sockets[0],
    ).toMatchObject({ rcvbufBytes: 1, readerCpus: [1] });
  });
});

describe('resolveLinuxConfig: bad input answers one sentence', () => {
  it.each<[LinuxHostConfig, string]>([
    [{ cpuCount: 33 }, 'cpuCount 33: want 1..32'],
    [{ cpuCount: 1.5 }, 'cpuCount 1.5: want 1..32'],
    [{ cpuCount: 2, kernel: 'linux-5.4' as never }, 'kernel linux-5.4: want linux-6.18 or linux-6.6'],
    [{ cpuCount: 2, sysctl: { 'net.core.bogus': 1 } as never }, 'unknown sysctl net.core.bogus'],
    [{ cpuCount: 2, rxRingCount: 0 }, 'rxRingCount 0: want 1..64'],
    [{ cpuCount: 2, rxRingCount: 65 }, 'rxRingCount 65: want 1..64'],
    [{ cpuCount: 2, rxRingCount: 1.5 }, 'rxRingCount 1.5: want 1..64'],
    [{ cpuCount: 2, rxRingCount: 2, ringCpus: [0] }, 'ringCpus has 1 entries for 2 rings'],
    [{ cpuCount: 2, ringCpus: [2] }, 'ringCpus: CPU 2 outside 0..1'],
    [{ cpuCount: 2, ringCpus: [-1] }, 'ringCpus: CPU -1 outside 0..1'],
    [{ cpuCount: 2, ringCpus: [0.5] }, 'ringCpus: CPU 0.5 outside 0..1'],
    [{ cpuCount: 2, sockets: [{ port: 65_536 }] }, 'socket 0: port 65536 outside 1..65535'],
    [{ cpuCount: 2, sockets: [{ port: 1.5 }] }, 'socket 0: port 1.5 outside 1..65535'],
    [
      { cpuCount: 2, sockets: [{ port: 9, rcvbufBytes: 0 }] },
      'socket 0: rcvbufBytes 0 must be a positive integer',
    ],
    [
      { cpuCount: 2, sockets: [{ port: 9, rcvbufBytes: 1.5 }] },
      'socket 0: rcvbufBytes 1.5 must be a positive integer',
    ],
    [{ cpuCount: 2, sockets: [{ port: 9, readerCpus: [] }] }, 'socket 0: readerCpus is empty'],
    [
      { cpuCount: 2, sockets: [{ port: 9 }, { port: 9, readerCpus: [2] }] },
      'socket 1 readerCpus: CPU 2 outside 0..1',
    ],
  ])('%j', (config, sentence) => {
    expect(refusal(config)).toBe(sentence);
  });
});

type Sysctl = NonNullable<LinuxHostConfig['sysctl']>;

describe('resolveLinuxConfig: sysctl checks', () => {
  // resolveLinuxConfig checks only the values a run gives: every default must pass its own check.
  it('every knob default is a valid value of its knob', () => {
    for (const [name, spec] of Object.entries(linuxKnobs))
      expect(knobError(name, spec, spec.default)).toBeUndefined();
  });

  it('a bad value is reported before an unknown name, bad values in the knob table order', () => {
    const sysctl = {
      'no.such.knob': 1,
      'kernel.HZ': 5,
      'net.core.netdev_budget': 0,
    } as unknown as Sysctl;
    expect(refusal({ cpuCount: 1, sysctl })).toBe('net.core.netdev_budget must be >= 1 packets');
    expect(refusal({ cpuCount: 1, sysctl: { 'no.such.knob': 1, 'other.knob': 2 } as Sysctl })).toBe(
      'unknown sysctl no.such.knob',
    );
    // An own __proto__ key (as JSON.parse makes) is a name like any other, not a prototype.
    const own = JSON.parse('{"__proto__": 3}') as Sysctl;
    expect(refusal({ cpuCount: 1, sysctl: own })).toBe('unknown sysctl __proto__');
    expect(refusal({ cpuCount: 1, sysctl: { 'kernel.HZ': undefined } as unknown as Sysctl })).toBe(
      'kernel.HZ must be an integer (ticks/s)',
    );
  });
});
