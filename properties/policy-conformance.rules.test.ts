import { describe, expect, it } from 'vitest';
import { checkPolicyConformance, POLICY_ERROR_KINDS, policyConformance } from './policy-conformance.ts';
import { arrive, policyError, withHole } from './test/trace-builder.ts';
import { VIOLATIONS_MAX } from './violation.ts';

const message = 'policy p on packet 3 (flow 2, cpu 1): m';

describe('policy-conformance rules (policy:<kind>)', () => {
  it('an empty trace passes; arrivals alone pass', () => {
    expect(checkPolicyConformance([])).toEqual([]);
    expect(checkPolicyConformance([arrive({ pkt: 3 })])).toEqual([]);
  });

  it('each policy error is a violation of its own kind, naming the arrival when there is one', () => {
    const err = policyError({ pkt: 3, flow: 2, cpu: 1, error: 'cpu-out-of-range' });
    expect(checkPolicyConformance([arrive({ pkt: 3 }), err])).toEqual([
      { property: 'policy-conformance', rule: 'policy:cpu-out-of-range', events: [0, 1], message },
    ]);
    expect(checkPolicyConformance([arrive({ pkt: 4 }), err])).toEqual([
      { property: 'policy-conformance', rule: 'policy:cpu-out-of-range', events: [1], message },
    ]);
  });

  it('a reassembled datagram is named by its id with digits grouped', () => {
    const [v] = checkPolicyConformance([policyError({ pkt: 1_000_000_000, flow: 0, cpu: 0 })]);
    expect(v?.message).toBe('policy p on packet 1,000,000,000 (flow 0, cpu 0): m');
  });

  it('every error kind has a rule', () => {
    expect(policyConformance.rules).toEqual(Object.keys(POLICY_ERROR_KINDS).map((k) => `policy:${k}`));
    expect(policyConformance.check).toBe(checkPolicyConformance);
  });

  it('a hole is skipped', () => {
    expect(checkPolicyConformance(withHole(policyError({ pkt: 3, flow: 2, cpu: 1 })))).toEqual([
      { property: 'policy-conformance', rule: 'policy:threw', events: [1], message },
    ]);
  });

  it(`reports at most VIOLATIONS_MAX (${VIOLATIONS_MAX})`, () => {
    const errs = Array.from({ length: VIOLATIONS_MAX + 1 }, (_, pkt) => policyError({ pkt }));
    expect(checkPolicyConformance(errs)).toHaveLength(VIOLATIONS_MAX);
  });
});
