import { describe, expect, it } from 'vitest';
import { type CheckCountersOptions, checkCounters } from './index.ts';
import { parseLinuxRelease } from './linux-release.ts';

/**
 * Healthy machines whose one snapshot a fault could also print: a 32-bit kernel's counters that
 * wrapped, a read taken while packets were counted, a CPU offline now, an early 2.6 softnet_stat.
 * Each is a note (exit 0) naming both readings and the flag that rules the healthy one out; the
 * same rule still breaks (exit 1) on what no such history explains, and with the flag.
 */
const check = (text: string, known: Omit<CheckCountersOptions, 'json'> = {}) =>
  checkCounters(text, { json: false, ...known });
const rules = (text: string, known: Omit<CheckCountersOptions, 'json'> = {}) =>
  check(text, known).checked.flatMap((c) => c.result.findings.map((f) => f.rule));
const notes = (text: string, known: Omit<CheckCountersOptions, 'json'> = {}) =>
  check(text, known).checked.flatMap((c) => c.result.explanations.map((e) => e.text));

/** The printed line of a note is capped at 400 characters (cli/terminal-text.ts): each one fits. */
const NOTE_LINE_CHARS_MAX = 400;
const fitsOneLine = (text: string) => {
  for (const n of notes(text)) expect(`  all cpus: ${n}`.length).toBeLessThanOrEqual(NOTE_LINE_CHARS_MAX);
};

describe('C-1 on i386 before FreeBSD 10: netstat -s -p udp counts in a 32-bit u_long', () => {
  const udp = (received: string, noport: string, delivered: string) =>
    `udp:\n\t${received} datagrams received\n\t0 with incomplete header\n\t0 with bad data length field\n` +
    `\t0 with bad checksum\n\t${noport} dropped due to no socket\n\t0 broadcast/multicast datagrams undelivered\n` +
    `\t0 dropped due to full socket buffers\n\t${delivered} delivered\n`;
  // received wrapped past 2^32 and reads below no socket: 100 - 200 in 32 bits.
  const i386 = udp('100', '200', '4294967196');

  it('delivered is the difference modulo 2^32: a note naming both netstats, exit 0', () => {
    const v = check(i386);
    expect(v.exitCode).toBe(0);
    expect(notes(i386)[0]).toMatch(
      /^delivered 4294967196 is received 100 less the 200 not delivered modulo 2\^32: netstat's u_long arithmetic .* a 64-bit netstat, which prints 18446744073709551516, .*--counters-64bit/,
    );
    fitsOneLine(i386);
  });

  it('with --counters-64bit, or one off modulo 2^32, or a count past 2^32, it is C-1', () => {
    expect(rules(i386, { counters64bit: true })).toEqual(['C-1']);
    expect(rules(udp('100', '200', '4294967195'))).toEqual(['C-1']);
    expect(rules(udp('4294967396', '4294967496', '4294967196'))).toEqual(['C-1']);
  });
});

describe('F-20 while fragments arrive: ip_reass counts ips_fragments before the drop', () => {
  // Reassembly off (net.inet.ip.maxfragpackets=0): every fragment is counted, then dropped.
  const ip = (fragments: string, dropped: string, reassembled = '0') =>
    `ip:\n\t987654321 total packets received\n\t${fragments} fragments received\n` +
    `\t${dropped} fragments dropped (dup or out of space)\n\t${reassembled} packets reassembled ok\n` +
    '\t900000000 packets for this host\n';
  const torn = ip('71234567', '71234570');

  it('fragdropped 3 ahead of fragments received: a note on a torn read, exit 0', () => {
    expect(check(torn).exitCode).toBe(0);
    expect(notes(torn)[0]).toMatch(
      /^71234567 fragments received, 3 fewer than dropped \+ timed out \+ reassembled \(71234570\): a read while fragments arrived and were dropped \(reassembly off or full\).*\(F-20\)\. Check again with --quiescent if the host was idle\.$/,
    );
    fitsOneLine(torn);
  });

  it('with --quiescent, or past what a read can miss, it is F-20', () => {
    expect(rules(torn, { quiescent: true })).toEqual(['F-20']);
    // 1/1024 of 72 million is about 70,000: a hundred thousand fragments more is no read.
    expect(rules(ip('71234567', '71334570'))).toEqual(['F-20']);
    expect(check(ip('71234567', '71334570')).stdout).toContain(
      '71234567 fragments received, 100003 fewer than dropped + timed out + reassembled (71334570) (more than the 69662 a read',
    );
    // Small counts: a read misses at most 300.
    expect(rules(ip('1000', '1300'))).toEqual([]);
    expect(rules(ip('1000', '1301'))).toEqual(['F-20']);
  });

  it('i386 before FreeBSD 10: ips_fragments wraps at 2^32 before the counts that end fragments (a note)', () => {
    const wrapped = ip('1000', '4294967000', '1000');
    expect(rules(wrapped)).toEqual([]);
    expect(notes(wrapped)[0]).toContain('a 32-bit kernel (i386 before FreeBSD 10, every count fits)');
    expect(rules(wrapped, { counters64bit: true })).toEqual(['F-20']);
  });
});

