import { describe, expect, it } from 'vitest';
import { cpuId } from './brand.ts';
import {
  askPolicy,
  freezeContext,
  frozenFactoryConfig,
  instantiatePolicy,
  isPolicyError,
  isPolicySource,
  PolicyFault,
  parsePlacement,
  policyFault,
  policyTimedOut,
  type SoftnetView,
  thrownError,
} from './policy.ts';
import { testContext } from './test/dispatch-context.ts';

const bounds = { cpuCount: 4, cpu: cpuId(1), workstreamCpus: [cpuId(0), cpuId(1)], deferredOnly: false };

const ctx = testContext;

describe('what a throw out of a policy is charged as', () => {
  it('a fault the harness raised keeps its kind and message', () => {
    expect(thrownError(policyFault('exited', 'called process.exit(3)'))).toEqual({
      kind: 'exited',
      message: 'called process.exit(3)',
    });
    expect(thrownError(policyTimedOut('place() ran past 50 ms'))).toEqual({
      kind: 'timed-out',
      message: 'place() ran past 50 ms',
    });
    const fault = policyFault('heap-exhausted', 'heap');
    expect([fault instanceof Error, fault.name, fault.kind, fault.message]).toEqual([
      true,
      'PolicyFault',
      'heap-exhausted',
      'heap',
    ]);
  });

  it('a fault a policy made itself, or any other value, is `threw` with the value described', () => {
    const forged = new PolicyFault('timed-out', 'not me');
    expect(thrownError(forged)).toEqual({ kind: 'threw', message: 'threw PolicyFault: not me' });
    expect(thrownError({ kind: 'timed-out', message: 'x' })).toEqual({
      kind: 'threw',
      message: 'threw {"kind":"timed-out","message":"x"}',
    });
    expect(thrownError('oops')).toEqual({ kind: 'threw', message: 'threw "oops"' });
    expect(thrownError(null)).toEqual({ kind: 'threw', message: 'threw null' });
    expect(thrownError(undefined)).toEqual({ kind: 'threw', message: 'threw undefined' });
  });

  it('askPolicy charges a raised fault with its own kind', () => {
    const got = askPolicy(
      {
        name: 'p',
        place: () => {
          throw policyFault('killed', 'sent itself SIGKILL');
        },
      },
      { id: 0 } as never,
      ctx(),
    );
    expect(got).toEqual({ kind: 'killed', message: 'sent itself SIGKILL' });
  });
});

describe('a placement or an error', () => {
  it('tells an error from a placement by its kind', () => {
    expect(isPolicyError({ kind: 'threw', message: 'x' })).toBe(true);
    expect(isPolicyError({ cpu: cpuId(0), mode: 'queue' })).toBe(false);
  });

  it('a function is no placement, even one carrying cpu and mode', () => {
    const fn = Object.assign(() => 0, { cpu: 1, mode: 'direct' });
    expect(parsePlacement(fn, bounds)).toEqual({
      kind: 'not-a-placement',
      message: `answered ${String(fn)}, want { cpu, mode }`,
    });
  });

  it('a thenable that is no Promise is an async answer too, and its rejection is not left unhandled', () => {
    const thenable = {
      cpu: 1,
      mode: 'direct',
      // biome-ignore lint/suspicious/noThenProperty: a thenable answer is what is under test
      then: (_ok: unknown, fail: (e: unknown) => void) => fail('no'),
    };
    expect(parsePlacement(thenable, bounds)).toEqual({
      kind: 'async-answer',
      message: 'answered a thenable (an async place()?): want { cpu, mode } returned, not promised',
    });
    // biome-ignore lint/suspicious/noThenProperty: a `then` that is no function makes no thenable
    expect(parsePlacement({ cpu: 1, mode: 'direct', then: 5 }, bounds)).toEqual({
      cpu: 1,
      mode: 'direct',
    });
  });

  it('queueing and deferred-only answers need a CPU with a netisr thread; inline ones the current CPU', () => {
    const deferred = { ...bounds, deferredOnly: true };
    expect(parsePlacement({ cpu: 2, mode: 'direct' }, deferred)).toEqual({
      kind: 'no-workstream',
      message: 'answered queue on cpu 2, which has no netisr thread (workstreams on 0,1)',
    });
    expect(parsePlacement({ cpu: 0, mode: 'direct' }, deferred)).toEqual({ cpu: 0, mode: 'queue' });
    expect(parsePlacement({ cpu: 1, mode: 'direct' }, bounds)).toEqual({ cpu: 1, mode: 'direct' });
    expect(parsePlacement({ cpu: 3, mode: 'queue' }, bounds)).toMatchObject({ kind: 'no-workstream' });
  });
});

describe('what a policy is handed is frozen', () => {
  it('a factory gets a frozen copy of the run configuration', () => {
    const workstreamCpus = [cpuId(0), cpuId(2)];
    const cfg = frozenFactoryConfig({ cpuCount: 3, workstreamCpus, bucketCount: 4 });
    expect(cfg).toEqual({ cpuCount: 3, workstreamCpus: [0, 2], bucketCount: 4 });
    expect([Object.isFrozen(cfg), Object.isFrozen(cfg.workstreamCpus)]).toEqual([true, true]);
    expect(cfg.workstreamCpus).not.toBe(workstreamCpus);
    expect(Object.isFrozen(workstreamCpus)).toBe(false);
    let seen: unknown;
    instantiatePolicy(
      (c) => {
        seen = c;
        return { name: 'p', place: () => ({ cpu: cpuId(0), mode: 'queue' }) };
      },
      { cpuCount: 3, workstreamCpus, bucketCount: 4 },
    );
    expect(Object.isFrozen(seen)).toBe(true);
  });

  it('a context is frozen with its CPU list and its softnet view', () => {
    const softnet = { rpsCpuMask: 1 } as unknown as SoftnetView;
    const c = freezeContext(ctx({ softnet }));
    expect([Object.isFrozen(c), Object.isFrozen(c.workstreamCpus), Object.isFrozen(softnet)]).toEqual([
      true,
      true,
      true,
    ]);
    expect(Object.isFrozen(freezeContext(ctx()))).toBe(true);
  });

  it('a policy source is a function, or an object with a place function', () => {
    expect(isPolicySource({ place: () => 0 })).toBe(true);
    expect(isPolicySource(Object.assign(Object.create(null), { place: () => 0 }))).toBe(true);
    expect(isPolicySource({ place: undefined })).toBe(false);
  });
});
