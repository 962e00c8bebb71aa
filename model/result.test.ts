import { describe, expect, it } from 'vitest';
import { err, errorOf, ok, type Result, unwrap } from './result.ts';

describe('Result: operating errors are values', () => {
  it('carries a value or an error of the stated type', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(err('bad')).toEqual({ ok: false, error: 'bad' });
  });

  it('unwrap gives the value and throws the refusal with its text', () => {
    expect(unwrap(ok('v'))).toBe('v');
    const refused: Result<number, string> = err('flow 0: bad inet source address');
    expect(() => unwrap(refused)).toThrow('unexpected refusal: flow 0: bad inet source address');
    expect(() => unwrap(err(22))).toThrow(/^unexpected refusal: 22$/);
  });

  it('errorOf gives the error, undefined for a value', () => {
    expect(errorOf(err('no'))).toBe('no');
    expect(errorOf(ok(0))).toBeUndefined();
  });
});
