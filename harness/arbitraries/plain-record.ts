import fc from 'fast-check';

/**
 * `fc.record(model)` as plain objects. fast-check's record draws its fields in key order, then a
 * coin that gives half of its values a null prototype: objects V8 keeps as hash tables, slow to
 * build and to read, for draws a map reads once and drops. This draws the same fields and the
 * same coin, so the random stream and the shrinks stay as they were, and builds an ordinary
 * object. Only for values the arbitraries fold into a case: a null prototype shows in fc.stringify.
 */
export function plainRecord<T extends object>(
  model: { [K in keyof T]: fc.Arbitrary<T[K]> },
): fc.Arbitrary<T> {
  const keys = Object.keys(model) as (keyof T)[];
  const fields = keys.map((k) => model[k] as fc.Arbitrary<unknown>);
  return fc.tuple(...fields, fc.boolean()).map((values) => {
    const out: Partial<T> = {};
    for (let i = 0; i < keys.length; i++) out[keys[i] as keyof T] = values[i] as T[keyof T];
    return out as T;
  });
}
