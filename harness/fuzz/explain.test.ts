import { describe, expect, it } from 'vitest';
import { cpuId } from '../../model/brand.ts';
import type { DispatchPolicy, PolicySource } from '../../model/policy.ts';
import { explain } from './explain.ts';
import { NULL_HEARTBEAT } from './heartbeat.ts';
import { runFuzzCase, withTraceCap } from './run-fuzz-case.ts';
import { type SearchJob, search } from './search.ts';

/** The first case alone (its path): a search would first try every shrink of it, all passing. */
const job: SearchJob = {
  seed: 5,
  runs: 20,
  path: '0',
  cpuCountMin: 1,
  cpuCountMax: 4,
  properties: ['policy-conformance'],
};

/** Throws on the first call of all its instances together: state outside its factory. */
function throwsOnceEver(): PolicySource {
  let calls = 0;
  return (): DispatchPolicy => ({
    name: 'once',
    place(p, ctx) {
      calls++;
      if (calls === 1) throw new Error('first call');
      const nws = ctx.workstreamCpus;
      return { cpu: nws[p.hash % nws.length] ?? cpuId(0), mode: 'queue' };
    },
  });
}

describe('explain: a case that passes when run again', () => {
  it('is explained by the run the search saw fail, marked not reproduced', () => {
    const policy = throwsOnceEver();
    const r = search(job, policy, 'fallback', NULL_HEARTBEAT);
    if (r.kind !== 'violated') throw new Error(`expected a violation, got ${r.kind}`);
    const ex = explain(r.runCase, policy, 'fallback', r.property, NULL_HEARTBEAT, { observed: r.observed });
    if (!ex.ok) throw new Error(`not explained: ${JSON.stringify(ex.error)}`);
    expect(ex.value.notReproduced).toBe(true);
    expect(ex.value.violation.rule).toBe('policy:threw');
    expect(ex.value.violation.message).toMatch(/threw Error: first call/);
    expect(ex.value.trace).toBe(r.observed.trace);
    expect(ex.value.netstatAtEvent).toBe(r.observed.trace.length - 1);
  });

  it('without the observed run it is unreproducible, as before', () => {
    const policy = throwsOnceEver();
    const r = search(job, policy, 'fallback', NULL_HEARTBEAT);
    if (r.kind !== 'violated') throw new Error(`expected a violation, got ${r.kind}`);
    const ex = explain(r.runCase, policy, 'fallback', r.property, NULL_HEARTBEAT);
    expect(ex.ok).toBe(false);
    expect(ex.ok ? undefined : ex.error).toEqual({
      unreproducible: expect.stringMatching(
        /^the policy no longer violates policy-conformance when its case is run again/,
      ),
    });
  });

  it('a case that fails again is explained by its own run, not marked', () => {
    const wrong: PolicySource = { name: 'wrong', place: () => ({ cpu: cpuId(999), mode: 'queue' }) };
    const r = search(job, wrong, 'fallback', NULL_HEARTBEAT);
    if (r.kind !== 'violated') throw new Error(`expected a violation, got ${r.kind}`);
    const ex = explain(r.runCase, wrong, 'fallback', r.property, NULL_HEARTBEAT, { observed: r.observed });
    if (!ex.ok) throw new Error('not explained');
    expect(ex.value.notReproduced).toBeUndefined();
    expect(ex.value.trace).not.toBe(r.observed.trace);
    expect(ex.value.trace).toEqual(r.observed.trace);
  });

  it('a case that passes for the search too (nothing observed to show) is unreproducible', () => {
    const policy = throwsOnceEver();
    const r = search(job, policy, 'fallback', NULL_HEARTBEAT);
    if (r.kind !== 'violated') throw new Error(`expected a violation, got ${r.kind}`);
    const good: PolicySource = {
      name: 'good',
      place: (p, ctx) => ({
        cpu: ctx.workstreamCpus[p.hash % ctx.workstreamCpus.length] ?? cpuId(0),
        mode: 'queue',
      }),
    };
    const passing = runFuzzCase(r.runCase, good);
    if (!passing.ok) throw new Error(passing.error);
    const ex = explain(r.runCase, policy, 'fallback', r.property, NULL_HEARTBEAT, {
      observed: passing.value,
    });
    expect(ex.ok ? 'explained' : ex.error).toEqual({ unreproducible: expect.any(String) });
  });
});

describe('explain: what it shows of a violation', () => {
  const wrong: PolicySource = { name: 'wrong', place: () => ({ cpu: cpuId(999), mode: 'queue' }) };
  const found = search({ ...job, path: undefined }, wrong, 'fallback', NULL_HEARTBEAT);
  if (found.kind !== 'violated') throw new Error(`expected a violation, got ${found.kind}`);

  it('netstat -Q as it stood at the last violating event, from a run cut off there', () => {
    const ex = explain(found.runCase, wrong, 'fallback', found.property, NULL_HEARTBEAT);
    if (!ex.ok) throw new Error('not explained');
    const last = Math.max(...ex.value.violation.events);
    expect(last).toBeLessThan(ex.value.trace.length - 2);
    expect(ex.value.netstatAtEvent).toBe(last);
    const cut = runFuzzCase(withTraceCap(found.runCase, last + 1), wrong);
    if (!cut.ok) throw new Error(cut.error);
    expect(ex.value.netstatQ).toBe(cut.value.netstatQ);
  });

  it('oneRun: the table at the end of the one run, no second run made', () => {
    let runs = 0;
    const counted: PolicySource = () => {
      runs++;
      return { name: 'wrong', place: () => ({ cpu: cpuId(999), mode: 'queue' }) };
    };
    const ex = explain(found.runCase, counted, 'fallback', found.property, NULL_HEARTBEAT, { oneRun: true });
    if (!ex.ok) throw new Error('not explained');
    expect(runs).toBe(1);
    expect(ex.value.netstatAtEvent).toBe(ex.value.trace.length - 1);
    const whole = runFuzzCase(found.runCase, wrong);
    if (!whole.ok) throw new Error(whole.error);
    expect(ex.value.netstatQ).toBe(whole.value.netstatQ);
  });

  it('an unknown property, and a case the model refuses: an error in words', () => {
    expect(explain(found.runCase, wrong, 'fallback', 'nope', NULL_HEARTBEAT)).toEqual({
      ok: false,
      error: 'no property nope',
    });
    const refused = {
      ...found.runCase,
      config: { ...found.runCase.config, cpuCount: 0 },
    } as typeof found.runCase;
    const ex = explain(refused, wrong, 'fallback', found.property, NULL_HEARTBEAT);
    expect(ex.ok ? 'explained' : ex.error).toMatch(/^the model refused the case: /);
  });
});
