import { describe, expect, it } from 'vitest';
import { DESCRIBE_CHARS_MAX, describeThrown, describeValue, escapeControls } from './policy-describe.ts';

describe('describing a policy answer: one bounded line that never throws', () => {
  it('escapes C0 controls and DEL, keeps everything else', () => {
    expect(escapeControls('a\x1b[2Jb\x7f\x00\x1f ~é')).toBe('a\\x1b[2Jb\\x7f\\x00\\x1f ~é');
    expect(escapeControls(' !')).toBe(' !');
  });

  it('prints each type of value', () => {
    expect(describeValue(3)).toBe('3');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(true)).toBe('true');
    expect(describeValue('cpu0')).toBe('"cpu0"');
    expect(describeValue(12n)).toBe('12n');
    expect(describeValue(Symbol('x'))).toBe('Symbol(x)');
    expect(describeValue(Symbol())).toBe('Symbol()');
    expect(describeValue(null)).toBe('null');
    expect(describeValue({ n: 1 })).toBe('{"n":1}');
    // A function prints as its source text, however the test file was compiled.
    const fn = () => 1;
    expect(describeValue(fn)).toBe(String(fn));
  });

  it('falls back to the tag when JSON cannot print an object', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('[object Object]');
    // Its own toString is not called: only a function's source is printed.
    cyclic.toString = () => 'mine';
    expect(describeValue(cyclic)).toBe('[object Object]');
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(describeValue(revoked.proxy)).toBe('an object');
    const fn = Proxy.revocable(() => 1, {});
    fn.revoke();
    expect(describeValue(fn.proxy)).toBe('a function');
  });

  it(`caps a long value at ${DESCRIBE_CHARS_MAX} characters with an ellipsis, exactly at the limit unchanged`, () => {
    const fits = 'x'.repeat(DESCRIBE_CHARS_MAX - 2);
    expect(describeValue(fits)).toBe(`"${fits}"`);
    const long = describeValue('y'.repeat(DESCRIBE_CHARS_MAX - 1));
    expect(long).toBe(`"${'y'.repeat(DESCRIBE_CHARS_MAX - 4)}...`);
    expect(long).toHaveLength(DESCRIBE_CHARS_MAX);
    // A megabyte of controls: cut before escaping, so the work stays bounded; still one capped line.
    const huge = describeValue(Symbol('\x01'.repeat(10 ** 6)));
    expect(huge).toBe(`Symbol(${'\\x01'.repeat(27)}\\x...`);
    expect(describeValue(10n ** 200n)).toHaveLength(DESCRIBE_CHARS_MAX);
    expect(describeValue(Symbol('s'.repeat(200)))).toHaveLength(DESCRIBE_CHARS_MAX);
    expect(describeValue([1, 2, 3].map(() => 'z'.repeat(60)))).toHaveLength(DESCRIBE_CHARS_MAX);
  });

  it('names an Error by name and message, and survives one whose getters throw', () => {
    expect(describeThrown(new RangeError('no CPUs to spare'))).toBe('RangeError: no CPUs to spare');
    expect(describeThrown('plain')).toBe('"plain"');
    const bad = new Error('x');
    Object.defineProperty(bad, 'message', {
      get() {
        throw new Error('boom');
      },
    });
    expect(describeThrown(bad)).toBe('a value whose name or message threw');
  });
});
