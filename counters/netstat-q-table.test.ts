import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinPolicy } from '../harness/arbitraries/run-case.ts';
import { cpuId } from '../model/brand.ts';
import { runHost } from '../model/host/run.ts';
import { packets, tcpFlow } from '../model/host/scenario.ts';
import type { NetisrDispatchPolicy } from '../model/netisr/knobs.ts';
import { renderNetstatQ } from '../model/netisr/netstat.ts';
import type { NetisrPolicy, ProtocolDispatch } from '../model/netisr/protocols.ts';
import { unwrap } from '../model/result.ts';
import type { NetisrProtoName } from '../model/vocab.ts';
import { netstatQFaults } from './netstat-q-faults.ts';
import { type NetstatQTable, parseNetstatQ } from './netstat-q-table.ts';

/** The strict reading: qlimits unchanged since boot (a settable reading is tested in check-counters). */
const FIXED = { qlimitsFixed: true } as const;

const fixtureDir = fileURLToPath(new URL('../fixtures/netstat-q/', import.meta.url));
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.txt'))
  .sort()
  .map((file) => ({ file, text: readFileSync(`${fixtureDir}${file}`, 'utf8') }));

function parsed(text: string): NetstatQTable {
  const r = parseNetstatQ(text);
  if (!r.ok) throw new Error(`line ${r.error.line}: ${r.error.message} (want ${r.error.expected})`);
  return r.table;
}

const fixture = (name: string) => {
  const f = fixtures.find((x) => x.file === name);
  if (f === undefined) throw new Error(`no fixture ${name}`);
  return parsed(f.text);
};

/** The model's renderer fed a parsed table: real data through our own netstat -Q layout. */
function render(t: NetstatQTable): string {
  return renderNetstatQ(
    {
      numthreads: t.threadCount?.current ?? 0,
      maxthreads: t.threadCount?.limit ?? 0,
      defaultqlimit: t.defaultQueueLimit?.current ?? 0,
      maxqlimit: t.defaultQueueLimit?.limit ?? 0,
      dispatch: (t.dispatchPolicy ?? 'direct') as NetisrDispatchPolicy,
      bindthreads: t.bindThreads ?? false,
      protocols: t.protocols.map((p) => ({
        reg: {
          ...p,
          name: p.name as NetisrProtoName,
          policy: p.policy as NetisrPolicy,
          dispatch: (p.dispatch ?? 'default') as ProtocolDispatch,
        },
        qlimitPackets: p.qlimitPackets,
      })),
    },
    t.workstreams.map((r) => ({
      ...r,
      lenPackets: Number(r.lenPackets),
      watermarkPackets: Number(r.watermarkPackets),
      dispatched: Number(r.dispatched),
      hybridDispatched: Number(r.hybridDispatched),
      qdrops: Number(r.qdrops),
      queued: Number(r.queued),
      handled: Number(r.handled),
      cpu: cpuId(r.cpu),
      qlimitPackets: 0,
    })),
  );
}

const withoutLines = (t: NetstatQTable) => ({
  ...t,
  settings: t.settings.map(({ line: _, ...s }) => s),
  protocols: t.protocols.map(({ line: _, ...p }) => p),
  workstreams: t.workstreams.map(({ line: _, ...w }) => w),
});

