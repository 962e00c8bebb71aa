import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startersReached } from './code-rules.ts';
import { repoPath, root, source, tsFiles } from './source-files.ts';
import { isToolTest, STARTERS, TOOL_FILES } from './tiers.ts';

describe('the tiers (test/tiers.ts)', () => {
  it('every tool-tier file named outside the tool folders exists', () => {
    for (const file of TOOL_FILES) expect(existsSync(join(root, file)), file).toBe(true);
  });

  it('the tool tier is its folders and its named files, the core everything else', () => {
    expect(isToolTest('harness/fuzz/search.test.ts')).toBe(true);
    expect(isToolTest('live/kernel.test.ts')).toBe(true);
    expect(isToolTest('harness/test/teeth.test.ts')).toBe(false);
    expect(isToolTest('live/recorded.test.ts')).toBe(false);
  });

  it('no core test file imports what starts a process, a thread or a browser', () => {
    const sources = new Map(tsFiles().map((file) => [repoPath(file), source(file)]));
    const faults: string[] = [];
    for (const path of sources.keys()) {
      if (!path.endsWith('.test.ts') || isToolTest(path)) continue;
      for (const starter of startersReached(path, sources, STARTERS)) faults.push(`${path} -> ${starter}`);
    }
    expect(faults).toEqual([]);
  });

  it('a starter is found: a package imported by the test itself, a repository module through any chain', () => {
    const sources = new Map([
      ['harness/x.test.ts', `import { a } from './a.ts';\nimport { spawn } from 'node:child_process';\n`],
      ['harness/a.ts', `import { b } from './b.ts';\n`],
      [
        'harness/b.ts',
        `import { main } from '../cli/fuzz.ts';\nimport { Worker } from 'node:worker_threads';\n`,
      ],
      ['harness/y.test.ts', `import { b } from './b.ts';\n`],
      ['harness/z.test.ts', `import { z } from '../model/z.ts';\n`],
      ['model/z.ts', `export const z = 1;\n`],
    ]);
    // A package counts where the test imports it; a repository module through any chain.
    expect(startersReached('harness/x.test.ts', sources, STARTERS)).toEqual([
      'node:child_process',
      'cli/fuzz.ts',
    ]);
    expect(startersReached('harness/y.test.ts', sources, STARTERS)).toEqual(['cli/fuzz.ts']);
    expect(startersReached('harness/z.test.ts', sources, STARTERS)).toEqual([]);
  });
});
