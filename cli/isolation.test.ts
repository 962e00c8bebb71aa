import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROPERTIES } from '../properties/index.ts';
import { POLICY_ERROR_KINDS } from '../properties/policy-conformance.ts';
import { OPTION_NAMES } from './args.ts';
import { main } from './fuzz.ts';
import { NOT_REPRODUCED, REPLAYED_BY_RUNS } from './report-text.ts';

/**
 * Hostile and careless policies, run through the fuzz command in-process: the
 * policy still runs in its own worker thread under the watchdog, only the CLI spawn is saved. Faults
 * that need no worker to contain them are also judged in-process in harness/fuzz/guard.test.ts.
 * Each case asserts the exit code and the line a user reads first: the one-line error on stderr
 * (exit 2) or the violated rule line of the report (exit 1), which names the kind and the packet.
 */

const GOOD = `const nws = ctx.workstreamCpus;
    return { cpu: nws[ctx.bucketCpu(ctx.bucketOf(p.hash)) % nws.length], mode: 'queue' };`;

/** Each in a temporary directory outside the repository, so loading works anywhere too. */
const POLICIES: Record<string, string> = {
  'ctx-cpucount.mjs': `export default { name: 'ctx-cpucount', place(p, ctx) { ctx.cpuCount = 1000; return { cpu: 999, mode: 'queue' }; } };`,
  'getter-cpu.mjs': `export default { name: 'getter-cpu', place: () => ({ get cpu() { throw new Error('no cpu'); }, mode: 'queue' }) };`,
  'exit.mjs': `export default () => { let n = 0; return { name: 'exit', place(p, ctx) { if (++n > 30) process.exit(3); ${GOOD} } }; };`,
  'exit-caught.mjs': `export default () => { let n = 0; return { name: 'exit-caught', place(p, ctx) { if (++n > 30) try { process.exit(3); } catch {} ${GOOD} } }; };`,
  'kill.mjs': `export default () => { let n = 0; return { name: 'kill', place(p, ctx) { if (++n > 30) process.kill(process.pid, 'SIGKILL'); ${GOOD} } }; };`,
  'leak.mjs': `const hoard = [];\nexport default { name: 'leak', place(p, ctx) { hoard.push(new Array(50000).fill(p.id)); ${GOOD} } };`,
  'timer.mjs': `export default () => { let n = 0; return { name: 'timer', place(p, ctx) { if (++n === 40) setTimeout(() => { throw new Error('later'); }, 0); ${GOOD} } }; };`,
  'node-timers.mjs': `import { setTimeout as later } from 'node:timers';\nexport default () => { let n = 0; return { name: 'node-timers', place(p, ctx) { if (++n === 5) later(() => { throw new Error('later'); }, 0); ${GOOD} } }; };`,
  'reject.mjs': `export default () => { let n = 0; return { name: 'reject', place(p, ctx) { if (++n === 5) Promise.reject(new Error('nobody')); ${GOOD} } }; };`,
  // Without the worker's own handlers, the rejection would reach the worker's fatal path and abort the process.
  'unlisten.mjs': `export default () => { let n = 0; return { name: 'unlisten', place(p, ctx) { if (++n === 5) { process.removeAllListeners(); process.off('unhandledRejection', () => {}); Promise.reject(new Error('nobody')); } ${GOOD} } }; };`,
  'close-port.mjs': `import { parentPort } from 'node:worker_threads';\nexport default () => { let n = 0; return { name: 'close-port', place(p, ctx) { if (++n === 5) parentPort.close(); ${GOOD} } }; };`,
  'close-port-proto.mjs': `import { parentPort } from 'node:worker_threads';\nexport default () => { let n = 0; return { name: 'close-port-proto', place(p, ctx) { if (++n === 5) Object.getPrototypeOf(parentPort).close.call(parentPort); ${GOOD} } }; };`,
  'tla.ts': `const w: number = await Promise.resolve(0);\nexport default { name: 'tla' + w, place(p: any, ctx: any) { ${GOOD} } };`,
  'never.mjs': `await new Promise(() => {});\nexport default { name: 'never', place: () => ({ cpu: 0, mode: 'queue' }) };`,
  'empty.ts': '',
  'cjs.js': `module.exports = { name: 'cjs', place: () => ({ cpu: 0, mode: 'queue' }) };`,
  // The worker's built-ins are frozen before the policy loads (harness/fuzz/lockdown.ts).
  'push.mjs': `Array.prototype.push = function () { return 0; };\nexport default { name: 'push', place: () => ({ cpu: 0, mode: 'queue' }) };`,
  'global-map.mjs': `globalThis.Map = class { get() {} set() {} };\nexport default { name: 'global-map', place: () => ({ cpu: 0, mode: 'queue' }) };`,
  'map-get.mjs': `export default { name: 'map-get', place(p, ctx) { Map.prototype.get = () => undefined; ${GOOD} } };`,
  'own-error.mjs': `class NoTable extends Error { constructor(m) { super(m); this.name = 'NoTable'; } }\nexport default { name: 'own-error', place() { throw new NoTable('no table'); } };`,
  // Posts a forged answer on the worker's port, then stalls past the supervisor's exit grace (2 s).
  'forge.mjs': `import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ kind: 'held', runs: 30, policyName: 'forge', exportName: 'default' });\nlet waited = false;\nexport default { name: 'forge', place() { if (!waited) { waited = true; Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500); } return { cpu: 999, mode: 'queue' }; } };`,
  'flaky.mjs': `let calls = 0;\nexport default { name: 'flaky', place(p, ctx) { if (++calls === 1) throw new Error('first'); ${GOOD} } };`,
  // A call counter outside the factory: it hangs at the 40th call of the worker, whichever run that is.
  'hang-global.mjs': `let n = 0;\nexport default { name: 'hang-global', place(p, ctx) { if (++n === 40) for (;;) {} ${GOOD} } };`,
  // A call counter outside the factory that turns every answer bad after 300 calls of the worker:
  // the case shrinks and fails again in the same module, and passes in a fresh one (the replay's).
  'late-global.mjs': `let n = 0;\nexport default { name: 'late-global', place(p, ctx) { if (++n > 300) return { cpu: 999, mode: 'queue' }; ${GOOD} } };`,
  'late-global.ts': `let n = 0;\nexport default { name: 'late-global-ts', place(p: any, ctx: any) { if (++n > 300) return { cpu: 999, mode: 'queue' }; ${GOOD} } };`,
  // The same after 3000 calls: past the first chunks of runs, so one worker and two (each with
  // its own module) meet it at different runs.
  'later-global.mjs': `let n = 0;\nexport default { name: 'later-global', place(p, ctx) { if (++n > 3000) return { cpu: 999, mode: 'queue' }; ${GOOD} } };`,
  'hang-factory.mjs': 'export default () => { for (;;) {} };',
  'random.mjs': `export default { name: 'random', place(p, ctx) { const nws = ctx.workstreamCpus; return { cpu: nws[Math.floor(Math.random() * nws.length)], mode: 'queue' }; } };`,
};

