import type { CounterReading } from './reading.ts';
import { tornReadAllowance } from './torn-read.ts';
import { behind32 } from './wrap32.ts';

/**
 * An identity `have >= want` read from a running kernel (U5, F-20): it holds, or the healthy
 * histories a snapshot cannot rule out explain the shortfall (a 32-bit counter that wrapped, a read
 * torn by drops in flight), or nothing explains it. Each fact in `reading` rules one history out.
 */
export type Bend = 'wrapped' | 'torn';

export type AtLeast =
  | { readonly holds: true }
  | {
      readonly holds: false;
      /** want - have, as printed. */
      readonly shortfall: bigint;
      /** How short a read taken while the counters move may be (0 when quiescent). */
      readonly allowance: bigint;
      /** The histories that explain it; empty when none does (a finding). */
      readonly explainedBy: readonly Bend[];
    };

export function readAtLeast(
  have: bigint,
  want: bigint,
  table: { readonly fitIn32: boolean },
  reading: CounterReading,
): AtLeast {
  const shortfall = want - have;
  if (shortfall <= 0n) return { holds: true };
  const allowance = tornReadAllowance(want, reading);
  const may32 = table.fitIn32 && !reading.counters64bit;
  const behind = may32 ? behind32(have, want) : shortfall;
  const bent = (explainedBy: readonly Bend[]): AtLeast => ({
    holds: false,
    shortfall,
    allowance,
    explainedBy,
  });
  if (may32 && behind === 0n) return bent(['wrapped']);
  if (shortfall <= allowance) return bent(['torn']);
  if (behind <= allowance) return bent(['wrapped', 'torn']);
  return bent([]);
}
