/**
 * The one error shape of every fallible boundary: a value, or an error of a stated type (an
 * errno for the ATF substrate, a sentence for a refused configuration, a parse error ...).
 * Operating errors are values; assertions are for the model's own bookkeeping.
 */
export type Result<T, E> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

/**
 * The value of a result that must hold, for callers whose input is fixed or already checked
 * (tests, benchmarks, built-in scenarios): a refusal there is a programming error.
 */
export function unwrap<T, E>(result: Result<T, E>): T {
  if (result.ok) return result.value;
  throw new Error(`unexpected refusal: ${String(result.error)}`);
}

/** The error of a refused result, undefined for a value: what a CLI prints, what a test pins. */
export function errorOf<T, E>(result: Result<T, E>): E | undefined {
  return result.ok ? undefined : result.error;
}
