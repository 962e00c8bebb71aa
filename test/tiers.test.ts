import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startersImported } from './code-rules.ts';
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
    const faults: string[] = [];
    for (const file of tsFiles()) {
      const path = repoPath(file);
      if (!path.endsWith('.test.ts') || isToolTest(path)) continue;
      for (const starter of startersImported(path, source(file), STARTERS))
        faults.push(`${path} -> ${starter}`);
    }
    expect(faults).toEqual([]);
  });

  it('an import of a starter is found, by bare name or through a relative path', () => {
    const text = `import { spawn } from 'node:child_process';\nimport { main } from '../cli/fuzz.ts';\nimport { x } from './y.ts';\n`;
    expect(startersImported('harness/x.test.ts', text, STARTERS)).toEqual([
      'node:child_process',
      'cli/fuzz.ts',
    ]);
    expect(startersImported('harness/x.test.ts', `import { z } from '../model/z.ts';\n`, STARTERS)).toEqual(
      [],
    );
  });
});
