import { describe, expect, it } from 'vitest';
import { RUNS_DEFAULT } from '../harness/fuzz/options.ts';
import { errorOf, unwrap } from '../model/result.ts';
import { type FuzzOptions, parseCpus, parseFuzzArgs, TIMEOUT_SECONDS_DEFAULT } from './args.ts';

const parse = (...argv: string[]) => parseFuzzArgs(argv, () => 4242);

function options(...argv: string[]): FuzzOptions {
  const parsed = unwrap(parse(...argv));
  if (parsed === 'help') throw new Error('help');
  return parsed;
}

/** The one-line refusal, or undefined when the arguments parse. */
const refusal = (...argv: string[]) => errorOf(parse(...argv));

describe('fuzz arguments', () => {
  it('defaults: every property, a drawn seed, 1..64 CPUs, the default runs and timeout', () => {
    const o = options('p.ts');
    expect(o).toMatchObject({
      policyFile: 'p.ts',
      runs: RUNS_DEFAULT,
      seed: 4242,
      path: undefined,
      cpuCountMin: 1,
      cpuCountMax: 64,
      propertiesNamed: false,
      timeoutMs: TIMEOUT_SECONDS_DEFAULT * 1000,
      json: false,
      verbose: false,
    });
    expect(o.properties).toContain('flow-order');
    expect(o.properties).toContain('policy-conformance');
  });

  it('takes every option, --property repeatable and kept in registry order', () => {
    const o = options(
      'p.ts',
      '--runs=50',
      '--seed',
      '-7',
      '--path',
      '11:2:1',
      '--cpus',
      '2-8',
      '--property',
      'liveness',
      '--property',
      'flow-order',
      '--timeout',
      '0.5',
      '--json',
      '--verbose',
    );
    expect(o).toMatchObject({
      runs: 50,
      seed: -7,
      path: '11:2:1',
      cpuCountMin: 2,
      cpuCountMax: 8,
      timeoutMs: 500,
    });
    expect(o.properties).toEqual(['flow-order', 'liveness']);
    expect(o.propertiesNamed).toBe(true);
    expect(o.json && o.verbose).toBe(true);
  });

  it('reads --cpus N as exactly N and A-B as a range within the model', () => {
    expect(unwrap(parseCpus('4'))).toEqual({ min: 4, max: 4 });
    expect(unwrap(parseCpus('1-64'))).toEqual({ min: 1, max: 64 });
    for (const bad of ['0', '65', '9-2', '2-', '-3', 'four', '1-65'])
      expect(errorOf(parseCpus(bad))).toMatch(/^--cpus /);
  });

  it('pins a deployment: --kernel and repeatable --sysctl, values typed from the knob tables', () => {
    const o = options(
      'p.ts',
      '--kernel',
      'freebsd-rss',
      '--sysctl',
      'net.isr.maxthreads=-1',
      '--sysctl',
      'net.isr.bindthreads=1',
      '--sysctl',
      'net.isr.dispatch=hybrid',
    );
    expect(o.deployment).toEqual({
      kernel: 'freebsd-rss',
      sysctl: { 'net.isr.maxthreads': -1, 'net.isr.bindthreads': true, 'net.isr.dispatch': 'hybrid' },
    });
    expect(options('p.ts').deployment).toEqual({});
  });

  it.each([
    [['p.ts', '--runs', '-3'], /^--runs -3: want a whole number/],
    [['p.ts', '--runs', '0'], /^--runs 0: /],
    [['p.ts', '--runs', '1e3'], /^--runs 1e3: /],
    [['p.ts', '--seed', 'abc'], /^--seed abc: /],
    [['p.ts', '--seed', '1', '--path', '3::1'], /^--path 3::1: /],
    [['p.ts', '--path', '3:1'], /^--path 3:1: needs the --seed it was printed with$/],
    [['p.ts', '--timeout', '0'], /^--timeout 0: /],
    [['p.ts', '--property', 'nope'], /^--property nope: no such property \(have: flow-order/],
    [['p.ts', '--report', 'out.txt'], /^--report out.txt: /],
    [['p.ts', '--bogus'], /^unknown option --bogus$/],
    [['p.ts', '--runs'], /^--runs: missing value$/],
    [
      ['p.ts', '--runs', '--db', 'x'],
      /^--runs: missing value \(an option follows it; a value starting with - is written --runs=-\.\.\.\)$/,
    ],
    [[], /^missing <policy-file>$/],
    [['a.ts', 'b.ts'], /^one policy file at a time/],
    [['p.ts', '--kernel', 'netbsd'], /^--kernel netbsd: want one of freebsd, freebsd-rss, linux$/],
    [
      ['p.ts', '--sysctl', 'net.isr.maxthreads=99'],
      /^--sysctl net.isr.maxthreads=99: net.isr.maxthreads takes -1..64 threads \(default 1\)$/,
    ],
    [
      ['p.ts', '--sysctl', 'net.isr.dispatch=fast'],
      /^--sysctl net.isr.dispatch=fast: net.isr.dispatch takes one of direct, hybrid, deferred/,
    ],
    [['p.ts', '--sysctl', 'net.isr.nope=1'], /^--sysctl net.isr.nope=1: no knob net.isr.nope \(have: /],
    [['p.ts', '--sysctl', 'net.isr.maxthreads'], /^--sysctl net.isr.maxthreads: want name=value$/],
  ])('refuses %j in one line', (argv, message) => {
    const answer = refusal(...argv);
    expect(answer).toMatch(message);
    expect(String(answer)).not.toContain('\n');
  });
});