describe('U5 on a running or a 32-bit Linux', () => {
  const udp = (values: string) =>
    'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n' +
    `Udp: ${values}\n`;
  // A busy host: InErrors read one drop before RcvbufErrors.
  const torn = udp('9124512339 12 261929024 53 261929025 0 0 0 0');
  // A 32-bit kernel: InErrors wrapped at 2^32, its parts not yet.
  const wrapped = udp('3912345678 0 1000 22 4294966000 0 2296 0 0');

  it('InErrors one drop short: a note on a torn read, exit 0; with --quiescent, U5', () => {
    expect(check(torn).exitCode).toBe(0);
    expect(notes(torn)[0]).toBe(
      'InErrors 261929024 is 1 below RcvbufErrors + MemErrors + InCsumErrors = 261929025: a read while drops were counted: ' +
        'each goes to its part, then to InErrors, read first (a read may miss up to 255790); or a drop charged to its part ' +
        'but not to InErrors (U5). Check again with --quiescent if the host was idle.',
    );
    expect(rules(torn, { quiescent: true })).toEqual(['U5']);
  });

  it('a shortfall past 1/1024 of the parts is U5 on any host', () => {
    const lost = udp('9124512339 12 200000000 53 261929025 0 0 0 0');
    expect(rules(lost)).toEqual(['U5']);
    expect(check(lost).stdout).toContain(
      'InErrors 200000000 < RcvbufErrors + MemErrors + InCsumErrors = 261929025 (61929025 short: more than the 255790 a read',
    );
  });

  it('InErrors wrapped at 2^32 on a 32-bit kernel: a note; with --counters-64bit, U5', () => {
    expect(check(wrapped).exitCode).toBe(0);
    expect(notes(wrapped)[0]).toContain(
      'a 32-bit kernel (every value fits): InErrors, counting all of them, wrapped at 2^32 first; or a drop charged',
    );
    expect(rules(wrapped, { counters64bit: true })).toEqual(['U5']);
    // A value past 2^32 is a 64-bit kernel: no wrap.
    expect(rules(udp('4294967296 0 1000 22 4294966000 0 2296 0 0'))).toEqual(['U5']);
    // InErrors more than half a lap behind its parts is no wrap of it.
    expect(rules(udp('3912345678 0 1000000000 22 3000000000 0 0 0 0'))).toEqual(['U5']);
  });

  it('a wrap and a read in flight together, and every note fits its printed line', () => {
    const both = udp('3912345678 0 999 22 4294966000 0 2297 0 0');
    expect(rules(both)).toEqual([]);
    expect(notes(both)[0]).toContain('wrapped at 2^32 first, plus counts moved while read (up to 4194304)');
    expect(notes(both)[0]).toContain(
      '--counters-64bit if its counters are 64-bit, --quiescent if the host was idle',
    );
    expect(rules(both, { quiescent: true })).toEqual(['U5']);
    for (const t of [torn, wrapped, both]) fitsOneLine(t);
  });
});

