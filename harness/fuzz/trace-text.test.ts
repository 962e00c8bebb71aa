import { describe, expect, it } from 'vitest';
import { policyError, reassembled } from '../../properties/test/trace-builder.ts';
import { eventLabel, kindAndMessage } from './trace-text.ts';

describe('trace lines', () => {
  it('name a policy error kind once when its message opens with it', () => {
    const threw = policyError({
      pkt: 2,
      flow: 1,
      cpu: 0,
      policy: 'thrower',
      error: 'threw',
      message: 'threw Error: threw',
    });
    expect(eventLabel(threw)).toBe('policy-error pkt 2 (flow 1) on cpu 0: thrower threw Error: threw');
    const odd = policyError({
      policy: 'p',
      error: 'cpu-not-integer',
      message: 'answered cpu undefined, want an integer',
    });
    expect(eventLabel(odd)).toBe(
      'policy-error pkt 0 (flow 0) on cpu 0: p cpu-not-integer: answered cpu undefined, want an integer',
    );
    // Only a whole first word counts: `threw-later` is a kind of its own.
    expect(kindAndMessage('threw', 'threw-later work')).toBe('threw: threw-later work');
    expect(kindAndMessage('threw', 'reading the answer threw 1')).toBe('threw: reading the answer threw 1');
  });

  it('group the digits of a reassembled datagram id', () => {
    expect(eventLabel(reassembled({ pkt: 1_000_000_000 }))).toMatch(/^reassembled pkt 1,000,000,000 /);
  });
});
