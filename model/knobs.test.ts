import { describe, expect, it } from 'vitest';
import { type KnobSpec, knobDefaults, knobError } from './knobs.ts';

const pages: KnobSpec = { default: 4, unit: 'pages', source: 'sys/amd64/include/param.h', min: 1, max: 16 };
const unbounded: KnobSpec = { default: 0, unit: 'packets', source: 'x' };
const flag: KnobSpec = { default: false, unit: 'boolean', source: 'x' };
const mode: KnobSpec = {
  default: 'direct',
  unit: 'policy',
  source: 'x',
  values: ['direct', 'hybrid', 'deferred'],
};
const free: KnobSpec = { default: 'any', unit: 'name', source: 'x' };

describe('knob tables: defaults and the kernel bounds', () => {
  it('collects the defaults of a table', () => {
    expect(knobDefaults({ 'kern.kstack_pages': pages, 'net.isr.dispatch': mode })).toEqual({
      'kern.kstack_pages': 4,
      'net.isr.dispatch': 'direct',
    });
  });

  it('accepts an integer within bounds, inclusive', () => {
    for (const v of [1, 4, 16]) expect(knobError('kern.kstack_pages', pages, v)).toBeUndefined();
    expect(knobError('q', unbounded, -5)).toBeUndefined();
    expect(knobError('q', unbounded, 1e9)).toBeUndefined();
  });

  it('names the knob, the bound and the unit when a number is refused', () => {
    expect(knobError('kern.kstack_pages', pages, 0)).toBe('kern.kstack_pages must be >= 1 pages');
    expect(knobError('kern.kstack_pages', pages, 17)).toBe('kern.kstack_pages must be <= 16 pages');
    expect(knobError('kern.kstack_pages', pages, 2.5)).toBe('kern.kstack_pages must be an integer (pages)');
    expect(knobError('kern.kstack_pages', pages, '4')).toBe('kern.kstack_pages must be an integer (pages)');
    expect(knobError('kern.kstack_pages', pages, Number.NaN)).toBe(
      'kern.kstack_pages must be an integer (pages)',
    );
  });

  it('checks booleans and enumerated strings', () => {
    expect(knobError('f', flag, true)).toBeUndefined();
    expect(knobError('f', flag, 1)).toBe('f must be true or false');
    expect(knobError('net.isr.dispatch', mode, 'hybrid')).toBeUndefined();
    expect(knobError('net.isr.dispatch', mode, 'sometimes')).toBe(
      'net.isr.dispatch must be one of direct, hybrid, deferred',
    );
    expect(knobError('net.isr.dispatch', mode, 3)).toBe('net.isr.dispatch must be a string');
    expect(knobError('n', free, 'whatever')).toBeUndefined();
  });
});
