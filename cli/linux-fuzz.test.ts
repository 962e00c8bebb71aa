import { describe, expect, it } from 'vitest';
import type { FuzzReport } from '../harness/fuzz/report.ts';
import { errorOf, unwrap } from '../model/result.ts';
import { parseFuzzArgs } from './args.ts';
import { main } from './fuzz.ts';

const parse = (...argv: string[]) => parseFuzzArgs(argv, () => 4242);

/** The command in this process, its output captured. */
async function fuzzHere(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, {
    io: { out: (text: string) => void stdout.push(text), err: (text: string) => void stderr.push(text) },
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('--kernel linux arguments', () => {
  it('pins Linux knobs by their names in model/linux/knobs.ts; CPU masks may be hex', () => {
    const o = unwrap(
      parse(
        'p.ts',
        '--kernel',
        'linux',
        '--sysctl',
        'net.core.netdev_max_backlog=10',
        '--sysctl',
        'rx-N/rps_cpus=0x3',
      ),
    );
    if (o === 'help') throw new Error('help');
    expect(o.deployment).toEqual({
      kernel: 'linux',
      sysctl: { 'net.core.netdev_max_backlog': 10, 'rx-N/rps_cpus': 3 },
    });
  });

  it.each([
    [
      ['--kernel', 'linux', '--sysctl', 'net.core.netdev_max_backlog=-1'],
      /^--sysctl net.core.netdev_max_backlog=-1: net.core.netdev_max_backlog takes 0..1000000 packets \(default 1000\)$/,
    ],
    [
      ['--kernel', 'linux', '--sysctl', 'net.core.rps_sock_flow_entries=lots'],
      /^--sysctl net.core.rps_sock_flow_entries=lots: net.core.rps_sock_flow_entries takes 0..536870912 entries/,
    ],
    [
      ['--sysctl', 'net.core.netdev_max_backlog=10'],
      /^--sysctl net.core.netdev_max_backlog=10: net.core.netdev_max_backlog is a Linux knob: pin --kernel linux with it$/,
    ],
    [
      ['--kernel', 'linux', '--sysctl', 'net.isr.maxthreads=2'],
      /^--sysctl net.isr.maxthreads=2: net.isr.maxthreads is a FreeBSD knob, not one of --kernel linux$/,
    ],
    [
      ['--kernel', 'linux', '--sysctl', 'net.core.nope=1'],
      /^--sysctl net.core.nope=1: no knob net.core.nope \(have: net.core/,
    ],
    [
      ['--kernel', 'linux', '--cpus', '40-64'],
      /^--kernel linux: the Linux model runs 1..32 CPUs, not --cpus 40-64$/,
    ],
    [
      ['--kernel', 'linux', '--cpus', '1-4', '--sysctl', 'rx-N/rps_cpus=0x30'],
      /^--sysctl rx-N\/rps_cpus=0x30 names CPU 5, beyond --cpus 1-4$/,
    ],
  ])('refuses %j in one line naming the knob', (argv, message) => {
    expect(errorOf(parse('p.ts', ...argv))).toMatch(message);
  });
});

describe('npm run fuzz -- <policy> --kernel linux', () => {
  it('shows the pinned deployment, catches rfs-without-qtail.ts, and its replay line reproduces it', async () => {
    const file = 'policies/unsafe/rfs-without-qtail.ts';
    const first = await fuzzHere(file, '--kernel', 'linux', '--seed', '1', '--runs', '300', '--json');
    expect(first.code).toBe(1);
    const report = JSON.parse(first.stdout) as FuzzReport;
    expect(report.deployment).toEqual({ kernel: 'linux' });
    const v = report.violation;
    expect(v).toMatchObject({ property: 'linux-flow-order', rule: 'R4', shrunk: true });
    expect(v?.counterexample).toMatchObject({ kind: 'linux' });
    expect(v?.replay).toBe(
      `npm run fuzz -- ${file} --seed 1 --path ${v?.path} --kernel linux --property linux-flow-order`,
    );
    const again = await fuzzHere(...(v?.replay ?? '').split(' ').slice(4));
    expect(again.code).toBe(1);
    for (const part of [
      `fuzz ${file} (policy rfs-without-qtail, default export)  seed 1  cpus 1-64  kernel linux  `,
      `linux-flow-order violated on replay  seed 1  path "${v?.path}"`,
      'counterexample (Linux, the policy in place of RPS/RFS):',
      `  config:   ${JSON.stringify(v?.counterexample.config)}`,
      `Linux counters at event #${v?.netstatAtEvent}:`,
      '/proc/net/softnet_stat',
    ])
      expect(again.stdout).toContain(part);
  });
});
