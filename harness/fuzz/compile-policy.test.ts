import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCompiledPolicy } from './compile-policy.ts';
import { loadPolicy } from './load-policy.ts';

describe('a TypeScript policy compiled in memory (compile-policy.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compile-policy-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('bundles the file with what it imports (here the model), types erased: the policy loads', async () => {
    const mod = await importCompiledPolicy('policies/flow-hash.ts');
    expect(mod?.default).toBeTypeOf('function');
    const loaded = await loadPolicy('policies/flow-hash.ts', () =>
      Promise.reject(new Error('no hooks needed')),
    );
    expect(loaded.ok && loaded.value.exportName).toBe('default');
  });

  it.each([
    [
      'reads import.meta',
      'export const where: string = import.meta.url;\nexport default { name: "m", place: () => ({ cpu: 0, mode: "queue" }) };',
    ],
    [
      'imports a package',
      'import fc from "fast-check";\nexport default { name: fc ? "p" : "q", place: () => ({ cpu: 0, mode: "queue" }) };',
    ],
  ])('leaves a file that %s to the loader', async (what, text) => {
    const file = write(`${what.replaceAll(' ', '-')}.ts`, text);
    expect(await importCompiledPolicy(file)).toBeUndefined();
    let registered = 0;
    // The fuzz worker registers the hooks then; here (tsx already present) the import goes ahead.
    await loadPolicy(file, async () => {
      registered++;
    });
    expect(registered).toBe(1);
  });

  it('answers a syntax error in the file itself as esbuild words it, without the loader', async () => {
    const file = write('does-not-compile.ts', 'export default { name: "broken", place( {\n');
    await expect(importCompiledPolicy(file)).rejects.toThrow(
      /ERROR: Expected identifier but found end of file/,
    );
    let registered = 0;
    const loaded = await loadPolicy(file, async () => {
      registered++;
    });
    expect(registered).toBe(0);
    expect(loaded.ok ? '' : loaded.error).toMatch(
      /^policy file .*does-not-compile\.ts does not load: syntax error: line 2:0: Expected identifier but found end of file$/,
    );
  });

  it('leaves an import it cannot resolve to the loader, syntax errors in imported files too', async () => {
    write('broken-helper.ts', 'export const x = (;\n');
    for (const [name, text] of [
      [
        'imports-missing.ts',
        'import { y } from "./nowhere.ts";\nexport default { name: y, place: () => ({ cpu: 0, mode: "queue" }) };',
      ],
      [
        'imports-broken.ts',
        'import { x } from "./broken-helper.ts";\nexport default { name: String(x), place: () => ({ cpu: 0, mode: "queue" }) };',
      ],
    ] as const) {
      expect(await importCompiledPolicy(write(name, text))).toBeUndefined();
    }
  });
});
