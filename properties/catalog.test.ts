import { describe, expect, it } from 'vitest';
import { PROPERTY_NAMES, PROPERTY_SUMMARIES, summaryOf } from './catalog.ts';
import { PROPERTIES } from './index.ts';

describe('the property catalog, as the command main thread reads it', () => {
  it('names every property the workers run, in report order, with the summary its spec carries', () => {
    expect(PROPERTY_SUMMARIES).toEqual(PROPERTIES.map((p) => ({ name: p.name, summary: p.summary })));
    expect(PROPERTY_NAMES).toEqual(PROPERTIES.map((p) => p.name));
    expect(new Set(PROPERTY_NAMES).size).toBe(PROPERTY_NAMES.length);
  });

  it('answers a summary by name, and refuses a name it does not list', () => {
    expect(summaryOf('stack-depth')).toBe(
      "every thread's deepest stack stays within KSTACK_PAGES x PAGE_SIZE",
    );
    expect(summaryOf('linux-kernel-version')).toBe(PROPERTIES.at(-1)?.summary);
    expect(() => summaryOf('bucket-affinity')).toThrow(
      'properties/catalog.ts: no property "bucket-affinity"',
    );
  });
});
