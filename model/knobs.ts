/**
 * A tunable as the kernel declares it: sysctl name as the table key, the kernel default,
 * the bounds the kernel enforces, the unit, and the source that defines it. Each model folder
 * declares its knobs once in such a table; config types, defaults, CLI checks and fast-check
 * ranges all derive from the tables.
 */
export interface KnobSpec {
  readonly default: number | string | boolean;
  readonly unit: string;
  /** Kernel file and function that defines the knob and its default. */
  readonly source: string;
  readonly min?: number;
  readonly max?: number;
  /** For string knobs: the values the kernel accepts. */
  readonly values?: readonly string[];
  readonly doc?: string;
}

export type KnobTable = Readonly<Record<string, KnobSpec>>;

/** The value type of one knob, derived from its default. */
export type KnobValue<S extends KnobSpec> = S['default'] extends number
  ? number
  : S['default'] extends boolean
    ? boolean
    : S['values'] extends readonly (infer V)[]
      ? V
      : string;

/** The settings object of a table: `{ 'net.isr.maxthreads': number, ... }`. */
export type KnobValues<T extends KnobTable> = { -readonly [K in keyof T]: KnobValue<T[K]> };

/** The defaults of a table as a settings object. */
export function knobDefaults<T extends KnobTable>(table: T): KnobValues<T> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) out[name] = spec.default;
  return out as KnobValues<T>;
}

/**
 * Checks one value against its spec; answers an error sentence or undefined. Used by the CLI
 * (bad flag values exit 2) and by config resolution, never by the hot path.
 */
export function knobError(name: string, spec: KnobSpec, value: unknown): string | undefined {
  if (typeof spec.default === 'number') {
    if (typeof value !== 'number' || !Number.isInteger(value))
      return `${name} must be an integer (${spec.unit})`;
    if (spec.min !== undefined && value < spec.min) return `${name} must be >= ${spec.min} ${spec.unit}`;
    if (spec.max !== undefined && value > spec.max) return `${name} must be <= ${spec.max} ${spec.unit}`;
    return undefined;
  }
  if (typeof spec.default === 'boolean') {
    return typeof value === 'boolean' ? undefined : `${name} must be true or false`;
  }
  if (typeof value !== 'string') return `${name} must be a string`;
  if (spec.values && !spec.values.includes(value)) return `${name} must be one of ${spec.values.join(', ')}`;
  return undefined;
}
