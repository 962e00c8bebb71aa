import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freebsdNetisrPolicy } from '../netisr/policies.ts';
import { FREEBSD_PROTOCOLS } from '../netisr/protocols.ts';
import type { DispatchPolicy } from '../policy.ts';
import { errorOf, unwrap } from '../result.ts';
import { resolveMaxthreads } from './config.ts';
import { type RunInput, type RunResult, runHost } from './run.ts';
import { packets, tcpFlow, udpFlow } from './scenario.ts';

function run(input: RunInput): RunResult {
  const r = unwrap(runHost(input));
  return r;
}

const mixed: RunInput = {
  config: {
    cpuCount: 4,
    rxRingCount: 3,
    sysctl: { 'net.isr.maxthreads': -1, 'net.isr.dispatch': 'hybrid' },
    qlimits: { ip: 3 },
  },
  workload: {
    flows: [
      tcpFlow(1),
      udpFlow(2),
      { family: 'inet6', ipProto: 6, src: '2001:db8::1', dst: '2001:db8::2', sport: 5, dport: 6 },
    ],
    items: packets([0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 2, 0]),
  },
  schedule: [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5],
  policy: freebsdNetisrPolicy({
    protocols: FREEBSD_PROTOCOLS,
    dispatch: 'hybrid',
    placement: 'flow',
    ipDispatch: 'hybrid',
  }),
};

const traceHash = (r: RunResult) => createHash('sha256').update(JSON.stringify(r.trace)).digest('hex');

describe('determinism', () => {
  it('gives a byte-identical trace for the same input', () => {
    expect(JSON.stringify(run(mixed).trace)).toBe(JSON.stringify(run(mixed).trace));
  });

  it('changes the trace when only the schedule changes', () => {
    expect(traceHash(run({ ...mixed, schedule: [] }))).not.toBe(traceHash(run(mixed)));
  });

  it('pins the trace of a fixed input (update with a reason when the model changes on purpose)', () => {
    // 8519d52e6900e36b since the trace opens with its `kernel` event (freebsd-14 GENERIC); the
    // rest of the trace is unchanged: without that first event it still hashes to da10337a3ad265ff.
    expect(traceHash({ ...run(mixed), trace: run(mixed).trace.slice(1) }).slice(0, 16)).toBe(
      'da10337a3ad265ff',
    );
    expect(traceHash(run(mixed)).slice(0, 16)).toMatchInlineSnapshot(`"8519d52e6900e36b"`);
  });

  it('accounts for every arrival: handled-and-delivered or dropped with a counter', () => {
    const r = run(mixed);
    const arrived = r.trace.filter((e) => e.kind === 'arrive').length;
    const delivered = r.trace.filter((e) => e.kind === 'deliver').length;
    const dropped = r.trace.filter((e) => e.kind === 'drop').length;
    expect(arrived).toBe(12);
    expect(delivered + dropped).toBe(arrived);
    expect(r.trace.at(-1)).toMatchObject({ kind: 'end', outcome: 'quiescent', busyCpus: [] });
  });
});

