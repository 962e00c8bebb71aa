import { describe, expect, it } from 'vitest';
import { countsDrops, isCounterName, qdropsProto } from './vocab.ts';

describe('the trace vocabulary: counter names', () => {
  it('knows the kernel counters and the per-instance ones, and nothing else', () => {
    for (const name of [
      'ips_total',
      'ifi_iqdrops',
      'ip.QDrops',
      'ip6_direct.policy_errors',
      'esps_qfull',
      'Udp.MemErrors',
      'softnet.time_squeeze',
      'softnet_cpu12.backlog_len',
      'udp_sock0.rx_queue',
      'gre3.oerrors',
    ])
      expect(isCounterName(name), name).toBe(true);
    for (const name of ['ips_totally', 'xip.QDrops', 'ip.QDropsX', 'softnet_cpu.dropped', 'gif0.ierrors', ''])
      expect(isCounterName(name), name).toBe(false);
  });

  it('reads the netstat -Q protocol out of a QDrops counter', () => {
    expect(qdropsProto('ip.QDrops')).toBe('ip');
    expect(qdropsProto('ip6_direct.QDrops')).toBe('ip6_direct');
    expect(qdropsProto('ip.policy_errors')).toBeUndefined();
    expect(qdropsProto('tcp.QDrops')).toBeUndefined();
    expect(qdropsProto('ip.QDrops.x')).toBeUndefined();
    expect(qdropsProto('QDrops')).toBeUndefined();
    expect(qdropsProto('ip')).toBeUndefined();
  });

  it('counts drops only in the counters whose one job that is (I-3)', () => {
    for (const name of [
      'ifi_iqdrops',
      'ips_fragdropped',
      'ip6s_fragdropped',
      'arp.QDrops',
      'softnet_cpu0.dropped',
      'softnet_cpu12.dropped',
      'udp_sock7.drops',
      'udp_sock12.drops',
    ])
      expect(countsDrops(name), name).toBe(true);
    for (const name of [
      'ips_total',
      'ip.policy_errors',
      'softnet_cpu0.processed',
      'xsoftnet_cpu0.dropped',
      'softnet_cpu0.droppedx',
      'udp_sock7.drops2',
      'audp_sock7.drops',
      'Udp.RcvbufErrors',
    ])
      expect(countsDrops(name), name).toBe(false);
  });
});
