import { describe, expect, it } from 'vitest';
import { checkCounters } from './index.ts';

/** Tables from kernels older than the ones the identities were written against: read, and held to what that kernel did. */
const verdict = (text: string) => checkCounters(text, { json: false });

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