describe('netstat -Q parser on every real table in fixtures/netstat-q', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
  });

  it.each(fixtures)('$file parses and every identity holds', ({ text }) => {
    const t = parsed(text);
    expect(t.protocols.length).toBeGreaterThan(0);
    expect(t.workstreams.length).toBe((t.threadCount?.current ?? 0) * t.protocols.length);
    expect(netstatQFaults(t, FIXED)).toEqual([]);
  });

  it.each(fixtures)('$file round-trips through the model renderer', ({ text }) => {
    const t = parsed(text);
    expect(withoutLines(parsed(render(t)))).toEqual(withoutLines(t));
  });

  it('renders the D9721 tables byte for byte as FreeBSD printed them (Q-2)', () => {
    for (const name of ['d9721-ipsec-qlimit-256.txt', 'd9721-ipsec-qlimit-8192.txt']) {
      const text = fixtures.find((f) => f.file === name)?.text ?? '';
      // The copy keeps a lone space on blank lines and one more newline at the end than netstat printed.
      const asPrinted = `${text.replace(/^[ \t]+$/gm, '').trimEnd()}\n`;
      expect(render(fixture(name))).toBe(asPrinted);
    }
  });

  it('reads the D9721 8192 table: a full ipsec queue and a full batch in flight', () => {
    const t = fixture('d9721-ipsec-qlimit-8192.txt');
    expect(t.threadCount).toEqual({ current: 1, limit: 1 });
    expect(t.defaultQueueLimit).toEqual({ current: 256, limit: 10240 });
    expect(t.dispatchPolicy).toBe('direct');
    expect(t.bindThreads).toBe(false);
    expect(t.protocols.find((p) => p.name === 'ipsec')).toMatchObject({
      proto: 11,
      qlimitPackets: 8192,
      policy: 'source',
    });
    expect(t.workstreams.find((r) => r.proto === 'ipsec')).toEqual({
      line: 26,
      wsid: 0,
      cpu: 0,
      proto: 'ipsec',
      lenPackets: 8192,
      watermarkPackets: 8192,
      dispatched: 0,
      hybridDispatched: 0,
      qdrops: 87097837,
      queued: 11805690,
      handled: 11789306,
    });
  });

  it('reads the RSS blog table: no section titles, no-break spaces, 8 bound threads', () => {
    const t = fixture('rss-8-bound-threads.txt');
    expect(t.threadCount).toEqual({ current: 8, limit: 8 });
    expect(t.bindThreads).toBe(true);
    expect(t.protocols.map((p) => `${p.name}:${p.policy}:${p.dispatch}:${p.m2cpuid ? 'C' : '-'}`)).toEqual([
      'ip:cpu:hybrid:C',
      'igmp:source:default:-',
      'rtsock:source:default:-',
      'arp:source:default:-',
      'ether:cpu:direct:C',
      'ip6:flow:default:-',
      'ip_direct:cpu:hybrid:C',
    ]);
    expect(new Set(t.workstreams.map((r) => r.cpu))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
    expect(t.workstreams[0]).toMatchObject({
      proto: 'ip',
      hybridDispatched: 839349259,
      queued: 49,
      handled: 839349308,
    });
  });

  it("fills WSID and CPU blanked after a workstream's first row (2012 layout)", () => {
    const text = [
      "WSID CPU   Name     Len WMark   Disp'd  HDisp'd   QDrops   Queued  Handled",
      '   0   0   ip         0     3        5        0        0       10       15',
      '          ether       0     0       15        0        0        0       15',
      '   1   1   ip         0     0        0        0        0        0        0',
      '          ether       0     0        0        0        0        0        0',
    ].join('\n');
    const t = parsed(text);
    expect(t.workstreams.map((r) => `${r.wsid}/${r.cpu}/${r.proto}`)).toEqual([
      '0/0/ip',
      '0/0/ether',
      '1/1/ip',
      '1/1/ether',
    ]);
    expect(netstatQFaults(t, FIXED)).toEqual([]);
  });
});

