import { describe, expect, it } from 'vitest';
import { checkCounters } from './index.ts';

/**
 * Tables written here in each layout the kernels print (no real softnet_stat or ip statistics are
 * among the fixtures), then broken one identity at a time.
 */
const hex = (n: number) => n.toString(16).padStart(8, '0');

/** One softnet_stat row in the given layout; `extra` overrides columns by 0-based index. */
function softnetRow(columns: number, cpu: number, extra: Readonly<Record<number, number>> = {}): string {
  const v = Array.from({ length: columns }, (_, k) => (k === 0 ? 1000 + cpu : k === 12 ? cpu : 0));
  for (const [k, n] of Object.entries(extra)) v[Number(k)] = n;
  return v.map(hex).join(' ');
}

const softnet = (columns: number, rows: readonly Readonly<Record<number, number>>[]) =>
  `${rows.map((extra, cpu) => softnetRow(columns, cpu, extra)).join('\n')}\n`;

const verdict = (text: string) => checkCounters(text, { json: false });
const rules = (text: string) => verdict(text).checked.flatMap((c) => c.result.findings.map((f) => f.rule));
/** On an idle 64-bit machine with every CPU online no healthy history bends U5, F-20 or R8. */
const exactRules = (text: string) =>
  checkCounters(text, {
    json: false,
    counters64bit: true,
    quiescent: true,
    allCpusOnline: true,
  }).checked.flatMap((c) => c.result.findings.map((f) => f.rule));

describe('/proc/net/softnet_stat in every layout the kernel printed', () => {
  it.each([
    [9, 'Linux 2.6 up to 2.6.34'],
    [10, 'Linux 2.6.35 to 3.10'],
    [11, 'Linux 3.11 to 5.9'],
    [13, 'Linux 5.10 and later'],
    [15, 'recent Linux 6.x'],
  ])('%i columns: %s', (columns, kernels) => {
    const v = verdict(softnet(columns, [{ 2: 3 }, { 1: 2, 2: 40 }, {}, { 2: 1 }]));
    expect(v.exitCode).toBe(0);
    expect(v.checked[0]?.section.layout).toContain(`${columns} columns: ${kernels}`);
    expect(v.stdout).toMatch(/90\.9% of them on cpu 1[\s\S]*netdev_budget/);
    expect(v.stdout).toMatch(/cpu 1: 2 backlog drops[\s\S]*netdev_max_backlog/);
  });

  it('refuses a column count no kernel printed, naming the line', () => {
    const v = verdict(softnet(12, [{}]));
    expect(v.exitCode).toBe(2);
    expect(v.stderr).toBe(
      'check-counters: line 1: softnet_stat row has 12 columns, a layout no kernel printed; expected 9, 10, 11, 13, 15 columns\n',
    );
  });

  it('names the line of a row cut short', () => {
    const text = softnet(13, [{}, {}, {}]).replace(/ 00000000 00000002\n$/, '\n');
    expect(verdict(text).stderr).toContain('line 3: softnet_stat row has 11 fields; expected 13 fields');
  });

  it('catches corrupted rows with the right rule', () => {
    expect(rules(softnet(15, [{}, { 11: 5, 13: 2, 14: 2 }]))).toEqual(['C-3']);
    expect(rules(softnet(11, [{ 5: 1 }]))).toEqual(['C-2']);
    expect(rules(softnet(13, [{}, { 8: 7 }]))).toEqual(['C-2']);
    expect(rules(softnet(13, [{ 12: 0 }, { 12: 2 }, { 12: 1 }]))).toEqual(['C-4']);
    expect(exactRules(softnet(11, [{ 1: 1, 10: 1 }, { 10: 1 }]))).toEqual(['R8']);
    // Offline CPUs are skipped: indexes 0, 2, 3 are fine; the flow-limit count may sit on another CPU.
    expect(rules(softnet(13, [{ 12: 0 }, { 12: 2 }, { 12: 3, 1: 4 }, {}].slice(0, 3)))).toEqual([]);
    expect(rules(softnet(11, [{ 1: 1 }, { 10: 1 }]))).toEqual([]);
  });
});

/** /proc/net/snmp as snmp_seq_show prints it (net/ipv4/proc.c), Ip and Udp groups. */
const SNMP = `Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates
Ip: 1 64 1000 0 0 0 0 0 990 500 0 0 2 40 15 3 0 0 0
Icmp: InMsgs InErrors InCsumErrors InDestUnreachs
Icmp: 3 0 0 3
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 900 4 12 800 7 0 2 0 3
`;

