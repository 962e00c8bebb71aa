import { describe, expect, it } from 'vitest';
import { cpuId } from './brand.ts';
import {
  askPolicy,
  type DispatchPolicy,
  instantiatePolicy,
  isPolicySource,
  parsePlacement,
} from './policy.ts';
import { testContext } from './test/dispatch-context.ts';

const ctx = testContext;

describe('parsePlacement: a policy answer checked once, at the boundary', () => {
  it('accepts queue on a workstream CPU and inline modes on the current CPU', () => {
    expect(parsePlacement({ cpu: 0, mode: 'queue' }, ctx())).toEqual({ cpu: 0, mode: 'queue' });
    expect(parsePlacement({ cpu: 1, mode: 'direct' }, ctx())).toEqual({ cpu: 1, mode: 'direct' });
    expect(parsePlacement({ cpu: 1, mode: 'hybrid' }, ctx())).toEqual({ cpu: 1, mode: 'hybrid' });
    expect(
      parsePlacement({ cpu: 3, mode: 'queue' }, ctx({ cpuCount: 4, workstreamCpus: [cpuId(3)] })),
    ).toEqual({
      cpu: 3,
      mode: 'queue',
    });
  });

  it('turns an inline answer into a queue when the caller may only queue (netisr_queue_src, N-7)', () => {
    expect(parsePlacement({ cpu: 0, mode: 'hybrid' }, ctx({ deferredOnly: true }))).toEqual({
      cpu: 0,
      mode: 'queue',
    });
  });

  it('names each kind of nonsense with the answer it got', () => {
    const cases: [unknown, string, string][] = [
      [undefined, 'not-a-placement', 'answered undefined, want { cpu, mode }'],
      [null, 'not-a-placement', 'answered null, want { cpu, mode }'],
      [3, 'not-a-placement', 'answered 3, want { cpu, mode }'],
      [true, 'not-a-placement', 'answered true, want { cpu, mode }'],
      ['cpu0', 'not-a-placement', 'answered "cpu0", want { cpu, mode }'],
      [{ mode: 'queue' }, 'cpu-not-integer', 'answered cpu undefined, want an integer'],
      [{ cpu: Number.NaN, mode: 'queue' }, 'cpu-not-integer', 'answered cpu NaN, want an integer'],
      [{ cpu: 0.5, mode: 'queue' }, 'cpu-not-integer', 'answered cpu 0.5, want an integer'],
      [{ cpu: '1', mode: 'queue' }, 'cpu-not-integer', 'answered cpu "1", want an integer'],
      [{ cpu: null, mode: 'queue' }, 'cpu-not-integer', 'answered cpu null, want an integer'],
      [{ cpu: { n: 1 }, mode: 'queue' }, 'cpu-not-integer', 'answered cpu {"n":1}, want an integer'],
      [{ cpu: -1, mode: 'queue' }, 'cpu-out-of-range', 'answered cpu -1, want 0..3'],
      [{ cpu: 4, mode: 'queue' }, 'cpu-out-of-range', 'answered cpu 4, want 0..3'],
      [{ cpu: 0, mode: 'later' }, 'unknown-mode', 'answered mode "later", want direct | hybrid | queue'],
      [{ cpu: 0 }, 'unknown-mode', 'answered mode undefined, want direct | hybrid | queue'],
      [
        { cpu: 0, mode: 'direct' },
        'inline-to-other-cpu',
        'answered direct on cpu 0 from cpu 1: inline dispatch runs on the current CPU',
      ],
      [
        { cpu: 2, mode: 'queue' },
        'no-workstream',
        'answered queue on cpu 2, which has no netisr thread (workstreams on 0,1)',
      ],
    ];
    for (const [answer, kind, message] of cases) {
      expect(parsePlacement(answer, ctx()), JSON.stringify(answer) ?? String(answer)).toEqual({
        kind,
        message,
      });
    }
  });

  it('describes an answer JSON cannot print', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(parsePlacement({ cpu: cyclic, mode: 'queue' }, ctx())).toEqual({
      kind: 'cpu-not-integer',
      message: 'answered cpu [object Object], want an integer',
    });
    const fn = () => 0;
    expect(parsePlacement({ cpu: fn, mode: 'queue' }, ctx())).toMatchObject({
      message: `answered cpu ${String(fn)}, want an integer`,
    });
  });
});