describe('policy errors are values, never crashes', () => {
  const cases: [string, DispatchPolicy['place'], string][] = [
    [
      'throws',
      () => {
        throw new RangeError('boom');
      },
      'threw',
    ],
    ['NaN', () => ({ cpu: Number.NaN as never, mode: 'queue' }), 'cpu-not-integer'],
    ['fraction', () => ({ cpu: 0.5 as never, mode: 'queue' }), 'cpu-not-integer'],
    ['out of range', () => ({ cpu: 7 as never, mode: 'queue' }), 'cpu-out-of-range'],
    ['unknown mode', () => ({ cpu: 0 as never, mode: 'sideways' as never }), 'unknown-mode'],
    [
      'inline elsewhere',
      (_p, ctx) => ({ cpu: ((ctx.cpu + 1) % 2) as never, mode: 'hybrid' }),
      'inline-to-other-cpu',
    ],
    ['not an object', () => 3 as never, 'not-a-placement'],
  ];
  for (const [name, place, kind] of cases) {
    it(`reports a policy that answers ${name} as ${kind}, drops and counts the packet`, () => {
      const r = run({
        config: { cpuCount: 2, sysctl: { 'net.isr.maxthreads': 2 } },
        workload: { flows: [tcpFlow(0)], items: packets([0, 0]) },
        schedule: [],
        policy: { name: `bad-${name}`, place },
      });
      const errors = r.trace.filter((e) => e.kind === 'policy-error');
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatchObject({ error: kind, policy: `bad-${name}`, pkt: 0 });
      expect(r.trace.filter((e) => e.kind === 'drop' && e.where === 'policy')).toHaveLength(2);
      expect(r.trace.at(-1)).toMatchObject({ kind: 'end', outcome: 'quiescent' });
    });
  }

  it('reports queueing on a CPU without a netisr thread as no-workstream', () => {
    const r = run({
      config: { cpuCount: 2 },
      workload: { flows: [tcpFlow(0)], items: packets([0]) },
      schedule: [],
      policy: { name: 'to-cpu-1', place: () => ({ cpu: 1 as never, mode: 'queue' }) },
    });
    expect(r.trace.find((e) => e.kind === 'policy-error')).toMatchObject({ error: 'no-workstream' });
  });

  it('calls a policy factory once per run, so state does not leak between runs', () => {
    let made = 0;
    const factory = (): DispatchPolicy => {
      made++;
      let n = 0;
      return {
        name: 'counting',
        place: (_p, ctx) => ({ cpu: ctx.cpu, mode: n++ === 0 ? 'hybrid' : 'direct' }),
      };
    };
    const input: RunInput = {
      config: { cpuCount: 1 },
      workload: { flows: [tcpFlow(0)], items: packets([0, 0]) },
      schedule: [],
      policy: factory,
    };
    expect(traceHash(run(input))).toBe(traceHash(run(input)));
    expect(made).toBe(2);
  });
});

describe('configuration (boot fix-ups and bad values)', () => {
  it('resolves net.isr.maxthreads as netisr_init does', () => {
    expect([-1, 0, -5, 3, 99].map((m) => resolveMaxthreads(m, 8))).toEqual([8, 1, 1, 3, 8]);
  });

  it.each([
    [{ cpuCount: 0 }, /cpuCount/],
    [{ cpuCount: 65 }, /cpuCount/],
    [{ cpuCount: 2, qlimits: { ip: 20_000 } }, /EINVAL/],
    [{ cpuCount: 2, qlimits: { nosuch: 5 } }, /no such netisr protocol/],
    [{ cpuCount: 2, sysctl: { 'net.isr.dispatch': 'default' as never } }, /net.isr.dispatch/],
    [{ cpuCount: 2, bucketCpus: [0, 1, 1] }, /power-of-two/],
    [{ cpuCount: 2, ringCpus: [5] }, /ringCpus/],
  ])('rejects %j with a clear sentence', (config, message) => {
    const r = runHost({
      config,
      workload: { flows: [], items: [] },
      schedule: [],
      policy: { name: 'x', place: () => ({ cpu: 0 as never, mode: 'direct' }) },
    });
    expect(errorOf(r)).toMatch(message);
  });

  it('rejects a bad flow address with a clear sentence', () => {
    const r = runHost({
      config: { cpuCount: 1 },
      workload: { flows: [{ ...tcpFlow(0), src: '10.0.0.300' }], items: [] },
      schedule: [],
      policy: { name: 'x', place: () => ({ cpu: 0 as never, mode: 'direct' }) },
    });
    expect(errorOf(r)).toMatch(/bad inet source address/);
  });
});

describe('run limits', () => {
  it('ends a run that passes stepsMax as steps-exhausted, not a hang', () => {
    const r = run({
      config: { cpuCount: 1, limits: { stepsMax: 5 } },
      workload: { flows: [tcpFlow(0)], items: packets(new Array(20).fill(0)) },
      schedule: [],
      policy: freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'direct' }),
    });
    expect(r.trace.at(-1)).toMatchObject({ kind: 'end', outcome: 'steps-exhausted', steps: 5 });
  });

  it('ends a run that passes traceEventsMax as trace-full', () => {
    const r = run({
      config: { cpuCount: 1, limits: { traceEventsMax: 10 } },
      workload: { flows: [tcpFlow(0)], items: packets(new Array(20).fill(0)) },
      schedule: [],
      policy: freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'direct' }),
    });
    expect(r.trace.at(-1)).toMatchObject({ kind: 'end', outcome: 'trace-full' });
  });
});
