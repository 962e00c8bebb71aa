import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuId } from '../../model/brand.ts';
import { type PolicySource, thrownError } from '../../model/policy.ts';
import { errorOf } from '../../model/result.ts';
import { explain } from './explain.ts';
import { guardPolicy } from './guard.ts';
import { NULL_HEARTBEAT } from './heartbeat.ts';
import { loadPolicy } from './load-policy.ts';
import { type SearchJob, search } from './search.ts';

/**
 * The guard in-process (no worker): hostile policies that do not need a worker to contain them,
 * each found by the search as a policy-conformance violation of its own kind, never a model error.
 */
const job: SearchJob = {
  seed: 3,
  runs: 10,
  path: undefined,
  cpuCountMin: 1,
  cpuCountMax: 4,
  properties: ['policy-conformance'],
};

function verdict(source: unknown): { rule: string; message: string } {
  const policy = source as PolicySource;
  const r = search(job, policy, 'fallback', NULL_HEARTBEAT);
  if (r.kind !== 'violated') throw new Error(`expected a violation, got ${JSON.stringify(r)}`);
  const ex = explain(r.runCase, policy, 'fallback', r.property, NULL_HEARTBEAT);
  if (!ex.ok) throw new Error(`not explained: ${JSON.stringify(ex.error)}`);
  return { rule: ex.value.violation.rule, message: ex.value.violation.message };
}

const good = (p: { hash: number }, ctx: { workstreamCpus: readonly number[] }) => ({
  cpu: ctx.workstreamCpus[p.hash % ctx.workstreamCpus.length],
  mode: 'queue',
});

describe('guardPolicy: what a policy does wrong is charged to it', () => {
  it.each([
    [
      'a write to the packet view',
      {
        name: 'view-write',
        place: (p: { hash: number }, ctx: { workstreamCpus: readonly number[] }) => {
          p.hash = 7;
          return good(p, ctx);
        },
      },
      'policy:threw',
      /^policy view-write on packet [\d,]+ .*: threw TypeError: Cannot assign to read only property 'hash'/,
    ],
    [
      'a throwing mode getter',
      {
        name: 'getter-mode',
        place: (_p: unknown, ctx: { cpu: number }) => ({
          cpu: ctx.cpu,
          get mode(): string {
            throw new RangeError('no mode');
          },
        }),
      },
      'policy:threw',
      /^policy getter-mode on packet [\d,]+ .*: threw RangeError: no mode$/,
    ],
    [
      'a Proxy answer',
      {
        name: 'proxy',
        place: () =>
          new Proxy(
            {},
            {
              get: () => {
                throw new TypeError('trap');
              },
            },
          ),
      },
      'policy:threw',
      /^policy proxy on packet [\d,]+ .*: threw TypeError: trap$/,
    ],
    [
      'a throwing name getter (the file name stands in)',
      {
        get name(): string {
          throw new Error('nameless');
        },
        place: good,
      },
      'policy:threw',
      /^policy fallback on packet [\d,]+ .*: threw Error: reading its name threw Error: nameless$/,
    ],
    [
      'a thrown symbol',
      {
        name: 'symbol',
        place: () => {
          throw Symbol('odd');
        },
      },
      'policy:threw',
      /^policy symbol on packet [\d,]+ .*: threw Symbol\(odd\)$/,
    ],
    [
      'a factory that edits its config',
      (cfg: { workstreamCpus: number[] }) => {
        cfg.workstreamCpus.push(99);
        return { name: 'cfg-write', place: good };
      },
      'policy:threw',
      /^policy fallback on packet [\d,]+ .*: threw Error: the factory threw TypeError: Cannot add property \d+, object is not extensible$/,
    ],
    [
      'an async factory',
      async () => ({ name: 'async-factory', place: good }),
      'policy:threw',
      /^policy fallback on packet [\d,]+ .*: threw Error: the factory returned a Promise \(an async factory\?\): want a DispatchPolicy returned, not promised$/,
    ],
    [
      'a push to ctx.workstreamCpus',
      {
        name: 'ctx-push',
        place: (_p: unknown, ctx: { workstreamCpus: number[] }) => {
          ctx.workstreamCpus.push(99);
          return { cpu: 99, mode: 'queue' };
        },
      },
      'policy:threw',
      /^policy ctx-push on packet [\d,]+ .*: threw TypeError: Cannot add property \d+, object is not extensible$/,
    ],
    [
      'an async place',
      {
        name: 'promise',
        place: async (p: { hash: number }, ctx: { workstreamCpus: readonly number[] }) => good(p, ctx),
      },
      'policy:async-answer',
      /^policy promise on packet [\d,]+ .*: answered a Promise \(an async place\(\)\?\): want \{ cpu, mode \} returned, not promised$/,
    ],
    [
      'a bigint CPU',
      { name: 'bigint', place: () => ({ cpu: 1n, mode: 'queue' }) },
      'policy:cpu-not-integer',
      /^policy bigint on packet [\d,]+ .*: answered cpu 1n, want a number \(a bigint is not a CPU\)$/,
    ],
  ])('%s', (_, policy, rule, message) => {
    const v = verdict(policy);
    expect(v.rule).toBe(rule);
    expect(v.message).toMatch(message);
  });
});

