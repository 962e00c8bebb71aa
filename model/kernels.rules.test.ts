import { describe, expect, it } from 'vitest';
import { closestModelledKernel, isKernelName } from './kernels.ts';
import { LINUX_KERNELS } from './linux/versions.ts';
import { unwrap } from './result.ts';

describe('closestModelledKernel: the pick among the Linux models', () => {
  it('the Linux models are listed newest first, which is what lets a tie go to the newer', () => {
    const minors = Object.values(LINUX_KERNELS).map((k) => k.release.minor);
    expect(minors).toEqual([...minors].sort((a, b) => b - a));
  });

  it('a strictly closer older model wins over the newer one, and a tie does not', () => {
    // 6.15: two rules on, four off; 6.16: three and three.
    expect(unwrap(closestModelledKernel('6.15')).kernel).toBe('linux-6.6');
    expect(unwrap(closestModelledKernel('6.16')).kernel).toBe('linux-6.18');
    expect(unwrap(closestModelledKernel('6.17'))).toEqual({
      kernel: 'linux-6.18',
      running: '6.17',
      differs: ['defer-count-first', 'udp-rcvbuf-fits', 'udp-defer-free'],
    });
  });
});

describe('kernel names and FreeBSD releases', () => {
  it('isKernelName takes the modelled Linux and FreeBSD kernels only', () => {
    expect(['linux-6.6', 'freebsd-14', 'linux-6.1', 'freebsd-13', ''].map(isKernelName)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('a FreeBSD release picks freebsd-14 and names the release it runs', () => {
    expect(unwrap(closestModelledKernel('14.2-RELEASE-p1'))).toEqual({
      kernel: 'freebsd-14',
      running: '14.2-RELEASE',
      differs: [],
    });
  });
});