describe('netstat -Q identities catch broken tables', () => {
  const base = fixture('d9721-ipsec-qlimit-256.txt');
  const edit = (proto: string, change: Record<string, number>): NetstatQTable => ({
    ...base,
    workstreams: base.workstreams.map((r) => (r.proto === proto ? { ...r, ...change } : r)),
  });
  const ipsec = base.workstreams.find((r) => r.proto === 'ipsec');
  if (ipsec === undefined) throw new Error('fixture without an ipsec row');

  const cases: [string, NetstatQTable, string][] = [
    ["Handled below Disp'd + HDisp'd", edit('ip', { handled: 89370649 }), 'I-4'],
    [
      'Handled above Queued (a batch in flight below 0)',
      edit('ipsec', { handled: Number(ipsec.handled) + 1 }),
      'N-17',
    ],
    ['more in flight than a full queue', edit('ipsec', { queued: Number(ipsec.queued) + 257 }), 'N-17'],
    [
      'WMark below Len',
      edit('ipsec', { lenPackets: 256, watermarkPackets: 255, queued: Number(ipsec.queued) + 256 }),
      'I-2',
    ],
    ['WMark above QLimit', edit('ipsec', { watermarkPackets: 257 }), 'I-1'],
    ['a missing row', { ...base, workstreams: base.workstreams.slice(1) }, 'Q-3'],
    ['more threads than maxthreads', { ...base, threadCount: { current: 2, limit: 1 } }, 'Q-5'],
  ];
  it.each(cases.map(([what, table, rule]) => ({ what, table, rule })))('$what -> $rule', ({
    table,
    rule,
  }) => {
    const faults = netstatQFaults(table, FIXED);
    expect(faults.map((f) => f.rule)).toContain(rule);
  });

  describe('layout (Q-3) and limits (Q-1, Q-5), word for word', () => {
    const rss = fixture('rss-8-bound-threads.txt');
    const rows = rss.workstreams;
    const first = rows[0];
    if (first === undefined) throw new Error('fixture without rows');
    const cpuRows = (cpu: number) => rows.filter((r) => r.cpu === cpu);
    const others = rows.filter((r) => r.cpu !== 0 && r.cpu !== 1);
    const faultsOf = (t: NetstatQTable) =>
      netstatQFaults(t, FIXED).map(({ rule, message }) => ({ rule, message }));
    it.each<[string, NetstatQTable, { rule: string; message: string }]>([
      [
        'a WSID that is not its CPU',
        { ...rss, workstreams: [{ ...first, wsid: 5 }, ...rows.slice(1)] },
        { rule: 'Q-3', message: 'row WSID 5 on CPU 0: the kernel sets WSID to the CPU id' },
      ],
      [
        'CPU 1 before CPU 0',
        { ...rss, workstreams: [...cpuRows(1), ...cpuRows(0), ...others] },
        { rule: 'Q-3', message: 'CPU 0 after CPU 1: rows go in CPU order' },
      ],
      [
        "a CPU's rows split around another's",
        {
          ...rss,
          workstreams: [...cpuRows(0).slice(0, 2), ...cpuRows(1), ...cpuRows(0).slice(2), ...others],
        },
        { rule: 'Q-3', message: "a CPU's rows are split: CPU order 0,1,0,2,3,4,5,6,7" },
      ],
      [
        'a row for a protocol Protocols does not list',
        { ...rss, workstreams: [{ ...first, proto: 'divert' }, ...rows.slice(1)] },
        { rule: 'Q-3', message: 'row for divert, which Protocols does not list' },
      ],
      [
        'Thread count 4 on rows of 8 CPUs',
        { ...rss, threadCount: { current: 4, limit: 8 } },
        { rule: 'Q-3', message: 'Thread count 4, but Workstreams has rows for 8 CPUs' },
      ],
      [
        'a CPU without its igmp row',
        { ...rss, workstreams: rows.filter((r) => !(r.cpu === 0 && r.proto === 'igmp')) },
        {
          rule: 'Q-3',
          message:
            'CPU 0 has rows ip,rtsock,arp,ether,ip6,ip_direct, want one per protocol: ip,igmp,rtsock,arp,ether,ip6,ip_direct',
        },
      ],
      [
        'Thread count 0',
        { ...rss, threadCount: { current: 0, limit: 8 } },
        { rule: 'Q-5', message: 'Thread count 0, want 1..8 (maxthreads)' },
      ],
      [
        'a Default queue limit above its Limit',
        { ...rss, defaultQueueLimit: { current: 10241, limit: 10240 } },
        { rule: 'Q-5', message: 'Default queue limit 10241 above its Limit 10240 (maxqlimit)' },
      ],
      [
        'a protocol QLimit of 0',
        { ...rss, protocols: rss.protocols.map((p) => (p.name === 'ip' ? { ...p, qlimitPackets: 0 } : p)) },
        { rule: 'Q-1', message: 'ip QLimit 0, want 1..10240: netisr_register clamps to maxqlimit' },
      ],
      [
        'a protocol QLimit above maxqlimit',
        {
          ...rss,
          protocols: rss.protocols.map((p) => (p.name === 'ip' ? { ...p, qlimitPackets: 10241 } : p)),
        },
        { rule: 'Q-1', message: 'ip QLimit 10241, want 1..10240: netisr_register clamps to maxqlimit' },
      ],
    ])('%s', (_what, table, fault) => {
      expect(faultsOf(table)).toContainEqual(fault);
    });

    it('at the limits nothing is reported: QLimit 1 and maxqlimit, Default queue limit = its Limit, one thread', () => {
      const edge: NetstatQTable = {
        ...rss,
        defaultQueueLimit: { current: 10240, limit: 10240 },
        protocols: rss.protocols.map((p, i) => ({
          ...p,
          qlimitPackets: i === 0 ? 10240 : i === 1 ? 1 : p.qlimitPackets,
        })),
      };
      expect(faultsOf(edge)).toEqual([]);
      const one = { ...rss, threadCount: { current: 1, limit: 8 }, workstreams: cpuRows(0) };
      expect(faultsOf(one)).toEqual([]);
    });

    it('Thread count against rows only where there are rows (a Workstreams section may be absent)', () => {
      expect(faultsOf({ ...rss, workstreams: [] })).toEqual([]);
    });

    it('a table without Configuration is read with qlimits settable and without maxqlimit: no crash', () => {
      const bare: NetstatQTable = { ...rss, threadCount: undefined, defaultQueueLimit: undefined };
      expect(netstatQFaults(bare, { qlimitsFixed: false })).toEqual([]);
      const deep = { ...bare, workstreams: [{ ...first, watermarkPackets: 99999 }, ...rows.slice(1)] };
      expect(netstatQFaults(deep, { qlimitsFixed: false })).toEqual([]);
      expect(netstatQFaults(deep, FIXED).map((f) => f.rule)).toEqual(['I-1']);
    });
  });

  it('points at the input line of the broken row', () => {
    const text = fixtures.find((f) => f.file === 'd9721-ipsec-qlimit-256.txt')?.text ?? '';
    const broken = text.replace('616976559 221804972 221804972', '616976559 221804972 221804973');
    const faults = netstatQFaults(parsed(broken), FIXED);
    expect(faults).toEqual([expect.objectContaining({ rule: 'N-17', line: 26 })]);
  });
});

