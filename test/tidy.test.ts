import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, source, tsFiles } from './source-files.ts';

/**
 * House rules that a compiler cannot check: model/ reads nothing from the world (virtual time,
 * seeded choices) and no test is focused. The layering, file loops and function length are in
 * test/layers.test.ts.
 */
function offenders(files: string[], pattern: RegExp): string[] {
  return files.flatMap((file) =>
    source(file)
      .split('\n')
      .flatMap((line, i) =>
        pattern.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*')
          ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`]
          : [],
      ),
  );
}

/** `assert(...)` calls with a condition and a message built from a template literal. */
function eagerAssertMessages(text: string): string[] {
  const calls = text.match(/(?<!function )\bassert\((?!false,)[^;]*?\)(?=;)/gs) ?? [];
  return calls.filter((call) => /`[^`]*\$\{/.test(call)).map((call) => call.replace(/\s+/g, ' '));
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

  it('model/ formats an invariant message only when the invariant fails (if (!ok) assert(false, `...`))', () => {
    // A template literal handed to assert is formatted on every call, numbers to text, on every
    // packet of every run; the message matters only when the check fails.
    const eager = modelSources.flatMap((file) =>
      eagerAssertMessages(source(file)).map((at) => `${relative(root, file)}: ${at}`),
    );
    expect(eager).toEqual([]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    const sample = 'assert(x < 1, `over ${x}`);\nif (y) assert(false, `y ${y}`);\nassert(z, "fixed");';
    expect(eagerAssertMessages(sample)).toEqual([sample.slice(0, sample.indexOf(';'))]);
  });

  it('no focused test (.only) silences the rest of the suite', () => {
    const all = tsFiles(root).filter((f) => f.endsWith('.test.ts'));
    expect(offenders(all, /\b(it|test|describe)\.only\(/)).toEqual([]);
  });
});
