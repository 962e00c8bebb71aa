import type { Checker } from './violation.ts';

/**
 * A property as the suite names it: what the fuzz CLI runs (`--property NAME`) and what reports
 * cite. The checker is a pure function of a trace and passes vacuously on traces without the
 * events it reads. The list of all properties is a static array in properties/index.ts.
 */
export interface PropertySpec {
  readonly name: string;
  /** Rule ids from docs/reference that the property guards. */
  readonly rules: readonly string[];
  readonly summary: string;
  readonly check: Checker;
}
