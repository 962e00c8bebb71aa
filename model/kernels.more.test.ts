import { describe, expect, it } from 'vitest';
import {
  closestModelledKernel,
  freebsdRuleNames,
  isFreebsdKernel,
  isKernelName,
  linuxRuleNames,
} from './kernels.ts';
import { errorOf, unwrap } from './result.ts';

describe('the versioned rules a kernel follows, by name (the trace kernel event)', () => {
  it('FreeBSD: stable/14 has the RSS ip6 CPU/HYBRID table, the 2015 table has none', () => {
    expect(freebsdRuleNames('freebsd-14')).toEqual(['rss-ip6-cpu-hybrid']);
    expect(freebsdRuleNames('freebsd-rss-2015')).toEqual([]);
  });

  it('Linux: 6.18 follows every versioned rule, 6.6 none', () => {
    expect(linuxRuleNames('linux-6.18')).toEqual([
      'rps-input-queue-head-batched',
      'rfs-slot-hash32',
      'flow-limit-hash32',
      'defer-count-first',
      'udp-rcvbuf-fits',
      'udp-defer-free',
    ]);
    expect(linuxRuleNames('linux-6.6')).toEqual([]);
  });

  it('a kernel name is one of the table, not a property every object has', () => {
    expect([isFreebsdKernel('freebsd-14'), isFreebsdKernel('toString'), isKernelName('constructor')]).toEqual(
      [true, false, false],
    );
  });
});

describe('closestModelledKernel: the FreeBSD release forms of uname -r', () => {
  it.each([
    ['14.1-STABLE', '14.1-STABLE', []],
    ['14.2-PRERELEASE', '14.2-PRERELEASE', []],
    ['14.0-RC1-p2', '14.0-RC1', []],
    ['14.0-RC12', '14.0-RC12', []],
    ['14.3-BETA2', '14.3-BETA2', []],
    ['14.3-ALPHA1', '14.3-ALPHA1', []],
    ['14.10-RELEASE', '14.10-RELEASE', []],
    ['13.5-RELEASE-p3', '13.5-RELEASE', ['release 13: only stable/14 is modelled']],
    ['  14.1-RELEASE\n', '14.1-RELEASE', []],
  ])('%j is FreeBSD %s', (uname, running, differs) => {
    expect(unwrap(closestModelledKernel(uname))).toEqual({ kernel: 'freebsd-14', running, differs });
  });

  it('a FreeBSD-looking release must start the string', () => {
    expect(errorOf(closestModelledKernel('r14.1-RELEASE'))).toMatch(/not a Linux .* or FreeBSD .* release$/);
    // Without a known branch name after the dash it is read as Linux 14.1.
    expect(unwrap(closestModelledKernel('14.1-NIGHTLY')).kernel).toBe('linux-6.18');
  });
});

describe('closestModelledKernel: Linux releases', () => {
  it('takes major.minor from the start, whatever follows, with surrounding blanks trimmed', () => {
    expect(unwrap(closestModelledKernel(' 6.10.2-arch1\n'))).toMatchObject({
      kernel: 'linux-6.6',
      running: '6.10',
    });
    expect(errorOf(closestModelledKernel('v6.10'))).toMatch(/^uname -r 'v6\.10': not a Linux/);
  });

  it('accepts Linux majors 2..99', () => {
    expect(unwrap(closestModelledKernel('2.6.32-754.el6'))).toMatchObject({
      kernel: 'linux-6.6',
      running: '2.6',
    });
    expect(unwrap(closestModelledKernel('99.0'))).toMatchObject({ kernel: 'linux-6.18', running: '99.0' });
    expect(errorOf(closestModelledKernel('100.0'))).toBe(
      "uname -r '100.0': Linux major release 100 is not one",
    );
  });
});
