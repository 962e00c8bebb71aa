import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  COMPILER_FLAGS_RUNS_MAX,
  compilerFlagsSource,
  FUZZ_V8_FLAGS,
  tunesCompiler,
  useFuzzCompilerFlags,
} from './compiler-flags.ts';

describe('the fuzz search compiler flags', () => {
  it('are flags this node knows (V8 takes an unknown one at run time without a word)', () => {
    expect(FUZZ_V8_FLAGS.length).toBeGreaterThan(0);
    for (const flag of FUZZ_V8_FLAGS) {
      const node = spawnSync(process.execPath, [flag, '-e', '0'], { encoding: 'utf8' });
      expect([node.status, node.stderr], flag).toEqual([0, '']);
    }
    const typo = spawnSync(process.execPath, ['--no-turbo-inlinning', '-e', '0'], { encoding: 'utf8' });
    expect(typo.status).not.toBe(0);
  });

  it('are set one by one, in process and by the source a worker runs first', () => {
    const set: string[] = [];
    useFuzzCompilerFlags((flag) => set.push(flag));
    expect(set).toEqual(FUZZ_V8_FLAGS);
    const required: string[] = [];
    const fromSource: string[] = [];
    const fakeRequire = (name: string) => {
      required.push(name);
      return { setFlagsFromString: (flag: string) => fromSource.push(flag) };
    };
    new Function('require', compilerFlagsSource())(fakeRequire);
    expect(fromSource).toEqual(FUZZ_V8_FLAGS);
    expect(new Set(required)).toEqual(new Set(['node:v8']));
  });
});

describe('which searches get them', () => {
  it('searches up to COMPILER_FLAGS_RUNS_MAX runs; longer ones, and --duration alone, keep the defaults', () => {
    expect(tunesCompiler(1)).toBe(true);
    expect(tunesCompiler(1000)).toBe(true);
    expect(tunesCompiler(COMPILER_FLAGS_RUNS_MAX)).toBe(true);
    expect(tunesCompiler(COMPILER_FLAGS_RUNS_MAX + 1)).toBe(false);
    expect(tunesCompiler(Number.POSITIVE_INFINITY)).toBe(false);
  });
});
