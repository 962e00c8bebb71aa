import { describe, expect, it } from 'vitest';
import { checkCounters } from './index.ts';

/**
 * Tables from kernels older than the ones the identities were written against, and from 32-bit
 * ones, where a column meant something else or a counter wraps at 2^32: read, and held to what
 * that kernel did.
 */
const verdict = (text: string) => checkCounters(text, { json: false });
const rules = (text: string) => verdict(text).checked.flatMap((c) => c.result.findings.map((f) => f.rule));

describe('FreeBSD 8 netstat -Q (before net.isr.dispatch)', () => {
  // usr.bin/netstat/netisr.c of FreeBSD 8: `Setting Value Maximum`, Direct dispatch and Forced
  // direct dispatch in place of Dispatch policy, no Dispatch column in Protocols.
  const CONFIG = `Thread count                         1            1
Default queue limit                256        10240
Direct dispatch                enabled          n/a
Forced direct dispatch        disabled          n/a
Threads bound to CPUs         disabled          n/a`;
  const REST = `Protocols:
Name   Proto QLimit Policy Flags
ip         1    256   flow   ---
arp        4    256 source   ---

Workstreams:
WSID CPU   Name     Len WMark   Disp'd  HDisp'd   QDrops   Queued  Handled
   0   0  ip         0     0      100        0        0        0      100
   0   0  arp        0     0        7        0        0        0        7
`;

  it.each([
    [
      'with its header',
      `Configuration:\nSetting                          Value      Maximum\n${CONFIG}\n\n${REST}`,
    ],
    ['without its header', `${CONFIG}\n\n${REST}`],
  ])('%s: read, every identity holds', (_what, text) => {
    const v = verdict(text);
    expect(v.stderr).toBe('');
    expect(v.exitCode).toBe(0);
    expect(v.checked[0]?.section.layout).toMatch(/: Configuration, Protocols, Workstreams$/);
  });
});

describe('epair (FreeBSD 8 to 12 queues its packets in a netisr protocol of its own)', () => {
  it('the drop advice names net.link.epair.netisr_maxqlen, the qlimit if_epair.c sets', () => {
    const text = `Name   Proto QLimit Policy Dispatch Flags
ip         1    256   flow  default   ---
epair      8   2100    cpu  default   CD-

WSID CPU   Name     Len WMark   Disp'd  HDisp'd   QDrops   Queued  Handled
   0   0  ip         0     0       10        0        0        0       10
   0   0  epair      0  2100        0        0       99     5000     5000
`;
    const v = verdict(text);
    expect(v.exitCode).toBe(0);
    expect(v.checked[0]?.result.explanations.map((e) => e.knobs)).toEqual([
      ['net.link.epair.netisr_maxqlen', 'net.isr.maxthreads', 'net.isr.dispatch'],
    ]);
  });
});

describe('softnet_stat of early 2.6 kernels (9 columns)', () => {
  it('throttled (column 4) and the fastroute counts (5 to 8) may be non-zero: no C-2', () => {
    expect(
      rules('0001e240 0000000c 00000022 00000007 00000001 00000000 00000000 00000000 00000002\n'),
    ).toEqual([]);
    // From 2.6.35 (10 columns) they are printed as 0.
    expect(
      rules('0001e240 0000000c 00000022 00000007 00000000 00000000 00000000 00000000 00000002 00000000\n'),
    ).toEqual(['C-2']);
  });
});

describe('32-bit kernels: counters that wrap at 2^32', () => {
  const udp = (received: string, noport: string, delivered: string) => `udp:
\t${received} datagrams received
\t0 with incomplete header
\t0 with bad data length field
\t0 with bad checksum
\t${noport} dropped due to no socket
\t0 broadcast/multicast datagrams undelivered
\t0 dropped due to full socket buffers
\t${delivered} delivered
`;

  it('FreeBSD i386 before 10: netstat computes "delivered" in a 32-bit u_long (C-1 holds modulo 2^32)', () => {
    // received wrapped past 2^32, so it reads below no socket; 100 - 200 in 32 bits is 4294967196.
    expect(rules(udp('100', '200', '4294967196'))).toEqual([]);
    expect(rules(udp('100', '200', '4294967195'))).toEqual(['C-1']);
    // A count past 2^32 is a 64-bit netstat, which wraps at 2^64 only.
    expect(rules(udp('4294967396', '200', '4294967196'))).toEqual([]);
    expect(rules(udp('4294967396', '4294967496', '4294967196'))).toEqual(['C-1']);
  });

  const snmp = (values: string) =>
    `Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors\nUdp: ${values}\n`;

  it('Linux: InErrors wrapped when it is less than half a lap ahead of its parts and every value fits in 32 bits (a note, no U5)', () => {
    const v = verdict(snmp('3912345678 0 1000 22 4294966000 0 2296'));
    expect(v.exitCode).toBe(0);
    expect(v.stdout).toContain(
      'Udp: InErrors 1000 is 4294967296 below RcvbufErrors + InCsumErrors = 4294968296: a 32-bit kernel (every value fits)',
    );
    // Parts just below 2^32: InErrors wrapped once they and 2296 other errors passed it.
    expect(rules(snmp('3912345678 0 1000 22 4294966000 0 0'))).toEqual([]);
    // More than half a lap behind: no wrap of InErrors explains it.
    expect(rules(snmp('3912345678 0 1000 22 2147484000 0 0'))).toEqual(['U5']);
    // A value past 2^32 is a 64-bit kernel, whose counters do not wrap.
    expect(rules(snmp('4294967296 0 1000 22 4294966000 0 2296'))).toEqual(['U5']);
  });
});
