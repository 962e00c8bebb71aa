import { describe, expect, it } from 'vitest';
import { errorOf } from '../model/result.ts';
import { runCheckCounters } from './check-counters.ts';
import { parseLiveArgs } from './live-args.ts';

/** Every command refuses its flags in the same words: one line, no Node hints. */
describe('flag refusals, the same for each command', () => {
  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['--sysctl'], '--sysctl: missing value'],
    [['--read-delay-ms'], '--read-delay-ms: missing value'],
    [
      ['--rcvbuf', '--json'],
      '--rcvbuf: missing value (an option follows it; a value starting with - is written --rcvbuf=-...)',
    ],
    [['--rcvbuf', '-1'], '--rcvbuf -1: want a whole number'],
    [['--queues', '-2'], '--queues -2: want a whole number'],
  ])('live %j: %s', (argv, message) => {
    expect(errorOf(parseLiveArgs(argv, 2))).toBe(message);
  });

  it('live --ipv6 sends the flows over IPv6; IPv4 by default', () => {
    const v6 = parseLiveArgs(['--ipv6', '--preset', 'overload'], 2);
    const v4 = parseLiveArgs([], 2);
    expect(v6.ok && v6.value !== 'help' && v6.value.config.family).toBe('inet6');
    expect(v4.ok && v4.value !== 'help' && v4.value.config.family).toBe('inet');
  });

  it('check-counters names an unknown flag the same way', () => {
    const r = runCheckCounters(['--bogus', 'x.txt']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('check-counters: unknown option --bogus');
  });
});
