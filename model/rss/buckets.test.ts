import { describe, expect, it } from 'vitest';
import { bucketId, cpuId } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bucketOf, cpuOfBucket, defaultBucketTable, makeBucketTable, rssBits } from './buckets.ts';
import { makeFlow, rssHash } from './flowhash.ts';

describe('RSS buckets (R-4..R-6)', () => {
  it('sizes the table as rss_init does', () => {
    const cases: [number, number][] = [
      [1, 0],
      [2, 2],
      [4, 3],
      [6, 4],
      [8, 4],
      [16, 5],
      [64, 7],
      [100, 7],
    ];
    for (const [cpus, bits] of cases) expect(rssBits(cpus), `${cpus} CPUs`).toBe(bits);
    expect(rssBits(4, 5)).toBe(5);
  });

  it('assigns buckets round robin and takes the low bits of the hash', () => {
    const table = defaultBucketTable(4);
    expect(table.bucketCount).toBe(8);
    expect(table.bucketCpus).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(bucketOf(table, 0x51ccc178)).toBe(0);
    expect(cpuOfBucket(table, bucketId(6))).toBe(2);
  });

  it('places the reference scenarios SC-6 on the expected CPUs', () => {
    const table4 = defaultBucketTable(4);
    const table8 = defaultBucketTable(8);
    const tcpMade = makeFlow(0, {
      family: 'inet',
      ipProto: 6,
      src: '66.9.149.187',
      dst: '161.142.100.80',
      sport: 2794,
      dport: 1766,
    });
    const udpMade = makeFlow(1, {
      family: 'inet',
      ipProto: 17,
      src: '199.92.111.2',
      dst: '65.69.140.83',
      sport: 14230,
      dport: 4739,
    });
    const tcp = unwrap(tcpMade);
    const udp = unwrap(udpMade);
    const cfg = { udp4Tuple: false };
    expect(rssHash(tcp, false, cfg)).toEqual({ hash: 0x51ccc178, hashType: 'rss-tcp-ipv4' });
    expect(rssHash(tcp, true, cfg)).toEqual({ hash: 0x323e8fc2, hashType: 'rss-ipv4' });
    expect(cpuOfBucket(table4, bucketOf(table4, 0x323e8fc2))).toBe(2);
    // SC-6c: UDP is steered by its 2-tuple unless the 4-tuple type is turned on.
    expect(rssHash(udp, false, cfg)).toEqual({ hash: 0xd718262a, hashType: 'rss-ipv4' });
    expect(rssHash(udp, false, { udp4Tuple: true })).toEqual({ hash: 0xc626b0ea, hashType: 'rss-udp-ipv4' });
    expect(bucketOf(table8, 0x51ccc178)).toBe(8);
  });

  it('rejects a table whose size is not a power of two', () => {
    expect(() => makeBucketTable([cpuId(0), cpuId(1), cpuId(2)])).toThrow(/R-4/);
  });
});
