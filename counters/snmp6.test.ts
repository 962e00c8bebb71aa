import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkCounters } from './index.ts';
import { realTable } from './testing.ts';

/** /proc/net/snmp6 of a Linux 6.18 machine, and one device's file of the same machine. */
const SNMP6 = realTable('proc-net-snmp6/linux-6.18.txt');
const DEV_ETH0 = readFileSync(
  new URL('../fixtures/proc-net-dev-snmp6/linux-6.18-eth0.txt', import.meta.url),
  'utf8',
);

/** Sets counter `name` (its whole name, `Udp6InErrors`) as the kernel prints it. */
function set(text: string, name: string, value: string): string {
  const re = new RegExp(`^${name}(\\s+)\\S+$`, 'm');
  if (!re.test(text)) throw new Error(`no counter ${name}`);
  return text.replace(re, (_all, gap: string) => `${name}${gap}${value}`);
}

const setAll = (text: string, values: Record<string, string>) =>
  Object.entries(values).reduce((t, [n, v]) => set(t, n, v), text);

function findings(text: string, quiescent = false) {
  const v = checkCounters(text, { json: false, quiescent });
  return { v, found: v.checked.flatMap((c) => c.result.findings) };
}

describe('check-counters on /proc/net/snmp6', () => {
  it("reads the kernel's file: the Ip6 and Udp6 identities checked, every one holds", () => {
    const { v } = findings(SNMP6);
    expect(v.exitCode).toBe(0);
    expect(v.checked).toHaveLength(1);
    expect(v.checked[0]?.section.layout).toBe('snmp6: Ip6, Icmp6, Udp6, UdpLite6 rows');
    expect(v.checked[0]?.result.checks).toBe(4);
  });

  it('U5 on Udp6: InErrors below RcvbufErrors + MemErrors + InCsumErrors is broken, at its line', () => {
    const text = setAll(SNMP6, {
      Udp6InErrors: '10',
      Udp6RcvbufErrors: '7',
      Udp6MemErrors: '2',
      Udp6InCsumErrors: '2',
    });
    // One short is what a read while drops are counted can miss: a note, unless the host was idle.
    expect(findings(text).v.exitCode).toBe(0);
    const { v, found } = findings(text, true);
    expect(v.exitCode).toBe(1);
    const line = text.split('\n').findIndex((l) => l.startsWith('Udp6InDatagrams')) + 1;
    expect(found).toEqual([
      {
        format: 'proc-net-snmp',
        rule: 'U5',
        line,
        row: 'Udp6',
        message: 'InErrors 10 < RcvbufErrors + MemErrors + InCsumErrors = 11',
      },
    ]);
    expect(findings(set(text, 'Udp6InErrors', '11')).v.exitCode).toBe(0);
  });

  it('F10 on Ip6: an atomic fragment is one request and one OK, so 1 x ReasmOKs, not 2', () => {
    // Five atomic fragments: five requests, five OKs (2 x OKs would call this broken).
    expect(findings(setAll(SNMP6, { Ip6ReasmReqds: '5', Ip6ReasmOKs: '5' })).v.exitCode).toBe(0);
    const { found } = findings(
      setAll(SNMP6, { Ip6ReasmReqds: '5', Ip6ReasmOKs: '5', Ip6ReasmTimeout: '1', Ip6ReasmFails: '1' }),
    );
    expect(found.map((f) => [f.rule, f.row, f.message])).toEqual([
      ['F10', 'Ip6', 'ReasmReqds 5 < ReasmOKs 5 + ReasmTimeout 1'],
    ]);
    expect(
      findings(setAll(SNMP6, { Ip6ReasmReqds: '9', Ip6ReasmTimeout: '3', Ip6ReasmFails: '2' })).found.map(
        (f) => f.message,
      ),
    ).toEqual(['ReasmTimeout 3 > ReasmFails 2']);
  });

  it("one device's file (ifIndex first): read, its reassembly counts not checked", () => {
    const { v } = findings(set(DEV_ETH0, 'Ip6ReasmOKs', '99'));
    expect(v.exitCode).toBe(0);
    expect(v.checked[0]?.result.checks).toBe(0);
    expect(v.checked[0]?.section.layout).toMatch(
      /^snmp6 of one device \(ifIndex \d+\): Ip6, Icmp6 rows; its reassembly counts are not checked/,
    );
  });

  it('beside /proc/net/snmp, a table each', () => {
    const snmp = realTable('proc-net-snmp/udp-rcvbuf-blog.txt');
    const v = checkCounters(`${snmp}\n${SNMP6}`, { json: false });
    expect(v.exitCode).toBe(0);
    expect(v.checked.map((c) => c.section.layout)).toEqual([
      'Udp rows',
      'snmp6: Ip6, Icmp6, Udp6, UdpLite6 rows',
    ]);
  });

  it.each([
    ['a negative count', '-5', /^check-counters: line \d+: Udp6InErrors is "-5"/],
    ['a word', 'many', /^check-counters: line \d+: Udp6InErrors is "many"/],
    [
      'a count past 2^64 - 1',
      '18446744073709551616',
      /^check-counters: line \d+: Udp6InErrors is "18446744073709551616"/,
    ],
  ])('refuses %s in one line, exit 2', (_what, value, line) => {
    const v = checkCounters(set(SNMP6, 'Udp6InErrors', value), { json: false });
    expect(v.exitCode).toBe(2);
    expect(v.stderr).toMatch(line);
    expect(v.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it("explains Udp6 drops in the kernel's terms, with the knobs, word for word", () => {
    const text = setAll(SNMP6, {
      Udp6InDatagrams: '3000',
      Udp6InErrors: '1500',
      Udp6RcvbufErrors: '1000',
      Udp6MemErrors: '500',
    });
    const { v } = findings(text);
    expect(v.exitCode).toBe(0);
    expect(v.checked[0]?.result.explanations).toEqual([
      {
        format: 'proc-net-snmp',
        row: 'Udp6',
        text: '1,000 receive-buffer drops (25.0% of datagrams that reached a socket): a socket queue was over its SO_RCVBUF when the packet came (U2, U5). Read faster, or raise SO_RCVBUF (capped by net.core.rmem_max; net.core.rmem_default for sockets that do not ask).',
        knobs: ['SO_RCVBUF', 'net.core.rmem_max', 'net.core.rmem_default'],
      },
      {
        format: 'proc-net-snmp',
        row: 'Udp6',
        text: '500 drops for UDP memory pressure (U4, U5): the protocol-wide limit was hit.',
        knobs: ['net.ipv4.udp_mem'],
      },
    ]);
    // Nothing to explain without drops; a group without InErrors (Icmp6) is not judged.
    expect(findings(SNMP6).v.checked[0]?.result.explanations).toEqual([]);
  });

  it('a Udp6 group without its error counters, or an Ip6 group without reassembly counters: not judged', () => {
    const udpOnly = 'Udp6InDatagrams                 \t5\nUdp6OutDatagrams                \t5\n';
    expect(checkCounters(udpOnly, { json: false }).checked[0]?.result.checks).toBe(0);
    const ipOnly = 'Ip6InReceives                   \t5\nIp6ReasmReqds                   \t0\n';
    expect(checkCounters(ipOnly, { json: false }).checked[0]?.result.checks).toBe(0);
    const noTimeout =
      'Ip6ReasmReqds                   \t4\nIp6ReasmOKs                     \t2\nIp6ReasmFails                   \t0\n';
    const r = checkCounters(noTimeout, { json: false });
    expect([r.exitCode, r.checked[0]?.result.checks]).toEqual([0, 2]);
  });
});