let dir = '';
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fuzz-isolation-'));
  for (const [name, text] of Object.entries(POLICIES)) writeFileSync(file(name), text);
});

async function fuzz(name: string, ...extra: string[]) {
  let out = '';
  let err = '';
  const code = await main([file(name), '--runs', '30', '--seed', '1', '--cpus', '1-4', '--no-db', ...extra], {
    io: {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
    },
  });
  const rule = out.split('\n').find((l) => l.startsWith('  policy:')) ?? '';
  return { code, out, err, rule: rule.trim(), firstErr: err.split('\n')[0] ?? '' };
}

describe.concurrent('a policy cannot fool or crash the judge', () => {
  it.each([
    [
      'ctx-cpucount.mjs',
      /^policy:threw: policy ctx-cpucount on packet [\d,]+ \(flow \d+, cpu \d+\): threw TypeError: Cannot assign to read only property 'cpuCount' of object/,
    ],
    ['getter-cpu.mjs', /^policy:threw: policy getter-cpu on packet [\d,]+ .*: threw Error: no cpu/],
    ['exit.mjs', /^policy:exited: policy exit on packet [\d,]+ .*: called process.exit\(3\)/],
    // The policy catches the interceptor's throw and answers: charged as the exit all the same.
    ['exit-caught.mjs', /^policy:exited: policy exit-caught on packet [\d,]+ .*: called process.exit\(3\)/],
    [
      'kill.mjs',
      /^policy:killed: policy kill on packet [\d,]+ .*: called process.kill\(\d+, "SIGKILL"\) on its own process/,
    ],
    [
      'timer.mjs',
      /^policy:threw-later: policy timer on packet [\d,]+ .*: setTimeout\(\) callback set up in place\(\) on packet [\d,]+ threw Error: later after the call returned/,
    ],
  ])('%s: exit 1, a replayable policy violation of its own kind', async (name, rule) => {
    const r = await fuzz(name);
    expect(r.code).toBe(1);
    expect(r.rule).toMatch(rule);
    expect(r.out).toMatch(
      new RegExp(
        `^replay: npm run fuzz -- \\S+${name.replace('.', '\\.')} --seed 1 --path [\\d:]+ --cpus 1-4 --property policy-conformance$`,
        'm',
      ),
    );
  });

  // Faults in the first run, judged on that run alone (--path 0): the search and its shrinking are the
  // business of the cases above.
  it.each([
    [
      'map-get.mjs',
      /^policy:threw: policy map-get on packet [\d,]+ .*: threw TypeError: Cannot assign to read only property 'get' of object/,
    ],
    // An Error subclass may still name its instances: the frozen Error.prototype.name is overridable.
    ['own-error.mjs', /^policy:threw: policy own-error on packet [\d,]+ .*: threw NoTable: no table/],
    [
      'close-port.mjs',
      /^policy:exited: policy close-port on packet [\d,]+ .*: called parentPort\.close\(\): the fuzz worker would end without an answer/,
    ],
    [
      'close-port-proto.mjs',
      /^policy:exited: policy close-port-proto on packet [\d,]+ .*: called parentPort\.close\(\): the fuzz worker would end without an answer/,
    ],
    [
      'node-timers.mjs',
      /^policy:threw-later: policy node-timers on packet ([\d,]+) .*: setTimeout\(\) callback set up in place\(\) on packet \1 threw Error: later after the call returned/,
    ],
    // The promise's call, not the call in progress when the rejection surfaced (after the search).
    [
      'reject.mjs',
      /^policy:threw-later: policy reject on packet ([\d,]+) .*: a promise made in place\(\) on packet \1 rejected with nobody to handle it: Error: nobody/,
    ],
    [
      'unlisten.mjs',
      /^policy:threw-later: policy unlisten on packet ([\d,]+) .*: a promise made in place\(\) on packet \1 rejected with nobody to handle it: Error: nobody/,
    ],
  ])('%s --path 0: exit 1, a replayable policy violation of its own kind', async (name, rule) => {
    const r = await fuzz(name, '--path', '0');
    expect(r.code).toBe(1);
    expect(r.rule).toMatch(rule);
    expect(r.out).toMatch(
      new RegExp(
        `^replay: npm run fuzz -- \\S+${name.replace('.', '\\.')} --seed 1 --path 0 --cpus 1-4 --property policy-conformance$`,
        'm',
      ),
    );
  });

  it('a forged held posted on the worker port: ignored, the policy judged by what it did (exit 1)', async () => {
    const r = await fuzz('forge.mjs', '--timeout', '5', '--path', '0');
    expect(r.code).toBe(1);
    expect(r.rule).toMatch(/^policy:cpu-out-of-range: policy forge on packet [\d,]+ .*: answered cpu 999/);
  });

  it('a policy that fills its heap: exit 1, heap-exhausted at the call, replayed by the runs that built it up', async () => {
    const r = await fuzz('leak.mjs', '--heap', '64');
    expect(r.code).toBe(1);
    expect(r.rule).toMatch(
      /^policy:heap-exhausted: policy leak on packet [\d,]+ .*: the fuzz worker ran out of its 64 MiB heap in place\(\) on packet [\d,]+/,
    );
    expect(r.out).toMatch(
      /^replay: npm run fuzz -- \S+leak\.mjs --seed 1 --runs \d+ --workers \d+ --cpus 1-4 --property policy-conformance --heap 64$/m,
    );
  });

  it('a .ts policy outside the repository with top-level await loads as an ES module: exit 0', async () => {
    const r = await fuzz('tla.ts');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(
      /^fuzz \S+tla\.ts \(policy tla0, default export\) {2}seed 1 {2}cpus 1-4 {2}/,
    );
  });

  it.each([
    [
      'never.mjs',
      [],
      /^fuzz: policy file \S+never\.mjs never finished loading: the worker exited with code 0 \(a top-level await that never settles\?\)$/,
    ],
    [
      'cjs.js',
      [],
      /^fuzz: policy file \S+cjs\.js exports nothing: .* \(it assigns CommonJS exports: policy files load as ES modules, so write `export default`\)$/,
    ],
    [
      'empty.ts',
      [],
      /^fuzz: policy file \S+empty\.ts exports nothing: want a default export or an export named 'policy'/,
    ],
    ['never.mjs', ['--heap', '10'], /^fuzz: --heap 10: want MiB, 64\.\.65536$/],
    // Left alone, the model's own pushes would be lost and the run would never end.
    [
      'push.mjs',
      [],
      /^fuzz: policy file \S+push\.mjs does not load: TypeError: Cannot assign to read only property 'push' of object/,
    ],
    [
      'global-map.mjs',
      [],
      /^fuzz: policy file \S+global-map\.mjs does not load: TypeError: Cannot assign to read only property 'Map' of object/,
    ],
  ])('%s %j: exit 2 with one line', async (name, extra, line) => {
    const r = await fuzz(name, ...extra);
    expect(r.code).toBe(2);
    expect(r.firstErr).toMatch(line);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('a policy that answers differently for the same input is still judged', () => {
  // State outside the factory: the policy's doing, so neither "internal error" (kept for the model's
  // own faults) nor bad input. Its failing run replayed by path: a search would first try every
  // shrink of that run (all pass), ~2 s of CPU.
  it('flaky.mjs --path 0: exit 1, the run that failed shown and marked not reproduced, with its replay', async () => {
    const r = await fuzz('flaky.mjs', '--path', '0');
    expect(r.code).toBe(1);
    expect(r.rule).toMatch(/^policy:threw: policy flaky on packet [\d,]+ .*: threw Error: first/);
    expect(r.out).toContain(`\n  ${NOT_REPRODUCED}\n  the replay below may pass\n`);
    expect(r.out).toMatch(
      /^replay: npm run fuzz -- \S+flaky\.mjs --seed 1 --path 0 --cpus 1-4 --property policy-conformance$/m,
    );
    expect(r.err).toBe('');
  });

  it('a factory that never returns: exit 1, timed-out on the first packet, naming the factory', async () => {
    const r = await fuzz('hang-factory.mjs', '--timeout', '0.5');
    expect(r.code).toBe(1);
    expect(r.rule).toMatch(
      /^policy:timed-out: policy hang-factory on packet [\d,]+ .*: its factory \(cfg\) => DispatchPolicy was stopped before this first packet: no answer within 0\.5 s/,
    );
    expect(r.out).toMatch(
      /^replay: npm run fuzz -- \S+hang-factory\.mjs --seed 1 --path \d+ .*--timeout 0\.5$/m,
    );
  });

  it.each([
    'late-global.mjs',
    'late-global.ts',
  ])('%s, bad only after 300 calls of its module: exit 1, marked not reproduced (its replay starts a fresh module)', async (name) => {
    const r = await fuzz(name, '--runs', '100');
    expect(r.code).toBe(1);
    expect(r.rule).toMatch(/^policy:cpu-out-of-range: policy late-global(-ts)? on packet [\d,]+ /);
    expect(r.out).toContain(`\n  ${NOT_REPRODUCED}\n  ${REPLAYED_BY_RUNS}\n`);
    expect(r.err).toBe('');
  });

  // Each worker keeps its own module state, so which run turns bad depends on the worker count:
  // the replay runs the seed's runs up to the failing one with the same count, and fails the same.
  it('later-global.mjs: the run that fails depends on --workers; each printed replay (--runs, --workers) fails again at its path', async () => {
    const paths: string[] = [];
    for (const workers of ['1', '2']) {
      const r = await fuzz('later-global.mjs', '--runs', '1000', '--workers', workers);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`\n  ${NOT_REPRODUCED}\n  ${REPLAYED_BY_RUNS}\n`);
      const path = /path "([\d:]+)"/.exec(r.out)?.[1] ?? '';
      const replay = /^replay: npm run fuzz -- (.*)$/m.exec(r.out)?.[1] ?? '';
      const run = Number(path.split(':')[0]) + 1;
      expect(replay).toBe(
        `${file('later-global.mjs')} --seed 1 --runs ${run} --workers ${workers} --cpus 1-4 --property policy-conformance`,
      );
      const again = await fuzz('later-global.mjs', ...replay.split(' ').slice(1));
      expect(again.code).toBe(1);
      expect(/path "([\d:]+)"/.exec(again.out)?.[1]).toBe(path);
      expect(again.rule).toBe(r.rule);
      paths.push(path);
    }
    expect(paths[0]?.split(':')[0]).not.toBe(paths[1]?.split(':')[0]);
  });

  it('a call counter outside the factory that hangs: exit 1, timed-out at its packet, located in one replayed run', async () => {
    const r = await fuzz('hang-global.mjs', '--timeout', '0.5');
    expect(r.code).toBe(1);
    expect(r.rule).toMatch(
      /^policy:timed-out: policy hang-global on packet [\d,]+ .*: no answer within 0\.5 s/,
    );
    expect(r.out).toMatch(
      /^replay: npm run fuzz -- \S+hang-global\.mjs --seed 1 --path \d+ --cpus 1-4 --property policy-conformance --timeout 0\.5$/m,
    );
    expect(r.err).toBe('');
  });

  it('Math.random picks the CPU: exit 1 with what it broke, whether or not the case shows it again', async () => {
    const r = await fuzz('random.mjs', '--runs', '300');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^[a-z-]+ violated after \d+ runs/m);
    expect(r.err).toBe('');
  });
});

describe('fuzz --help', () => {
  it('lists every property and policy fault in one line each, every option, the limits and exit codes: exit 0', async () => {
    let out = '';
    const code = await main(['--help'], {
      io: {
        out: (t) => {
          out += t;
        },
        err: () => {},
      },
    });
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(/^usage: npm run fuzz -- <policy-file> /);
    for (const p of PROPERTIES) expect(out).toMatch(new RegExp(`^  ${p.name} +${escapeRe(p.summary)}$`, 'm'));
    for (const kind of Object.keys(POLICY_ERROR_KINDS))
      expect(out).toMatch(new RegExp(`^  policy:${kind} `, 'm'));
    for (const name of OPTION_NAMES) expect(out).toMatch(new RegExp(`^  (-h, )?--${name} `, 'm'));
    expect(out).toMatch(
      /^exit codes: 0 every property held; 1 a property was violated or the policy misbehaved/m,
    );
    expect(out).toContain('2 the policy could not be checked');
    expect(out).toContain('130 / 143 stopped by SIGINT / SIGTERM');
  });
});

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
