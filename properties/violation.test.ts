import { describe, expect, it } from 'vitest';
import { formatViolation } from './violation.ts';

describe('formatViolation', () => {
  it('rule, message and the trace events that show it', () => {
    const v = {
      property: 'flow-order',
      rule: 'N-20',
      events: [88, 91],
      message: 'got seq 5 before seq 4',
    } as const;
    expect(formatViolation(v)).toBe('N-20: got seq 5 before seq 4 (trace events #88, #91)');
    expect(formatViolation({ ...v, events: [3] })).toBe('N-20: got seq 5 before seq 4 (trace events #3)');
  });

  it('no events: no event list', () => {
    expect(formatViolation({ property: 'liveness', rule: 'INV-PROGRESS', events: [], message: 'm' })).toBe(
      'INV-PROGRESS: m',
    );
  });
});
