import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST_IMPORT_KEY } from './import-module.ts';
import {
  COMPILED_CODE_KEPT,
  compiledCodeName,
  loadWorkerScript,
  pruneCompiledCode,
} from './worker-script.ts';

/**
 * A cache directory of the user's own, and `copy(text)`: the script written to a new path. V8 keeps
 * what an isolate compiled by source and name, so loading the same path twice in this thread would
 * take the isolate's own copy and never consult the cached code: each load here gets a fresh name,
 * as each fuzz worker is a fresh isolate.
 */
function setup(source: string) {
  const root = mkdtempSync(join(tmpdir(), 'worker-script-'));
  const cache = join(root, 'cache');
  let copies = 0;
  const copy = (text = source) => {
    const file = join(root, `bundle-${copies++}.cjs`);
    writeFileSync(file, text);
    return file;
  };
  return { root, cache, copy, env: { NETSTACK_POLICY_CACHE: cache } };
}

// Enough functions that V8 has code worth keeping after they ran.
const SOURCE = `const add = (a, b) => a + b;\nfunction twice(f, x) { return f(f(x, 1), 1); }\nexports.value = twice(add, 40);\nexports.dir = __dirname;\n`;

describe('the fuzz worker script with V8 code cache', () => {
  it('compiles without cache once, keeps its code, and the next load takes it', () => {
    const { cache, copy, env, root } = setup(SOURCE);
    const first = loadWorkerScript(copy(), env);
    expect(first.exports).toEqual({ value: 42, dir: root });
    expect(first.compiledWithoutCache).toBe(true);
    first.keepCompiledCode();
    expect(readdirSync(cache)).toEqual([compiledCodeName(SOURCE)]);
    const second = loadWorkerScript(copy(), env);
    expect(second.compiledWithoutCache).toBe(false);
    expect(second.exports).toEqual({ value: 42, dir: root });
    // Taken, not rewritten.
    second.keepCompiledCode();
    expect(readdirSync(cache)).toEqual([compiledCodeName(SOURCE)]);
  });

  it('never runs old code for a changed script of the same length: each text has its own entry', () => {
    const { cache, copy, env } = setup('exports.value = 1;\n');
    loadWorkerScript(copy(), env).keepCompiledCode();
    const changed = loadWorkerScript(copy('exports.value = 2;\n'), env);
    expect(changed.exports).toEqual({ value: 2 });
    expect(changed.compiledWithoutCache).toBe(true);
    changed.keepCompiledCode();
    expect(readdirSync(cache).sort()).toEqual(
      [compiledCodeName('exports.value = 1;\n'), compiledCodeName('exports.value = 2;\n')].sort(),
    );
  });

  it('a damaged entry is rejected by V8: compiled as before, then replaced', () => {
    const { cache, copy, env } = setup(SOURCE);
    loadWorkerScript(copy(), env);
    writeFileSync(join(cache, compiledCodeName(SOURCE)), 'not code at all');
    const loaded = loadWorkerScript(copy(), env);
    expect(loaded.exports).toEqual(expect.objectContaining({ value: 42 }));
    expect(loaded.compiledWithoutCache).toBe(true);
    loaded.keepCompiledCode();
    expect(loadWorkerScript(copy(), env).compiledWithoutCache).toBe(false);
  });

  it('NETSTACK_POLICY_CACHE=off: nothing read or written', () => {
    const { root, copy } = setup(SOURCE);
    const loaded = loadWorkerScript(copy(), { NETSTACK_POLICY_CACHE: 'off' });
    loaded.keepCompiledCode();
    expect(loaded.exports).toEqual(expect.objectContaining({ value: 42 }));
    expect(readdirSync(root)).toEqual(['bundle-0.cjs']);
  });

  it('a cache directory open to others is not used', () => {
    const { cache, copy } = setup(SOURCE);
    const open = `${cache}-open`;
    loadWorkerScript(copy(), { NETSTACK_POLICY_CACHE: open });
    chmodSync(open, 0o777);
    const loaded = loadWorkerScript(copy(), { NETSTACK_POLICY_CACHE: open });
    loaded.keepCompiledCode();
    expect(readdirSync(open)).toEqual([]);
  });

  it('lends the script an import(): code run from cache imports through it', async () => {
    const source = `exports.load = () => globalThis[Symbol.for(${JSON.stringify(HOST_IMPORT_KEY)})]('node:path');\n`;
    const { copy, env } = setup(source);
    loadWorkerScript(copy(), env).keepCompiledCode();
    const cached = loadWorkerScript(copy(), env);
    expect(cached.compiledWithoutCache).toBe(false);
    const path = (await (cached.exports.load as () => Promise<{ sep: string }>)()).sep;
    expect(path).toBe('/');
  });

  it('names an entry by the digest of the Node version, the architecture and the text', () => {
    const digest = createHash('sha256')
      .update(`${process.version}\0${process.arch}\0${SOURCE}`)
      .digest('hex');
    expect(compiledCodeName(SOURCE)).toBe(`worker-${digest.slice(0, 40)}.v8code`);
  });

  it('names the code of a worker under compiler flags apart, and as before without them', () => {
    expect(compiledCodeName(SOURCE, '')).toBe(compiledCodeName(SOURCE));
    expect(compiledCodeName(SOURCE, '--no-turbo-inlining')).not.toBe(compiledCodeName(SOURCE));
    expect(compiledCodeName(SOURCE, '--no-turbo-inlining')).toMatch(/^worker-[0-9a-f]{40}\.v8code$/);
  });

  it('keeps and finds the code of a tuned worker under its own name', () => {
    const { cache, copy, env } = setup(SOURCE);
    loadWorkerScript(copy(), env, '--flags').keepCompiledCode();
    expect(readdirSync(cache)).toEqual([compiledCodeName(SOURCE, '--flags')]);
    expect(loadWorkerScript(copy(), env, '--flags').compiledWithoutCache).toBe(false);
    expect(loadWorkerScript(copy(), env).compiledWithoutCache).toBe(true);
  });

  it('names the text and its UTF-8 bytes alike, a text beyond ASCII too', () => {
    for (const text of [SOURCE, 'exports.name = "netisr — ½";\n'])
      expect(compiledCodeName(Buffer.from(text, 'utf8'))).toBe(compiledCodeName(text));
    expect(compiledCodeName(Buffer.from('a', 'utf8'))).not.toBe(compiledCodeName('b'));
  });

  it('keeps the code once, only when it compiled without cache, readable by the user alone', () => {
    const { cache, copy, env } = setup(SOURCE);
    const entry = join(cache, compiledCodeName(SOURCE));
    const fresh = loadWorkerScript(copy(), env);
    fresh.keepCompiledCode();
    expect(statSync(entry).mode & 0o777).toBe(0o600);
    unlinkSync(entry);
    fresh.keepCompiledCode();
    expect(existsSync(entry)).toBe(false);
    fresh.keepCompiledCode();
    loadWorkerScript(copy(), env).keepCompiledCode();
    const cached = loadWorkerScript(copy(), env);
    expect(cached.compiledWithoutCache).toBe(false);
    unlinkSync(entry);
    cached.keepCompiledCode();
    expect(existsSync(entry)).toBe(false);
  });

  it('with no cache directory, keeping writes nothing, not even where it runs', () => {
    // The working directory is read, not changed (a worker thread cannot change it: Stryker's
    // runs). A text of this test's own names every file its code could be kept in, and a partial
    // write names this process: none exists before, so none may exist after.
    const text = `${SOURCE}// kept nowhere\n`;
    const { copy } = setup(text);
    const digest = compiledCodeName(text).slice('worker-'.length, 'worker-'.length + 40);
    const partial = new RegExp(`\\.${process.pid}\\.\\d+\\.partial$`);
    const strays = () =>
      readdirSync(process.cwd()).filter((name) => name.includes(digest) || partial.test(name));
    for (const name of strays()) unlinkSync(join(process.cwd(), name));
    loadWorkerScript(copy(), { NETSTACK_POLICY_CACHE: 'off' }).keepCompiledCode();
    const left = strays();
    for (const name of left) unlinkSync(join(process.cwd(), name));
    expect(left).toEqual([]);
  });

  it('keeps the newest entries only', () => {
    const { cache } = setup('');
    mkdirSync(cache);
    const names = Array.from(
      { length: COMPILED_CODE_KEPT + 2 },
      (_, i) => `worker-${String(i).repeat(40).slice(0, 40)}.v8code`,
    );
    names.forEach((name, i) => {
      writeFileSync(join(cache, name), '');
      utimesSync(join(cache, name), 1000 + i, 1000 + i);
    });
    writeFileSync(join(cache, 'other.json'), '{}');
    const lookalike = `old-${names[0]}`;
    writeFileSync(join(cache, lookalike), '');
    utimesSync(join(cache, lookalike), 1, 1);
    pruneCompiledCode(cache);
    expect(readdirSync(cache).sort()).toEqual([...names.slice(2), 'other.json', lookalike].sort());
    expect(existsSync(join(cache, names[0] ?? ''))).toBe(false);
  });
});
