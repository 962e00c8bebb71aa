import { describe, expect, it } from 'vitest';
import { closestModelledKernel, freebsdRule, isKernelName } from './kernels.ts';
import { DEFAULT_LINUX_KERNEL, linuxRules, linuxRulesAt } from './linux/versions.ts';
import { errorOf, unwrap } from './result.ts';

describe('the kernels the model speaks for', () => {
  it('the default Linux version is fixed, never read from the machine', () => {
    expect(DEFAULT_LINUX_KERNEL).toBe('linux-6.18');
    expect(isKernelName('linux-6.6')).toBe(true);
    expect(isKernelName('freebsd-rss-2015')).toBe(true);
    expect(isKernelName('linux-5.4')).toBe(false);
  });

  it('each versioned Linux rule is on from its release', () => {
    expect(linuxRules('linux-6.18')).toEqual({
      'rps-input-queue-head-batched': true,
      'rfs-slot-hash32': true,
      'flow-limit-hash32': true,
      'defer-count-first': true,
      'udp-rcvbuf-fits': true,
      'udp-defer-free': true,
    });
    expect(Object.values(linuxRules('linux-6.6')).some((on) => on)).toBe(false);
    expect(linuxRulesAt({ major: 6, minor: 9 })['rps-input-queue-head-batched']).toBe(false);
    expect(linuxRulesAt({ major: 6, minor: 10 })['rps-input-queue-head-batched']).toBe(true);
    expect(linuxRulesAt({ major: 6, minor: 15 })['flow-limit-hash32']).toBe(false);
    expect(linuxRulesAt({ major: 6, minor: 17 })['udp-defer-free']).toBe(false);
    expect(linuxRulesAt({ major: 7, minor: 0 })['udp-defer-free']).toBe(true);
  });

  it('the 2015 FreeBSD table is the only one without ip6 CPU/HYBRID under RSS', () => {
    expect(freebsdRule('freebsd-14', 'rss-ip6-cpu-hybrid')).toBe(true);
    expect(freebsdRule('freebsd-rss-2015', 'rss-ip6-cpu-hybrid')).toBe(false);
  });
});

describe('closestModelledKernel (uname -r)', () => {
  it.each([
    ['6.18.0-1-amd64', 'linux-6.18', []],
    ['6.19.2', 'linux-6.18', []],
    ['6.6.58-generic', 'linux-6.6', []],
    ['5.15.0-122-generic', 'linux-6.6', []],
    ['6.8.0-45-generic', 'linux-6.6', []],
    ['6.12.0', 'linux-6.6', ['rps-input-queue-head-batched']],
    ['6.16.3', 'linux-6.18', ['defer-count-first', 'udp-rcvbuf-fits', 'udp-defer-free']],
    ['6.15.0', 'linux-6.6', ['rps-input-queue-head-batched', 'rfs-slot-hash32']],
  ])('%s -> %s', (uname, kernel, differs) => {
    expect(unwrap(closestModelledKernel(uname))).toEqual({
      kernel,
      running: uname.split('.').slice(0, 2).join('.').replace(/-.*$/, ''),
      differs,
    });
  });

  it('a tie goes to the newer model', () => {
    // 6.16: three rules on (head batching, both hash_32) and three off: 3 against each model.
    expect(unwrap(closestModelledKernel('6.16.3'))).toMatchObject({ kernel: 'linux-6.18' });
  });

  it('FreeBSD releases pick freebsd-14 and say when the major release differs', () => {
    expect(unwrap(closestModelledKernel('14.1-RELEASE-p5'))).toEqual({
      kernel: 'freebsd-14',
      running: '14.1-RELEASE',
      differs: [],
    });
    expect(unwrap(closestModelledKernel('15.0-CURRENT'))).toMatchObject({
      kernel: 'freebsd-14',
      differs: ['release 15: only stable/14 is modelled'],
    });
  });

  it('answers one sentence for a string that is no release', () => {
    expect(errorOf(closestModelledKernel('banana'))).toBe(
      "uname -r 'banana': not a Linux (6.8.0-45-generic) or FreeBSD (14.1-RELEASE) release",
    );
    expect(errorOf(closestModelledKernel('1.2.3'))).toBe(
      "uname -r '1.2.3': Linux major release 1 is not one",
    );
  });
});
