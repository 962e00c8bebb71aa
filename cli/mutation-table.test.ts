import { describe, expect, it } from 'vitest';
import {
  fileRows,
  folderRows,
  isAsked,
  markdownTable,
  mergeTable,
  parseTableRows,
  scorePercent,
  TABLE_END,
  TABLE_START,
} from './mutation-table.ts';

const report = {
  files: {
    'properties/b.ts': { mutants: [{ status: 'Killed' }, { status: 'Survived' }, { status: 'Ignored' }] },
    'properties/a.ts': {
      mutants: [
        { status: 'Killed' },
        { status: 'Timeout' },
        { status: 'NoCoverage' },
        { status: 'CompileError' },
      ],
    },
  },
};

describe('mutation table', () => {
  it('counts by status per file, in path order, and scores as Stryker does', () => {
    const rows = fileRows(report);
    expect(rows).toEqual([
      { file: 'properties/a.ts', killed: 1, timeout: 1, survived: 0, noCoverage: 1 },
      { file: 'properties/b.ts', killed: 1, timeout: 0, survived: 1, noCoverage: 0 },
    ]);
    expect(scorePercent(rows[0] as never)).toBeCloseTo(66.67, 2);
    expect(scorePercent({ killed: 0, timeout: 0, survived: 0, noCoverage: 0 })).toBe(100);
  });

  it('prints a dated table with a total row', () => {
    const text = markdownTable(fileRows(report), '2026-12-04');
    expect(text).toContain('Measured 2026-12-04');
    expect(text).toContain('| `properties/a.ts` | 66.7% | 1 | 1 | 0 | 1 |');
    expect(text).toContain('| **all above** | 60.0% | 2 | 1 | 1 | 1 |');
  });

  it('sums the rows per folder below the file rows, which a later merge does not read as files', () => {
    const rows = [
      ...fileRows(report),
      { file: 'model/linux/rps.ts', killed: 9, timeout: 0, survived: 1, noCoverage: 0 },
    ];
    expect(folderRows(rows)).toEqual([
      { file: 'model/linux/', killed: 9, timeout: 0, survived: 1, noCoverage: 0 },
      { file: 'properties/', killed: 2, timeout: 1, survived: 1, noCoverage: 1 },
    ]);
    const doc = mergeTable('', rows, '2026-12-04');
    expect(doc).toContain('| **model/linux/** | 90.0% | 9 | 0 | 1 | 0 |');
    expect(doc).toContain('| **properties/** | 60.0% | 2 | 1 | 1 | 1 |');
    expect(parseTableRows(doc).map((r) => r.file)).toEqual([
      'model/linux/rps.ts',
      'properties/a.ts',
      'properties/b.ts',
    ]);
  });

  it('merges a new run into the table of a document: re-measured rows replace, others stay', () => {
    const first = mergeTable('# Strength\n', fileRows(report), '2026-12-01');
    expect(first).toContain(TABLE_START);
    const again = mergeTable(
      `${first}\nafter\n`,
      [{ file: 'properties/b.ts', killed: 2, timeout: 0, survived: 0, noCoverage: 0 }],
      '2026-12-04',
    );
    expect(parseTableRows(again)).toEqual([
      { file: 'properties/a.ts', killed: 1, timeout: 1, survived: 0, noCoverage: 1 },
      { file: 'properties/b.ts', killed: 2, timeout: 0, survived: 0, noCoverage: 0 },
    ]);
    expect(again).toContain('Measured 2026-12-04');
    expect(again.split(TABLE_END)).toHaveLength(2);
    expect(again.endsWith('after\n')).toBe(true);
  });

  it('merges only the files of the paths asked for (the incremental report keeps older files)', () => {
    expect(isAsked('model/linux/rps.ts', ['model/linux/rps.ts'])).toBe(true);
    expect(isAsked('model/linux/host.ts', ['model/linux/rps.ts'])).toBe(false);
    expect(isAsked('model/linux/host.ts', ['model/linux'])).toBe(true);
    expect(isAsked('model/linuxish.ts', ['model/linux'])).toBe(false);
    expect(isAsked('properties/ordering.ts', [])).toBe(true);
  });
});