describe('R8 with a CPU offline now (softnet_stat lists online CPUs only)', () => {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  // processed dropped squeeze, 6 zero columns, received_rps flow_limit backlog cpu, input process
  const row15 = (cpu: number, dropped: number, rps: number, limited: number) =>
    [1000, dropped, 0, 0, 0, 0, 0, 0, 0, rps, limited, 0, cpu, 0, 0].map(hex).join(' ');
  // cpu 0 enqueued to an RPS target that is offline now: its drops are not listed.
  const offline = `${row15(0, 0, 0, 500)}\n${row15(1, 0, 900, 0)}\n`;
  const gap = `${row15(0, 0, 0, 500)}\n${row15(2, 0, 900, 0)}\n`;

  it('flow-limit drops above the listed drops: a note naming the offline CPU, exit 0', () => {
    expect(check(offline).exitCode).toBe(0);
    expect(notes(offline)[0]).toBe(
      'flow_limit_count 500 above dropped 0: RPS sent the drops to a CPU offline now, not listed (none below cpu 1 is missing: ' +
        'one after it): skb_flow_limit counts on the enqueuing CPU, the drop on the target; or dropped misses flow-limit drops (R8). ' +
        'Check again with --all-cpus-online if every CPU was online.',
    );
    expect(notes(gap)[0]).toContain('not listed (cpu 1 is missing)');
    const eleven = `${hex(4096)} 00000000 ${'00000000 '.repeat(8)}${hex(500)}\n`;
    expect(notes(eleven)[0]).toContain('(before 5.10 no CPU index shows the gap)');
    fitsOneLine(offline);
  });

  it('with --all-cpus-online a read in flight is still a note; with --quiescent too, R8', () => {
    const small = `${row15(0, 4, 0, 6)}\n${row15(1, 0, 0, 0)}\n`;
    expect(rules(small, { allCpusOnline: true })).toEqual([]);
    expect(notes(small, { allCpusOnline: true })[0]).toContain('a read while drops were counted');
    expect(rules(small, { allCpusOnline: true, quiescent: true })).toEqual(['R8']);
    expect(rules(offline, { allCpusOnline: true })).toEqual(['R8']);
    expect(check(offline, { allCpusOnline: true }).stdout).toContain(
      'R8  flow_limit_count 500 above dropped 0 with every CPU online',
    );
  });

  it('a CPU that came back is listed with its counters: the sum holds again', () => {
    expect(rules(`${row15(0, 0, 0, 500)}\n${row15(1, 500, 900, 0)}\n`, { allCpusOnline: true })).toEqual([]);
  });
});

describe('C-2 on the 9-column softnet_stat of early 2.6 (struct netif_rx_stats)', () => {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const row9 = (...v: number[]) => `${v.map(hex).join(' ')}\n`;
  // total dropped time_squeeze throttled, 4 x fastroute, cpu_collision
  const throttled = row9(123456, 12, 34, 7, 0, 0, 0, 0, 2);
  const fastroute = row9(123456, 12, 34, 7, 3, 1, 0, 0, 2);

  it('throttled in column 4 and fastroute counts in 5 to 8: a note, exit 0', () => {
    expect(check(throttled).exitCode).toBe(0);
    expect(notes(throttled)[0]).toMatch(
      /^column 4 not 0 \(cpu 0\): on 2\.6 before 2\.6\.14 these 9 columns may be struct netif_rx_stats, column 4 netif_rx's throttled .* Check again with --linux-release <uname -r> if the kernel is 2\.6\.14 or later\.$/,
    );
    expect(notes(fastroute)[0]).toMatch(/^columns 4, 5, 6 not 0 \(cpu 0\)/);
    fitsOneLine(fastroute);
  });

  it('throttled above dropped is C-2 on any 2.6: netif_rx counts a drop with every throttle', () => {
    expect(rules(row9(123456, 5, 34, 7, 0, 0, 0, 0, 2))).toEqual(['C-2']);
    // One in flight: throttled is bumped first.
    expect(rules(row9(123456, 6, 34, 7, 0, 0, 0, 0, 2))).toEqual([]);
    expect(rules(row9(123456, 6, 34, 7, 0, 0, 0, 0, 2), { quiescent: true })).toEqual(['C-2']);
  });

  it('--linux-release 2.6.14 or later: columns 4 to 8 are printed as 0 (C-2); before, no note', () => {
    const el5 = parseLinuxRelease('2.6.18-419.el5');
    if (el5 === undefined) throw new Error('2.6.18-419.el5');
    expect(rules(throttled, { linuxRelease: el5 })).toEqual(['C-2']);
    expect(check(fastroute, { linuxRelease: el5 }).stdout).toContain(
      'C-2  columns 4, 5, 6 not 0 (Linux 2.6.18 prints 0 there)',
    );
    const early = parseLinuxRelease('2.6.9');
    if (early === undefined) throw new Error('2.6.9');
    expect(check(fastroute, { linuxRelease: early }).exitCode).toBe(0);
    expect(notes(fastroute, { linuxRelease: early }).some((n) => n.includes('netif_rx_stats'))).toBe(false);
    expect(rules(row9(123456, 12, 34, 0, 0, 0, 0, 0, 2), { linuxRelease: el5 })).toEqual([]);
  });
});

describe('uname -r as --linux-release reads it', () => {
  it.each([
    ['2.6.18-419.el5', { major: 2, minor: 6, patch: 18 }],
    ['5.15.0-91-generic', { major: 5, minor: 15, patch: 0 }],
    ['6.8', { major: 6, minor: 8, patch: 0 }],
    ['4.9.337+', { major: 4, minor: 9, patch: 337 }],
  ])('%s', (text, release) => {
    expect(parseLinuxRelease(text)).toEqual(release);
  });

  it.each(['', 'linux', 'v6.1', '2', '2.6x'])('refuses %j', (text) => {
    expect(parseLinuxRelease(text)).toBeUndefined();
  });
});