describe('policy sources', () => {
  const policy: DispatchPolicy = { name: 'p', place: () => ({ cpu: cpuId(0), mode: 'queue' }) };

  it('recognises a policy or a factory, and nothing else', () => {
    expect(isPolicySource(policy)).toBe(true);
    expect(isPolicySource(() => policy)).toBe(true);
    for (const x of [null, undefined, 42, 'policy', { name: 'p' }, { place: 'here' }]) {
      expect(isPolicySource(x), String(x)).toBe(false);
    }
  });

  it('calls a factory once per run, and takes a policy as it is', () => {
    const cfg = { cpuCount: 2, workstreamCpus: [cpuId(0)], bucketCount: 1 };
    expect(instantiatePolicy(policy, cfg)).toBe(policy);
    let calls = 0;
    expect(
      instantiatePolicy(() => {
        calls++;
        return policy;
      }, cfg),
    ).toBe(policy);
    expect(calls).toBe(1);
  });
});

describe('askPolicy: the judge reads the model, never the policy copy', () => {
  const view = () =>
    ({ id: 0, flow: 0, seq: 0, protocol: 'ip', hash: 5 }) as unknown as Parameters<typeof askPolicy>[1];

  it('hands over a frozen view and context: a write throws in the policy and is charged to it', () => {
    const writes: [string, (p: Record<string, unknown>, c: Record<string, unknown>) => void][] = [
      [
        'cpuCount',
        (_p, c) => {
          c.cpuCount = 1000;
        },
      ],
      ['workstreamCpus', (_p, c) => void (c.workstreamCpus as number[]).push(9)],
      [
        'view',
        (p) => {
          p.hash = 7;
        },
      ],
    ];
    for (const [what, write] of writes) {
      const c = ctx();
      const policy = {
        name: what,
        place: (p: unknown, cx: unknown) => {
          write(p as Record<string, unknown>, cx as Record<string, unknown>);
          return { cpu: 9, mode: 'queue' };
        },
      } as unknown as DispatchPolicy;
      expect(askPolicy(policy, view(), c), what).toMatchObject({ kind: 'threw' });
      expect(c.cpuCount).toBe(4);
      expect(c.workstreamCpus).toEqual([0, 1]);
    }
  });

  it('charges a throwing getter, a Proxy, a Promise, a bigint and a thrown symbol to the policy', () => {
    const answers: [unknown, string, RegExp][] = [
      [
        {
          get cpu() {
            throw new Error('no cpu');
          },
          mode: 'queue',
        },
        'threw',
        /^reading the answer threw Error: no cpu$/,
      ],
      [
        new Proxy(
          {},
          {
            get() {
              throw new TypeError('trap');
            },
          },
        ),
        'threw',
        /trap/,
      ],
      [Promise.resolve({ cpu: 0, mode: 'queue' }), 'async-answer', /^answered a Promise/],
      [{ cpu: 1n, mode: 'queue' }, 'cpu-not-integer', /^answered cpu 1n, want a number/],
      [{ cpu: 0, mode: 'x'.repeat(10_000) }, 'unknown-mode', /^answered mode "x{50,}\.\.\., want/],
    ];
    for (const [answer, kind, message] of answers) {
      const got = askPolicy({ name: 'p', place: () => answer as never }, view(), ctx());
      expect(got).toMatchObject({ kind });
      expect((got as { message: string }).message).toMatch(message);
    }
    const symbol = askPolicy(
      {
        name: 'p',
        place: () => {
          throw Symbol('odd');
        },
      },
      view(),
      ctx(),
    );
    expect(symbol).toEqual({ kind: 'threw', message: 'threw Symbol(odd)' });
  });
});
