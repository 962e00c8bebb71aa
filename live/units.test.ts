import { describe, expect, it } from 'vitest';
import { errorOf } from '../model/result.ts';
import { missingSysctl } from './capabilities.ts';
import { Cleanup } from './cleanup.ts';
import { defaultLiveConfig, liveConfigError, presetConfig } from './config.ts';
import {
  parseSnmp,
  parseSnmp6,
  parseSoftnetStat,
  parseTraceLine,
  snmp6DeltaText,
  snmpDeltaText,
} from './parse.ts';
import { isWorkloadEntry, type LiveRecording } from './recording.ts';
import { liveAddresses, ownerPid, staleNamespaces } from './topology.ts';
import { liveEvents } from './tracefs.ts';

describe('live helpers without a kernel', () => {
  it('refuses bad configurations with one line naming the fix', () => {
    const c = defaultLiveConfig(2);
    expect(liveConfigError(c, 2)).toBeUndefined();
    expect(liveConfigError({ ...c, sysctl: { 'net.core.nope': 1 } }, 2)).toMatch(
      /^unknown sysctl net.core.nope/,
    );
    expect(liveConfigError({ ...c, sysctl: { 'kernel.HZ': 250 } }, 2)).toMatch(
      /cannot be set on a running kernel/,
    );
    expect(liveConfigError({ ...c, sysctl: { 'rx-N/rps_cpus': 4 } }, 2)).toMatch(/CPU that does not exist/);
    expect(liveConfigError({ ...c, receiverCpu: 2 }, 2)).toMatch(/no such CPU/);
    expect(liveConfigError({ ...c, queues: 65 }, 2)).toMatch(/--queues 65/);
    expect(errorOf(presetConfig('nope', 2))).toMatch(/unknown --preset/);
  });

  it('recognises leftovers of its own dead runs only', () => {
    const listing = 'nsc-42-ab12-rx (id: 3)\nnsc-43-cd34-tx\nother-ns\nnsc-x-1\n';
    expect(staleNamespaces(listing, (pid) => pid === 43)).toEqual(['nsc-42-ab12-rx']);
    expect(ownerPid('nsc-7-00ff')).toBe(7);
    expect(ownerPid('nscfoo')).toBeUndefined();
  });

  it('runs every undo step, last first, even when one fails', () => {
    const c = new Cleanup();
    const done: string[] = [];
    c.add('a', () => done.push('a'));
    c.add('b', () => {
      throw new Error('boom');
    });
    c.add('c', () => done.push('c'));
    c.runAll();
    expect(done).toEqual(['c', 'a']);
    expect(c.errors).toEqual(['could not b: boom']);
  });

  it('parses tracefs lines, softnet_stat rows and snmp deltas', () => {
    const l = parseTraceLine(
      '  node-1  [001] b.s1.  3256.729926: kfree_skb: skbaddr=00000000ef253506 rx_sk=0 protocol=2048 location=udp_queue_rcv_one_skb+0x1/0x2 reason: SOCKET_RCVBUFF',
    );
    expect(l).toMatchObject({ cpu: 1, atNs: 3256729926000, event: 'kfree_skb' });
    expect(l?.fields.reason).toBe('SOCKET_RCVBUFF');
    const row =
      '00000014 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000005 00000000 00000000 00000001 00000000 00000000';
    expect(parseSoftnetStat(row).get(1)).toMatchObject({ processed: 20, dropped: 3, receivedRps: 5 });
    const before = 'Udp: InDatagrams RcvbufErrors\nUdp: 10 2\n';
    const after = 'Udp: InDatagrams RcvbufErrors\nUdp: 15 9\n';
    expect(parseSnmp(snmpDeltaText(before, after)).get('Udp.RcvbufErrors')).toBe(7);
  });

  it('parses snmp6 deltas, rendered back as the kernel prints them', () => {
    const before =
      'Ip6InReceives                   \t5\nUdp6InDatagrams                 \t10\nUdp6RcvbufErrors                \t2\n';
    const after =
      'Ip6InReceives                   \t9\nUdp6InDatagrams                 \t15\nUdp6RcvbufErrors                \t9\n';
    const delta = snmp6DeltaText(before, after);
    expect(delta).toBe(
      'Ip6InReceives                   \t4\nUdp6InDatagrams                 \t5\nUdp6RcvbufErrors                \t7\n',
    );
    expect(parseSnmp6(delta)).toEqual(
      new Map([
        ['Ip6.InReceives', 4],
        ['Udp6.InDatagrams', 5],
        ['Udp6.RcvbufErrors', 7],
      ]),
    );
  });

  it('an IPv6 run uses documentation addresses and keeps only its own ethertype in kfree_skb', () => {
    expect(liveAddresses('inet6')).toEqual({ tx: '2001:db8:5::1', rx: '2001:db8:5::2', prefix: 64 });
    expect(liveAddresses('inet').rx).toMatch(/^198\.51\.100\./);
    const kfree = (family: 'inet' | 'inet6') =>
      liveEvents('nscr', family).find((e) => e.event === 'skb/kfree_skb')?.filter;
    expect(kfree('inet')).toBe('protocol == 2048');
    expect(kfree('inet6')).toBe('protocol == 34525');
  });

  it("a workload datagram is the run's device, ethertype and length: an MLD report or another family's is not", () => {
    const rec = {
      device: 'nscr',
      config: { ...defaultLiveConfig(2), family: 'inet6', payloadBytes: 64 },
    } as unknown as LiveRecording;
    const entry = (protocol: string, len: number, dev = 'nscr') => ({ dev, protocol, len: String(len) });
    expect(isWorkloadEntry(rec, entry('0x86dd', 40 + 8 + 64))).toBe(true);
    // MLDv2 report: IPv6 header, hop-by-hop header, one 20-byte record.
    expect(isWorkloadEntry(rec, entry('0x86dd', 40 + 8 + 8 + 20))).toBe(false);
    expect(isWorkloadEntry(rec, entry('0x0800', 20 + 8 + 64))).toBe(false);
    expect(isWorkloadEntry(rec, entry('0x86dd', 40 + 8 + 64, 'other'))).toBe(false);
    // A recording from before the family was kept is IPv4.
    const old = { ...rec, config: { ...rec.config, family: undefined } } as unknown as LiveRecording;
    expect(isWorkloadEntry(old, entry('0x0800', 20 + 8 + 64))).toBe(true);
  });

  it('a knob this kernel lacks is named with its file and kernel option; present ones pass', () => {
    const without = (missing: string) => (path: string) => path !== missing;
    expect(
      missingSysctl(
        ['net.core.netdev_max_backlog', 'net.core.flow_limit_cpu_bitmap'],
        without('/proc/sys/net/core/flow_limit_cpu_bitmap'),
      ),
    ).toBe(
      'net.core.flow_limit_cpu_bitmap: this kernel has no /proc/sys/net/core/flow_limit_cpu_bitmap (built without CONFIG_NET_FLOW_LIMIT?)',
    );
    expect(missingSysctl(['net.core.skb_defer_max'], without('/proc/sys/net/core/skb_defer_max'))).toBe(
      'net.core.skb_defer_max: this kernel has no /proc/sys/net/core/skb_defer_max',
    );
    expect(missingSysctl(['net.core.netdev_max_backlog'], () => true)).toBeUndefined();
    expect(missingSysctl([], () => false)).toBeUndefined();
  });
});
