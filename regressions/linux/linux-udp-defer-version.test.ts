import { describe, expect, it } from 'vitest';
import { runScenario } from '../../model/linux/scenarios.ts';
import { checkLinuxKernelVersion } from '../../properties/linux-kernel-version.ts';
import { deferBox, only } from './linux-scenario.ts';

/**
 * 6471658dc66c "udp: use skb_attempt_defer_free()" (6.18): UDP recvmsg frees through the
 * allocating CPU's defer list "as TCP did in linux-5.17"; before, UDP freed on the reading CPU.
 * This model deferred UDP frees whatever the version, so a 6.6 trace showed 6.18 behaviour.
 */
describe('UDP defers its frees only from 6.18 (net/ipv4/udp.c skb_consume_udp)', () => {
  // The reader on CPU 1, the ring on CPU 0: every datagram is read away from its allocating CPU.
  const box = deferBox(8, 1, { kernel: 'linux-6.6' });

  it('fixed: on linux-6.6 each datagram is freed at once on the reading CPU', () => {
    const r = runScenario(box);
    expect(checkLinuxKernelVersion(r.trace)).toEqual([]);
    expect(only(r.trace, 'defer-free')).toEqual([]);
    expect(
      only(r.trace, 'free').filter((e) => e.what === 'skb' && e.cpu === 1 && e.allocCpu === 0),
    ).toHaveLength(8);
    expect(checkLinuxKernelVersion(runScenario(deferBox(8, 1)).trace)).toEqual([]);
  });

  it('pre-fix (linux-udp-defer-every-version) is caught by linux-kernel-version (udp-defer-free)', () => {
    const v = checkLinuxKernelVersion(runScenario(box, ['linux-udp-defer-every-version']).trace);
    expect(v[0]?.rule).toBe('udp-defer-free');
    // Without the kernel event (a trace recorded elsewhere) there is no version to hold it to.
    const unnamed = runScenario(box, ['linux-udp-defer-every-version']).trace.slice(1);
    expect(checkLinuxKernelVersion(unnamed)).toEqual([]);
    expect(v[0]?.message).toMatch(
      /^linux-6\.6: udp recvmsg of pkt \d+ was not freed at once on cpu 1 \(only TCP defers before 6\.18\)$/,
    );
  });
});
