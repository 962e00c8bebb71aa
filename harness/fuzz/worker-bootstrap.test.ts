import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compilerFlagsSource, FUZZ_V8_FLAGS } from './compiler-flags.ts';
import { WORKER_OVERRIDE_ENV, workerBootstrap } from './worker-bootstrap.ts';

/** A directory standing for dist/harness/fuzz/, with supervise.js and what else is asked for. */
function distDir(...files: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  for (const f of ['supervise.js', ...files]) writeFileSync(join(dir, f), '');
  return { dir, here: pathToFileURL(join(dir, 'supervise.js')).href };
}

const url = (path: string) => JSON.stringify(pathToFileURL(path).href);

/** What a tuned bootstrap runs before the worker is compiled: the fuzz search's compiler flags. */
const FLAGS = compilerFlagsSource();

describe('the fuzz worker bootstrap', () => {
  it('sets the compiler flags when tuned, before the worker is compiled; not otherwise', () => {
    const { dir, here } = distDir('worker.cjs');
    const sources = pathToFileURL('/src/harness/fuzz/supervise.ts').href;
    for (const file of ['/p/policy.mjs', '/p/policy.js', '/p/policy.ts'])
      for (const at of [here, sources]) {
        const tuned = workerBootstrap(file, at, {}, true);
        const set = tuned.indexOf(FLAGS);
        expect(set).toBeGreaterThanOrEqual(0);
        // Before the worker module is imported or the bundle compiled.
        for (const compile of ['loadWorkerScript(', 'worker.ts")', 'worker.js")'])
          if (tuned.includes(compile)) expect(tuned.indexOf(compile)).toBeGreaterThan(set);
        expect(workerBootstrap(file, at, {})).not.toContain('setFlagsFromString');
      }
    // From the sources the flags come first and nothing else differs.
    expect(workerBootstrap('/p/policy.mjs', sources, {}, true)).toBe(
      FLAGS + workerBootstrap('/p/policy.mjs', sources, {}),
    );
    // The bundle: once its loader is in; its cached code kept per set of flags.
    const script = JSON.stringify(join(dir, 'worker.cjs'));
    const flags = JSON.stringify(FUZZ_V8_FLAGS.join(' '));
    expect(workerBootstrap('/p/policy.mjs', here, {}, true)).toContain(
      `.then((l) => { ${FLAGS} return l.loadWorkerScript(${script}, process.env, ${flags}); })`,
    );
    expect(workerBootstrap('/p/policy.mjs', here, {})).toContain(
      `.then((l) => l.loadWorkerScript(${script}))`,
    );
  });

  it("the package's worker.cjs: loaded by worker-script.js beside it, its compiled code kept before the answer", () => {
    const { dir, here } = distDir('worker.cjs', 'worker.js');
    const code = workerBootstrap('/p/policy.mjs', here, {});
    expect(code).toBe(
      `import(${url(join(dir, 'worker-script.js'))}).then((l) => l.loadWorkerScript(${JSON.stringify(join(dir, 'worker.cjs'))})).then((script) => Promise.resolve().then(() => script.exports.serve(() => script.keepCompiledCode())));`,
    );
  });

  it('no worker.cjs beside (a build without it): the worker module, natively', () => {
    const { dir, here } = distDir('worker.js');
    expect(workerBootstrap('/p/policy.mjs', here, {})).toBe(
      `import(${url(join(dir, 'worker.js'))}).then((worker) => Promise.resolve().then(() => worker.serve()));`,
    );
  });

  it("the suite's bundle (NETSTACK_FUZZ_WORKER=….cjs): its loader is the ES module beside it", () => {
    const { here } = distDir();
    const env = { [WORKER_OVERRIDE_ENV]: '/b/fuzz-worker.cjs' };
    expect(workerBootstrap('/p/policy.ts', here, env)).toBe(
      `import("file:///b/worker-script.mjs").then((l) => l.loadWorkerScript("/b/fuzz-worker.cjs")).then((script) => Promise.resolve().then(() => script.exports.serve(() => script.keepCompiledCode())));`,
    );
  });

  it('a policy needing the hooks gets them before serve, after the worker loaded', () => {
    const { here } = distDir('worker.cjs');
    const code = workerBootstrap('/p/policy.js', here, {});
    expect(code).toMatch(
      /^import\(.*worker-script\.js"\)\.then\(.*\)\.then\(\(script\) => import\(.*tsx.*esm-hook\.js.*\)\.then\(\(\) => script\.exports\.serve/,
    );
  });

  it('NETSTACK_FUZZ_WORKER naming a module: imported as it is; empty: not set', () => {
    const { dir, here } = distDir('worker.cjs');
    expect(workerBootstrap('/p/policy.mjs', here, { [WORKER_OVERRIDE_ENV]: '/b/fuzz-worker.mjs' })).toBe(
      `import("file:///b/fuzz-worker.mjs").then((worker) => Promise.resolve().then(() => worker.serve()));`,
    );
    expect(workerBootstrap('/p/policy.mjs', here, { [WORKER_OVERRIDE_ENV]: '' })).toContain(
      `l.loadWorkerScript(${JSON.stringify(join(dir, 'worker.cjs'))})`,
    );
  });

  it('sources beside a worker.cjs (.ts): the sources, not the script', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootstrap-'));
    for (const f of ['supervise.ts', 'worker.cjs']) writeFileSync(join(dir, f), '');
    const code = workerBootstrap('/p/policy.mjs', pathToFileURL(join(dir, 'supervise.ts')).href, {});
    expect(code).toContain(`import(${url(join(dir, 'worker.ts'))})`);
    expect(code).not.toContain('loadWorkerScript');
  });

  it('from the sources (.ts): the worker module through tsx, the hooks first', () => {
    const here = pathToFileURL('/src/harness/fuzz/supervise.ts').href;
    expect(workerBootstrap('/p/policy.mjs', here, {})).toMatch(
      /^import\(.*tsx.*\)\.then\(\(\) => import\("file:\/\/\/src\/harness\/fuzz\/worker\.ts"\)\)\.then\(\(worker\) => worker\.serve\(\)\);$/,
    );
  });
});
