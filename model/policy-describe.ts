/**
 * Describing what a policy handed back, without trusting it: an answer, a field or a thrown value
 * may be a Proxy, carry throwing getters or a throwing toString, be a bigint or a symbol, or be
 * megabytes long. Every description here is one bounded line and never throws.
 */

/** Longest description of one value in a message. */
export const DESCRIBE_CHARS_MAX = 120;

/** C0 controls and DEL as `\x1b`: a policy's text must not drive the terminal. */
export function escapeControls(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}

function capped(text: string): string {
  const line = escapeControls(
    text.length > DESCRIBE_CHARS_MAX * 4 ? text.slice(0, DESCRIBE_CHARS_MAX * 4) : text,
  );
  return line.length <= DESCRIBE_CHARS_MAX ? line : `${line.slice(0, DESCRIBE_CHARS_MAX - 3)}...`;
}

function describeObject(x: object): string {
  try {
    const json = JSON.stringify(x);
    if (json !== undefined) return json;
  } catch {
    // cyclic, a throwing toJSON or getter, a revoked Proxy: fall back to its tag or source
  }
  try {
    return typeof x === 'function' ? String(x) : Object.prototype.toString.call(x);
  } catch {
    return typeof x === 'function' ? 'a function' : 'an object';
  }
}

/** One line for any value: `3`, `"cpu0"`, `1n`, `Symbol(x)`, `{"n":1}`, `[object Object]`. */
export function describeValue(x: unknown): string {
  switch (typeof x) {
    case 'string':
      return capped(JSON.stringify(x));
    case 'bigint':
      return capped(`${x.toString()}n`);
    case 'symbol':
      return capped(x.description === undefined ? 'Symbol()' : `Symbol(${x.description})`);
    case 'object':
      return x === null ? 'null' : capped(describeObject(x));
    case 'function':
      return capped(describeObject(x));
    default:
      return String(x);
  }
}

/** `RangeError: no CPUs to spare` for an Error, the value's description for anything else thrown. */
export function describeThrown(err: unknown): string {
  if (err instanceof DescribedThrow) return err.description;
  try {
    if (err instanceof Error) return capped(`${String(err.name)}: ${String(err.message)}`);
  } catch {
    return 'a value whose name or message threw';
  }
  return describeValue(err);
}

/**
 * A policy's thrown value, described where it was caught: inside the call, while the fuzz
 * watchdog still times it. A getter or Proxy trap on the thrown value that never returns is then a
 * stuck call the watchdog reports, not a hang after the call seemed to end.
 */
export class DescribedThrow extends Error {
  constructor(readonly description: string) {
    super(description);
  }
}
