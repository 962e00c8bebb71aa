import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../model/trace.ts';
import type { ModelVariant } from '../../model/variants.ts';
import { bucketAffinity } from '../../properties/bucket-affinity.ts';
import { PROPERTIES } from '../../properties/index.ts';
import { reassemblyBounded } from '../../properties/reassembly-bounded.ts';
import { reassemblyContinuation } from '../../properties/reassembly-continuation.ts';
import { reassemblyCpu } from '../../properties/reassembly-cpu.ts';
import { fragmentFlowOrder } from '../../properties/reassembly-flow-order.ts';
import { datagramIntact } from '../../properties/reassembly-intact.ts';
import type { PropertySpec } from '../../properties/registry.ts';
import { formatViolation, type Violation } from '../../properties/violation.ts';
import {
  type FragmentWorkloadConstraints,
  fragmentWorkloadArb,
  type ReassConfigConstraints,
  reassConfigArb,
} from '../arbitraries/reassembly.ts';
import { scheduleArb } from '../arbitraries/schedule.ts';
import { fcRuns } from '../fc-runs.ts';
import { type ReassemblyCase, runReassembly } from '../reassembly-run.ts';

/** Every suite property (PROPERTIES holds five of the six) and bucket-affinity, on every run. */
const ALL = [...PROPERTIES, bucketAffinity];

const check = (trace: Trace, props: readonly PropertySpec[]): Violation[] =>
  props.flatMap((p) => p.check(trace));

const caseArb = (
  cfg: ReassConfigConstraints = {},
  wl: FragmentWorkloadConstraints = {},
): fc.Arbitrary<ReassemblyCase> =>
  fc.record({
    config: reassConfigArb(cfg),
    workload: fragmentWorkloadArb(wl),
    schedule: scheduleArb({ choicesMax: 64 }),
  });

describe('reassembly properties on the reference model', () => {
  it('hold for generated fragment streams, hosts and schedules', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const found = check(runReassembly(c), ALL);
        if (found.length > 0)
          throw new Error(
            found
              .slice(0, 3)
              .map((v) => `${v.property}: ${formatViolation(v)}`)
              .join('\n'),
          );
      }),
    );
  });

  it('generates streams that reach every outcome: reassembled, timed out, dropped, re-injected', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(caseArb({ kernels: ['freebsd-rss'] }), (c) => {
        for (const ev of runReassembly(c)) {
          if (ev.kind === 'reassembled') seen.add(`reassembled ${ev.family} ${ev.continuation}`);
          if (ev.kind === 'drop' && ev.where === 'reassembly') seen.add(ev.counter);
        }
      }),
      { numRuns: 30, seed: 4 },
    );
    for (const want of [
      'reassembled inet reinject',
      'reassembled inet6 reinject',
      'reassembled inet6 inline',
      'ips_fragdropped',
      'ips_fragtimeout',
      'ip6s_fragdropped',
      'ip6s_fragtimeout',
      'icp6s_error',
    ]) {
      expect(seen, want).toContain(want);
    }
  });
});

/** A variant and the property that must catch it, with the constraints that make it reachable. */
const TEETH: readonly {
  readonly variant: ModelVariant;
  readonly property: PropertySpec;
  readonly rule: string;
  readonly cfg?: ReassConfigConstraints;
  readonly wl?: FragmentWorkloadConstraints;
}[] = [
  {
    variant: 'rss-soft-hash-ignores-fragment',
    property: reassemblyCpu,
    rule: 'F-29',
    cfg: { kernels: ['freebsd-rss'] },
    wl: { ipProtos: [6] },
  },
  {
    variant: 'reass-key-without-proto',
    property: datagramIntact,
    rule: 'F-2',
    cfg: { kernels: ['freebsd'] },
    wl: { ipProtos: [6, 17], flowsMin: 2, flowsMax: 2, v4SourcesMax: 1, noise: false },
  },
  { variant: 'frag6-overlap-trim', property: datagramIntact, rule: 'RFC5722' },
  {
    variant: 'reass-no-reinject',
    property: reassemblyContinuation,
    rule: 'F-27',
    cfg: { kernels: ['freebsd-rss'] },
    wl: { ipProtos: [6] },
  },
  { variant: 'nic-wrong-rx-ring', property: bucketAffinity, rule: 'R-6', cfg: { kernels: ['freebsd-rss'] } },
  { variant: 'rss-udp-4tuple-default', property: fragmentFlowOrder, rule: 'R-11', wl: { ipProtos: [17] } },
  { variant: 'reass-no-fragsperpacket-limit', property: reassemblyBounded, rule: 'F-17' },
];

describe('each reassembly property has teeth', () => {
  for (const t of TEETH) {
    it(`${t.property.name} catches ${t.variant} (${t.rule})`, () => {
      const out = fc.check(
        fc.property(
          caseArb(t.cfg, t.wl),
          (c) => t.property.check(runReassembly(c, [t.variant])).length === 0,
        ),
        { numRuns: fcRuns() * 5, seed: 1, endOnFailure: true },
      );
      expect(out.failed, `${t.variant} not caught in ${out.numRuns} runs`).toBe(true);
      const counterexample = out.counterexample?.[0];
      if (counterexample === undefined || counterexample === null) throw new Error('no counterexample');
      const found = t.property.check(runReassembly(counterexample, [t.variant]));
      expect(found.map((v) => v.rule)).toContain(t.rule);
      // The same counterexample passes on the reference model: the variant is what breaks it.
      expect(check(runReassembly(counterexample), [t.property])).toEqual([]);
    });
  }
});
