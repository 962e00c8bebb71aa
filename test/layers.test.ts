import { describe, expect, it } from 'vitest';
import { importLoops, isTestCode, layeringFaults, longFunctions } from './code-rules.ts';
import { repoPath, source, tsFiles } from './source-files.ts';

const tree = new Map(tsFiles().map((f) => [repoPath(f), source(f)]));
const productionCode = [...tree].filter(([path]) => !isTestCode(path));

describe('layers', () => {
  it('every import points down the layers (model -> live, properties, counters -> harness -> report -> cli, bench)', () => {
    expect(layeringFaults(tree)).toEqual([]);
  });

  it('no two files import each other, directly or through others', () => {
    expect(importLoops(tree)).toEqual([]);
  });

  it(`no function outside tests is longer than 70 lines`, () => {
    expect(productionCode.flatMap(([path, text]) => longFunctions(path, text))).toEqual([]);
  });
});

describe('layers: the checks have teeth', () => {
  it('a checker importing model code beyond the trace types is reported', () => {
    const wrong = new Map([
      [
        'properties/ordering.ts',
        "import { runHost } from '../model/host/run.ts';\nimport type { Trace } from '../model/trace.ts';",
      ],
    ]);
    expect(layeringFaults(wrong)).toEqual([
      expect.stringMatching(/^properties\/ordering\.ts -> model\/host\/run\.ts: properties\/ may import/),
    ]);
  });

  it('model/ importing the harness is reported; a test file doing the same is not', () => {
    const wrong = new Map([
      ['model/host/run.ts', "import { fcRuns } from '../../harness/fc-runs.ts';"],
      ['model/host/run.test.ts', "import { fcRuns } from '../../harness/fc-runs.ts';"],
    ]);
    expect(layeringFaults(wrong)).toEqual([
      expect.stringMatching(/^model\/host\/run\.ts -> harness\/fc-runs\.ts/),
    ]);
  });

  it('a loop of three files is reported once, as one component', () => {
    const loop = new Map([
      ['model/a.ts', "import { b } from './b.ts';"],
      ['model/b.ts', "import { c } from './c.ts';"],
      ['model/c.ts', "import type { A } from './a.ts';"],
      ['model/d.ts', "import { a } from './a.ts';"],
    ]);
    expect(importLoops(loop)).toEqual([['model/a.ts', 'model/b.ts', 'model/c.ts']]);
  });

  it('a 71-line function is reported with its name and length; a 70-line one is not', () => {
    const body = (n: number) => Array.from({ length: n - 2 }, (_, i) => `  const x${i} = ${i};`).join('\n');
    const text = `export function tooLong(): void {\n${body(71)}\n}\nconst fine = () => {\n${body(70)}\n};\n`;
    expect(longFunctions('model/x.ts', text)).toEqual(['model/x.ts:1 tooLong (71 lines)']);
  });
});
