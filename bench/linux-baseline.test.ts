import { describe, expect, it } from 'vitest';
import { runLinux } from '../model/linux/host.ts';
import { unwrap } from '../model/result.ts';
import { modelHandledCpus } from './fair-baseline.ts';
import { linuxFairBaseline } from './linux-baseline.ts';
import { linuxConfig, linuxWorkload } from './linux-scenario.ts';
import { benchSchedule } from './scenario.ts';

/** bench:linux's ratio means something only while its baseline places packets as the model does. */
describe('the Linux fair baseline of npm run bench:linux', () => {
  const packets = 256;
  const workload = linuxWorkload(packets);

  it.each([
    'none',
    'rps',
  ] as const)('puts every packet on the CPU the model handles it on (%s)', (steering) => {
    const config = linuxConfig(steering);
    const run = unwrap(runLinux({ config, workload, schedule: benchSchedule(packets * 4) }));
    const model = modelHandledCpus(run.trace, packets);
    const baseline = new Int32Array(packets).fill(-1);
    linuxFairBaseline({ config, workload }, baseline);
    expect(model.includes(-1)).toBe(false);
    expect([...baseline]).toEqual([...model]);
    // Not trivial: RPS spreads the packets over the CPUs; without it they stay on the ring CPUs.
    expect(new Set(model).size).toBeGreaterThan(1);
  });
});