describe('/proc/net/snmp Ip and Udp', () => {
  it('passes a consistent table and explains the drops', () => {
    const v = verdict(SNMP);
    expect(v.exitCode).toBe(0);
    expect(v.checked[0]?.section.layout).toBe('Ip, Icmp, Udp rows');
    expect(v.stdout).toContain('3 drops for UDP memory pressure');
  });

  it('catches InErrors that do not cover RcvbufErrors + MemErrors + InCsumErrors (U5)', () => {
    expect(exactRules(SNMP.replace('Udp: 900 4 12', 'Udp: 900 4 11'))).toEqual(['U5']);
  });

  it('catches fragments not accounted for (F10)', () => {
    expect(rules(SNMP.replace(' 2 40 15 3 ', ' 2 31 15 3 '))).toEqual(['F10']);
    expect(rules(SNMP.replace(' 2 40 15 3 ', ' 4 40 15 3 '))).toEqual(['F10']);
  });

  // snmp_seq_show prints Tcp MaxConn with %ld (-1: no limit), every other field unsigned.
  it('takes -1 for Tcp MaxConn, and refuses a minus sign in any other field', () => {
    const tcp = 'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens\nTcp: 1 200 120000 -1 7\n';
    expect(verdict(`${SNMP}${tcp}`).exitCode).toBe(0);
    expect(verdict(SNMP.replace('Udp: 900 4 12', 'Udp: -900 4 12')).stderr).toContain(
      'line 6: Udp InDatagrams is "-900"; expected an unsigned 64-bit count (the kernel prints every field but Tcp MaxConn with %lu)',
    );
    expect(verdict(`${SNMP}${tcp.replace(' 7\n', ' -7\n')}`).stderr).toContain(
      'line 8: Tcp ActiveOpens is "-7"',
    );
    expect(verdict(SNMP.replace('Ip: 1 64 1000', 'Ip: 1 -64 1000')).stderr).toContain(
      'line 2: Ip DefaultTTL is "-64"',
    );
  });

  it('names the line of a values row with a missing field', () => {
    expect(verdict(SNMP.replace('Udp: 900 4 12 800', 'Udp: 900 4 12')).stderr).toContain(
      'line 6: Udp has 8 values for 9 fields; expected 9 values, one per field of line 5',
    );
  });
});

/** FreeBSD netstat -s -p ip as ip_stats prints it (usr.bin/netstat/inet.c), the reassembly lines. */
const IP_STATS = `ip:
\t120 total packets received
\t0 bad header checksums
\t1 with size smaller than minimum
\t0 with data size < data length
\t0 with ip length > max ip packet size
\t40 fragments received
\t6 fragments dropped (dup or out of space)
\t4 fragments dropped after timeout
\t12 packets reassembled ok
\t90 packets for this host
\t0 packets forwarded (0 packets fast forwarded)
`;

describe('FreeBSD netstat -s -p ip', () => {
  it('passes when every fragment is accounted for and explains the losses', () => {
    const v = verdict(IP_STATS);
    expect(v.exitCode).toBe(0);
    expect(v.checked[0]?.section.layout).toBe('netstat -s -p ip');
    expect(v.stdout).toContain('net.inet.ip.maxfragsperpacket');
  });

  it('catches fragments received below what was dropped, timed out and reassembled (F-20)', () => {
    expect(exactRules(IP_STATS.replace('40 fragments', '20 fragments'))).toEqual(['F-20']);
  });

  it('names the line of a counter too large for 64 bits', () => {
    expect(verdict(IP_STATS.replace('\t40 fragments', '\t18446744073709551616 fragments')).stderr).toContain(
      'line 7: counter "18446744073709551616" is out of range; expected an unsigned 64-bit count',
    );
  });

  // Read as a phrase line, it left a hole that a broken identity then reported (F-20 here).
  it('names the line of a negative count instead of skipping it', () => {
    const v = verdict(IP_STATS.replace('\t40 fragments', '\t-40 fragments'));
    expect(v.exitCode).toBe(2);
    expect(v.stderr).toContain(
      'line 7: a negative count; expected an unsigned 64-bit count (netstat prints %ju)',
    );
  });
});