describe('guardPolicy: a thrown value is described inside the call', () => {
  it('reads the thrown value while the heartbeat still times the call, and keeps its description', () => {
    let inside = false;
    const readsInside: boolean[] = [];
    const beat = {
      ...NULL_HEARTBEAT,
      enter: () => {
        inside = true;
      },
      leave: () => {
        inside = false;
      },
    };
    // An Error whose name and message are getters: a hostile one could spin in them forever.
    const thrown = Object.create(Error.prototype, {
      name: {
        get: () => {
          readsInside.push(inside);
          return 'SpinError';
        },
      },
      message: {
        get: () => {
          readsInside.push(inside);
          return 'in a getter';
        },
      },
    });
    const policy = guardPolicy(
      {
        name: 'throws-getters',
        place: () => {
          throw thrown;
        },
      } as unknown as PolicySource,
      'fallback',
      beat,
    )({ cpuCount: 2, workstreamCpus: [cpuId(0), cpuId(1)], bucketCount: 128 });
    let caught: unknown;
    try {
      policy.place({} as never, { cpu: 0 } as never);
    } catch (err) {
      caught = err;
    }
    expect(readsInside).toEqual([true, true]);
    expect(thrownError(caught)).toEqual({ kind: 'threw', message: 'threw SpinError: in a getter' });
    expect(readsInside).toHaveLength(2);
  });
});

describe('loadPolicy', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'load-policy-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('an export whose Proxy traps throw is a one-line load error, not a crash', async () => {
    const dir = tempDir();
    const file = join(dir, 'proxy-export.mjs');
    writeFileSync(file, `export default new Proxy({}, { get() { throw new Error('no'); } });\n`);
    expect(errorOf(await loadPolicy(file))).toBe(`policy file ${file}: reading its export threw Error: no`);
  });

  it.each([
    ['42', 'the number 42'],
    ["'flow-hash'", 'the string "flow-hash"'],
    ['null', 'null'],
    ['[0, 1]', 'an array [0,1]'],
    ['{ plce() {} }', 'an object without a place() method'],
  ])('export default %s: the one line says what the export is', async (value, what) => {
    const dir = tempDir();
    const file = join(dir, 'not-a-policy.mjs');
    writeFileSync(file, `export default ${value};\n`);
    expect(errorOf(await loadPolicy(file))).toContain(`exports default, none a policy (default: ${what}`);
  });

  it('a fresh instance of a module starts its module-level state over; the same instance keeps it', async () => {
    const dir = tempDir();
    const file = join(dir, 'counter.mjs');
    writeFileSync(
      file,
      `let n = 0;\nexport default { name: 'counter', place: () => ({ cpu: ++n, mode: 'queue' }) };\n`,
    );
    const place = async (instance: number) => {
      const loaded = await loadPolicy(file, undefined, instance);
      if (!loaded.ok) throw new Error(loaded.error);
      return (loaded.value.source as unknown as { place: () => { cpu: number } }).place().cpu;
    };
    expect([await place(0), await place(0), await place(1), await place(1), await place(0)]).toEqual([
      1, 2, 1, 2, 3,
    ]);
  });
});
