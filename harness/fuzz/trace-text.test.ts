import { describe, expect, it } from 'vitest';
import { cpuId, flowId, packetId, virtualNs } from '../../model/brand.ts';
import type { PolicyErrorEvent } from '../../model/trace.ts';
import { eventLabel } from './trace-text.ts';

const policyError = (error: PolicyErrorEvent['error'], message: string): PolicyErrorEvent => ({
  kind: 'policy-error',
  atNs: virtualNs(1000),
  pkt: packetId(0),
  flow: flowId(0),
  policy: 'p',
  error,
  message,
  cpu: cpuId(0),
});

describe('trace lines of a policy error', () => {
  it('a throw says "threw" once; other kinds name themselves before the message', () => {
    expect(eventLabel(policyError('threw', 'threw Error: bad bucket'))).toBe(
      'policy-error pkt 0 (flow 0) on cpu 0: p threw Error: bad bucket',
    );
    expect(eventLabel(policyError('threw', 'reading the answer threw Error: no cpu'))).toBe(
      'policy-error pkt 0 (flow 0) on cpu 0: p threw: reading the answer threw Error: no cpu',
    );
    expect(eventLabel(policyError('timed-out', 'no answer within 0.5 s'))).toBe(
      'policy-error pkt 0 (flow 0) on cpu 0: p timed-out: no answer within 0.5 s',
    );
  });
});
