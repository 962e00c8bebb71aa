import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * House rules that a compiler cannot check: model/ reads nothing from the world (virtual time,
 * seeded choices), no test is focused, and model/ does not import the layers above it.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function offenders(files: string[], pattern: RegExp): string[] {
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        pattern.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*')
          ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`]
          : [],
      ),
  );
}

const modelSources = tsFiles(join(root, 'model')).filter((f) => !f.endsWith('.test.ts'));

describe('tidy', () => {
  it('model/ uses no wall clock, timers or Math.random (use model/sim: VirtualClock, the schedule)', () => {
    expect(
      offenders(
        modelSources,
        /Math\.random|Date\.now\(|performance\.now\(|new Date\(|setTimeout\(|setInterval\(/,
      ),
    ).toEqual([]);
  });

  it('model/ imports nothing from properties/, cli/, regressions/, atf-ports/ or bench/', () => {
    expect(
      offenders(modelSources, /from ['"](\.\.\/)+(properties|cli|regressions|atf-ports|bench)\//),
    ).toEqual([]);
  });

  it('no focused test (.only) silences the rest of the suite', () => {
    const all = tsFiles(root).filter((f) => f.endsWith('.test.ts'));
    expect(offenders(all, /\b(it|test|describe)\.only\(/)).toEqual([]);
  });
});
