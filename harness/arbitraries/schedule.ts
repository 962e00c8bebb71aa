import fc from 'fast-check';
import type { Schedule } from '../../model/sim/schedule.ts';

export interface ScheduleConstraints {
  /** Choices per schedule; past the end every choice is 0. @defaultValue 256 */
  readonly choicesMax?: number;
}

/**
 * Schedules: plain arrays of small integers, read as `choice % runnableCount` (model/sim/schedule.ts).
 * Any array is valid; shrinking removes choices and moves them toward 0, "the first runnable actor",
 * so a shrunk interleaving differs from the plain one only where it must.
 */
export function scheduleArb(c: ScheduleConstraints = {}): fc.Arbitrary<Schedule> {
  return fc.array(fc.nat({ max: 15 }), { maxLength: c.choicesMax ?? 256, size: 'max' });
}
