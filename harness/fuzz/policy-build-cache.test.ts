import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { importCompiledPolicy } from './compile-policy.ts';
import { policyBuildCache, sha256Of } from './policy-build-cache.ts';

describe('the build cache of TypeScript policies (policy-build-cache.ts)', () => {
  const base = mkdtempSync(join(tmpdir(), 'policy-cache-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  let n = 0;
  /** A fresh cache directory and policy directory per test. */
  const fresh = () => {
    n++;
    const cache = join(base, `cache-${n}`);
    const src = join(base, `src-${n}`);
    mkdirSync(src);
    const file = (name: string, text: string) => {
      writeFileSync(join(src, name), text);
      return join(src, name);
    };
    return { cache, file, env: { NETSTACK_POLICY_CACHE: cache } };
  };

  it('answers what was written while the file and its imports keep their content', () => {
    const { env, file } = fresh();
    const policy = file('p.ts', 'export default 1;');
    const helper = file('h.ts', 'export const h = 2;');
    const cache = policyBuildCache(env);
    expect(cache).toBeDefined();
    expect(cache?.read(policy)).toBeUndefined();
    cache?.write(policy, [policy, helper], 'CODE', sha256Of(policy));
    expect(policyBuildCache(env)?.read(policy)).toBe('CODE');
    file('h.ts', 'export const h = 3;');
    expect(cache?.read(policy)).toBeUndefined();
    cache?.write(policy, [policy, helper], 'CODE2', sha256Of(policy));
    expect(cache?.read(policy)).toBe('CODE2');
    file('p.ts', 'export default 2;');
    expect(cache?.read(policy)).toBeUndefined();
  });

  it('keeps nothing when the file changed while it was built', () => {
    const { env, file } = fresh();
    const policy = file('p.ts', 'export default 1;');
    const before = sha256Of(policy);
    file('p.ts', 'export default 2;');
    policyBuildCache(env)?.write(policy, [policy], 'OLD', before);
    expect(policyBuildCache(env)?.read(policy)).toBeUndefined();
  });

  it('a damaged or foreign entry, or a missing input, is a miss, never an error', () => {
    const { env, file, cache: dir } = fresh();
    const policy = file('p.ts', 'export default 1;');
    const other = file('q.ts', 'export default 2;');
    const cache = policyBuildCache(env);
    cache?.write(policy, [policy, join(dir, 'gone.ts')], 'CODE', sha256Of(policy));
    expect(cache?.read(policy)).toBeUndefined();
    cache?.write(other, [other], 'CODE', sha256Of(other));
    const [entry] = readdirSync(dir);
    expect(entry).toMatch(/^[0-9a-f]{40}\.json$/);
    for (const text of ['{', 'null', '{"format":1}', '{"format":2,"file":"x","inputs":[],"code":"c"}']) {
      writeFileSync(join(dir, entry as string), text);
      expect(cache?.read(other)).toBeUndefined();
    }
  });

  it('no cache when turned off, or in a directory others can write to', () => {
    const { env, cache } = fresh();
    expect(policyBuildCache({ NETSTACK_POLICY_CACHE: 'off' })).toBeUndefined();
    mkdirSync(cache, { mode: 0o700 });
    chmodSync(cache, 0o777);
    expect(policyBuildCache(env)).toBeUndefined();
    chmodSync(cache, 0o700);
    expect(policyBuildCache(env)).toBeDefined();
    const notADir = join(base, `file-${n}`);
    writeFileSync(notADir, '');
    expect(policyBuildCache({ NETSTACK_POLICY_CACHE: notADir })).toBeUndefined();
  });

  describe('through importCompiledPolicy', () => {
    const saved = process.env.NETSTACK_POLICY_CACHE;
    afterEach(() => {
      if (saved === undefined) delete process.env.NETSTACK_POLICY_CACHE;
      else process.env.NETSTACK_POLICY_CACHE = saved;
    });

    it('a policy built once is taken from the cache, and built again once edited', async () => {
      const { file, cache } = fresh();
      process.env.NETSTACK_POLICY_CACHE = cache;
      const text = (cpu: number) =>
        `import { q } from './q.ts';\nexport default { name: q, place: (): { cpu: number; mode: 'queue' } => ({ cpu: ${cpu}, mode: 'queue' }) };`;
      file('q.ts', "export const q: string = 'cached';");
      const policy = file('p.ts', text(0));
      const first = await importCompiledPolicy(policy);
      expect(readdirSync(cache)).toHaveLength(1);
      // The entry's code is what the next start runs: edited here, the edit shows.
      const [entry] = readdirSync(cache);
      const path = join(cache, entry as string);
      writeFileSync(path, readFileSync(path, 'utf8').replace('cpu: 0', 'cpu: 7'));
      const second = await importCompiledPolicy(policy);
      const place = (m: Record<string, unknown> | undefined) =>
        (m?.default as { place: () => { cpu: number } }).place().cpu;
      expect([place(first), place(second)]).toEqual([0, 7]);
      expect((second?.default as { name: string }).name).toBe('cached');
      file('p.ts', text(1));
      expect(place(await importCompiledPolicy(policy))).toBe(1);
    });
  });
});
