import { describe, expect, it } from 'vitest';
import { runHost } from '../../model/host/run.ts';
import { fragmentItems, packets, tcpFlow, udpFlow } from '../../model/host/scenario.ts';
import { unwrap } from '../../model/result.ts';
import flowHash from '../../policies/flow-hash.ts';
import { EXERCISE_RULES_FOR, exercisedBy } from '../exercised.ts';
import { PROPERTIES } from '../index.ts';

const ALL = PROPERTIES.map((p) => p.name);

function exercised(items: Parameters<typeof runHost>[0]['workload']['items']): string[] {
  const r = unwrap(
    runHost({
      config: { cpuCount: 2, sysctl: { 'net.isr.maxthreads': -1 } },
      workload: { flows: [tcpFlow(1), udpFlow(2)], items },
      schedule: [],
      policy: flowHash,
    }),
  );
  return exercisedBy(r.trace, ALL);
}

describe('exercised: what a run gave each property to judge', () => {
  it('one packet: no order to keep, no tunnels, no fragments, no Linux', () => {
    const names = exercised(packets([0]));
    expect(names).toContain('policy-conformance');
    for (const idle of ['flow-order', 'stack-depth', 'buffer-balance', 'reassembly-cpu', 'linux-flow-order'])
      expect(names).not.toContain(idle);
  });

  it('two packets of a flow judge flow order; fragments judge the reassembly properties', () => {
    expect(exercised(packets([0, 0]))).toContain('flow-order');
    const names = exercised(fragmentItems(1, 7, 64, 32));
    expect(names).toEqual(
      expect.arrayContaining(['reassembly-cpu', 'datagram-intact', 'fragment-flow-order']),
    );
  });
});

describe('exercised: every property says what it judges', () => {
  it('each property of the registry has its own rule (none falls back to "any packet")', () => {
    expect([...ALL].filter((name) => !EXERCISE_RULES_FOR.includes(name))).toEqual([
      'counter-consistency',
      'liveness',
    ]);
  });
});