describe('netstat -Q parser refuses malformed input with the line and what it wanted', () => {
  it.each([
    ['', 1, /no netstat -Q table/],
    ['hello world', 1, /before any table header/],
    [
      "WSID CPU Name Len WMark Disp'd HDisp'd QDrops Queued Handled\n   0   0   ip  0  0  x  0 0 0 0",
      2,
      /Disp'd is 'x'/,
    ],
    [
      "WSID CPU Name Len WMark Disp'd HDisp'd QDrops Queued Handled\n   0   0   ip  0  0  1  0 0 0",
      2,
      /9 fields/,
    ],
    [
      "WSID CPU Name Len WMark Disp'd HDisp'd QDrops Queued Handled\n 0 0 ip 0 0 18446744073709551616 0 0 0 0",
      2,
      /above 2\^64 - 1/,
    ],
    ['Name Proto QLimit Policy Dispatch Flags\nip 1 256 flow default XYZ', 2, /Flags is 'XYZ'/],
    // Headers cut from their rows (a truncated paste): refused, not read as an empty host.
    ['Name Proto QLimit Policy Dispatch Flags\n', 1, /the protocols header has no rows under it/],
    [
      "Name Proto QLimit Policy Dispatch Flags\nip 1 256 flow default ---\n\nWSID CPU Name Len WMark Disp'd HDisp'd QDrops Queued Handled\n",
      4,
      /the workstreams header has no rows under it/,
    ],
    ['Name Proto Policy Dispatch Flags\nip 1 flow default ---', 1, /no QLimit column/],
    ['Setting Current Limit\nThreads bound to CPUs maybe n/a', 2, /enabled or disabled|Threads bound/],
  ])('%j -> line %d', (text, line, message) => {
    const r = parseNetstatQ(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.line).toBe(line);
    expect(`${r.error.message} (want ${r.error.expected})`).toMatch(message);
  });
});

describe("the model's own netstat -Q round-trips", () => {
  it('SC-1: 300 packets deferred into a 256 queue, then drained', () => {
    const config = { cpuCount: 1, sysctl: { 'net.isr.dispatch': 'deferred' as const } };
    const r = unwrap(
      runHost({
        config,
        workload: { flows: [tcpFlow(1)], items: packets(Array.from({ length: 300 }, () => 0)) },
        schedule: [],
        policy: builtinPolicy('registered', config),
      }),
    );
    const t = parsed(r.netstatQ);
    expect(netstatQFaults(t, FIXED)).toEqual([]);
    expect(t.workstreams.find((w) => w.proto === 'ip')).toMatchObject({
      lenPackets: 0,
      watermarkPackets: 256,
      qdrops: 44,
      queued: 256,
      handled: 256,
    });
  });
});
