import { describe, expect, it } from 'vitest';
import { resolveHostConfig } from '../model/host/config.ts';
import { runHost } from '../model/host/run.ts';
import { builtinNetisrPolicies } from '../model/netisr/policies.ts';
import { FREEBSD_RSS_PROTOCOLS } from '../model/netisr/protocols.ts';
import { unwrap } from '../model/result.ts';
import { fairBaseline, modelHandledCpus } from './fair-baseline.ts';
import { benchConfig, benchSchedule, benchWorkload } from './scenario.ts';

/** The bench's ratio means something only while the baseline places packets as the model does. */
describe('the fair baseline of npm run bench', () => {
  const packets = 256;
  const cfg = unwrap(resolveHostConfig(benchConfig));
  const workload = benchWorkload(packets);

  it.each(
    builtinNetisrPolicies(FREEBSD_RSS_PROTOCOLS).map((p) => [p.name, p.factory] as const),
  )('puts every packet on the CPU the model handles it on (%s)', (name, factory) => {
    const run = unwrap(
      runHost({
        config: benchConfig,
        workload,
        schedule: benchSchedule(packets * 4),
        policy: factory,
      }),
    );
    const baseline = new Int32Array(packets).fill(-1);
    fairBaseline({ cfg, workload, policy: factory }, baseline);
    const model = modelHandledCpus(run.trace, packets);
    expect(model.includes(-1)).toBe(false);
    expect([...baseline]).toEqual([...model]);
    // Agreeing is not trivial: packets spread over CPUs, except under SOURCE placement (N-5), which
    // puts the one interface's packets on one CPU for queued and hybrid dispatch.
    const spread = !name.includes('source') || name.endsWith('direct');
    expect(new Set(model).size > 1).toBe(spread);
  });
});
