import { describe, expect, it } from 'vitest';
import { perStatName } from './stat-names.ts';

describe('perStatName: a reading of a statistic name, remembered per name', () => {
  it('reads each name once, no match (undefined) included, and answers as the reading does', () => {
    const seen: string[] = [];
    const cpuOf = perStatName((name) => {
      seen.push(name);
      return /^softnet_cpu(\d+)\.dropped$/.exec(name)?.[1];
    });
    const names = ['softnet_cpu07.dropped', 'Udp.InErrors', 'softnet_cpu07.dropped', 'Udp.InErrors'];
    expect(names.map(cpuOf)).toEqual(['07', undefined, '07', undefined]);
    expect(seen).toEqual(['softnet_cpu07.dropped', 'Udp.InErrors']);
  });

  it('past the names it keeps, a name is read again and answered alike', () => {
    let reads = 0;
    const length = perStatName((name) => {
      reads++;
      return name.length;
    });
    for (let k = 0; k < 5000; k++) expect(length(`n${k}`)).toBe(`n${k}`.length);
    const before = reads;
    expect([length('n1'), length('n4999'), length('n4999')]).toEqual([2, 5, 5]);
    expect(reads - before).toBe(2);
  });
});
