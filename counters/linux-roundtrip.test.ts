import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linuxCaseArb } from '../harness/arbitraries/linux.ts';
import { fcRuns } from '../harness/fc-runs.ts';
import { runLinux } from '../model/linux/host.ts';
import { renderProcNetSnmpUdp, renderSoftnetStat, type UdpMib } from '../model/linux/procfs.ts';
import { unwrap } from '../model/result.ts';
import { checkCounters } from './index.ts';
import type { CounterRuleId } from './rules.ts';
import { SOFTNET_COLUMN } from './softnet.ts';

/** The Linux model's /proc/net/softnet_stat and /proc/net/snmp, as model/linux/procfs.ts renders them. */
const runArb = linuxCaseArb().map((c) => {
  const r = unwrap(runLinux(c));
  return { r, cpus: c.config.cpuCount };
});
const runs = { numRuns: Math.max(10, Math.floor(fcRuns() / 5)) };

/** The model's counters are read after the run, on 64 bits, with every CPU online: each rule is exact. */
const MODEL_MACHINE = { counters64bit: true, quiescent: true, allCpusOnline: true } as const;

const rulesOf = (text: string) =>
  checkCounters(text, { json: false, ...MODEL_MACHINE }).checked.flatMap((c) =>
    c.result.findings.map((f) => f.rule),
  );

describe("the Linux model's rendered softnet_stat and /proc/net/snmp through check-counters", () => {
  it('parse, pass, and render back to the same text', () => {
    fc.assert(
      fc.property(runArb, ({ r, cpus }) => {
        const v = checkCounters(`${r.softnetStat}\n${r.snmpUdp}`, { json: false, ...MODEL_MACHINE });
        expect(v.stderr).toBe('');
        expect(v.exitCode, v.stdout).toBe(0);
        const [softnet, snmp] = v.checked.map((c) => c.section);
        if (softnet?.format !== 'softnet-stat' || snmp?.format !== 'proc-net-snmp')
          throw new Error('formats');
        expect(softnet.layout).toBe('13 columns: Linux 5.10 and later (RHEL 8.5 backport)');
        expect(softnet.rows.length).toBe(cpus);
        const col = (row: readonly bigint[], k: number) => Number(row[k] ?? -1n);
        const back = renderSoftnetStat(
          softnet.rows.map(({ values }) => ({
            processed: col(values, SOFTNET_COLUMN.processed),
            dropped: col(values, SOFTNET_COLUMN.dropped),
            timeSqueeze: col(values, SOFTNET_COLUMN.timeSqueeze),
            receivedRps: col(values, SOFTNET_COLUMN.receivedRps),
            flowLimitCount: col(values, SOFTNET_COLUMN.flowLimitCount),
            backlogLenPackets: col(values, SOFTNET_COLUMN.backlogLen),
          })),
        );
        expect(back).toBe(r.softnetStat);
        const udp = snmp.groups.find((g) => g.proto === 'Udp');
        const mib = Object.fromEntries([...(udp?.values ?? [])].map(([k, n]) => [k, Number(n)])) as UdpMib;
        expect(renderProcNetSnmpUdp(mib)).toBe(r.snmpUdp);
      }),
      runs,
    );
  });

  const corruptions: readonly [CounterRuleId, (softnet: string, snmp: string) => string][] = [
    // RcvbufErrors (field 5) one above InErrors (field 3).
    [
      'U5',
      (_s, snmp) =>
        snmp.replace(/^Udp: [\d ]+$/m, (line) =>
          line
            .split(' ')
            .map((f, k, a) => (k === 5 ? String(Number(a[3]) + 1) : f))
            .join(' '),
        ),
    ],
    ['C-2', (s) => s.replace(/^((?:\S+ ){8})00000000/, '$100000001')],
    ['R8', (s) => s.replace(/^((?:\S+ ){10})\S+/, '$1ffffffff')],
  ];

  it.each(corruptions)('catches a corrupted copy with %s', (rule, corrupt) => {
    fc.assert(
      fc.property(runArb, ({ r }) => {
        expect(rulesOf(corrupt(r.softnetStat, r.snmpUdp))).toContain(rule);
      }),
      runs,
    );
  });
});
