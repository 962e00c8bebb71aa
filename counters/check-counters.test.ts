import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkCounters } from './index.ts';
import type { CounterRuleId } from './rules.ts';
import { realTable, realTables } from './testing.ts';

const rulesOf = (text: string, qlimitsFixed = false) => {
  const v = checkCounters(text, { json: false, qlimitsFixed });
  return { exitCode: v.exitCode, rules: v.checked.flatMap((c) => c.result.findings.map((f) => f.rule)) };
};

/** Replaces whitespace-separated field `col` of the first line matching `row`. */
function setField(text: string, row: RegExp, col: number, value: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => row.test(l));
  if (i < 0) throw new Error(`no line ${row}`);
  const line = lines[i] ?? '';
  let k = -1;
  lines[i] = line.replace(/\S+/g, (tok) => (++k === col ? value : tok));
  return lines.join('\n');
}

const D256 = realTable('netstat-q/d9721-ipsec-qlimit-256.txt');
const D8192 = realTable('netstat-q/d9721-ipsec-qlimit-8192.txt');
const RSS = realTable('netstat-q/rss-8-bound-threads.txt');
const UDP_FREEBSD = realTable('netstat-s/rss-blog-udp.txt');
const UDP_LINUX = realTable('proc-net-snmp/udp-rcvbuf-blog.txt');

describe('check-counters on real tables (fixtures/)', () => {
  it.each(realTables().map((t) => [t.name, t.text]))('%s parses and every identity holds', (_name, text) => {
    const v = checkCounters(text, { json: false });
    expect(v.stderr).toBe('');
    expect(v.exitCode).toBe(0);
    expect(v.checked.length).toBeGreaterThan(0);
    expect(v.checked.every((c) => c.result.checks > 0)).toBe(true);
  });

  it('reads every fixture at once, with prompts and blank lines between them', () => {
    const all = realTables();
    const v = checkCounters(all.map((t) => `$ cat ${t.name}\n${t.text}`).join('\n'), { json: false });
    expect(v.exitCode).toBe(0);
    expect(v.checked.map((c) => c.section.format)).toEqual(
      all.map(
        (t) =>
          ({
            'netstat-q': 'netstat-q',
            'netstat-s': 'netstat-s',
            'proc-net-snmp': 'proc-net-snmp',
            'proc-net-snmp6': 'proc-net-snmp',
          })[t.name.split('/')[0] ?? ''] ?? 'softnet-stat',
      ),
    );
  });

  it('a prompt pasted right under a table ends it, alone, indented or with the next command (FreeBSD root: `host:~ # `)', () => {
    const all = realTables();
    const text = all
      .map((t) => `${t.text.trimEnd()}\nroot@fbsd14:~ # \n  root@fbsd14:~ # cat ${t.name}`)
      .join('\n');
    const v = checkCounters(text, { json: false });
    expect(v.exitCode).toBe(0);
    expect(v.checked).toHaveLength(all.length);
  });

  it('/proc/net/netstat (the extended MIBs, same shape as /proc/net/snmp): read, said to have no identity', () => {
    const text = readFileSync(
      new URL('../fixtures/proc-net-netstat/linux-6.18.txt', import.meta.url),
      'utf8',
    );
    const v = checkCounters(text, { json: false });
    expect(v.exitCode).toBe(0);
    expect(v.checked.map((c) => [c.section.layout, c.result.checks])).toEqual([
      ['/proc/net/netstat: TcpExt, IpExt, MPTcpExt rows (no identity applies)', 0],
    ]);
  });

  it('names the layout found: titled and untitled netstat -Q, untitled netstat -sp udp', () => {
    const layouts = (t: string) => checkCounters(t, { json: false }).checked.map((c) => c.section.layout);
    expect(layouts(D256)).toEqual(['full format: Configuration, Protocols, Workstreams']);
    expect(layouts(RSS)).toEqual([
      'without section titles (older netstat): Configuration, Protocols, Workstreams',
    ]);
    expect(layouts(UDP_FREEBSD)).toEqual(['netstat -s -p udp (untitled)']);
    expect(layouts(UDP_LINUX)).toEqual(['Udp rows']);
  });

  it('explains the D9721 ipsec drops with the knobs to turn', () => {
    const v = checkCounters(D256, { json: false });
    expect(v.stdout.split('\n')[0]).toBe('1 table, 7 rows, 37 identity checks: every identity holds');
    expect(v.checked[0]?.result.explanations).toEqual([
      expect.objectContaining({
        row: 'cpu 0 ipsec',
        text:
          '616,976,559 drops on the ipsec queue (73.6% of what was offered to it), which reached its qlimit 256 (WMark 256); ' +
          'a single workstream takes the whole load (Thread count 1); policy source, net.isr.dispatch=direct. ' +
          'Raise the qlimit, add workstreams (with a flow or cpu policy that spreads the load), or dispatch inline.',
        knobs: ['net.inet.ipsec.intr_queue_maxlen', 'net.isr.maxthreads', 'net.isr.dispatch'],
      }),
    ]);
    // Without a Protocols section: three identities per row (no QLimit for I-1 and N-9), the qlimit unknown.
    const bare = D256.split('\n')
      .filter((_, i) => i < 7 || i > 16)
      .join('\n');
    const b = checkCounters(bare, { json: false });
    expect(b.stdout.split('\n')[0]).toBe('1 table, 7 rows, 23 identity checks: every identity holds');
    expect(checkCounters(bare, { json: false, qlimitsFixed: true }).exitCode).toBe(0);
    expect(b.checked[0]?.result.explanations[0]?.text).toMatch(
      /^616,976,559 drops on the ipsec queue \(73\.6% of what was offered to it\), which reached its qlimit \? \(WMark 256\); a single workstream takes the whole load \(Thread count 1\); policy \?, net\.isr\.dispatch=direct\. /,
    );
    expect(v.stdout).toContain('616,976,559 drops on the ipsec queue');
    expect(v.stdout).toContain('net.inet.ipsec.intr_queue_maxlen');
    expect(v.stdout).toContain('net.isr.maxthreads');
    // The 8192 table has a full queue and a full batch in flight: Queued - Handled = 16384 holds (N-17).
    expect(checkCounters(D8192, { json: false }).stdout).toContain(
      '(WMark 8192, and Len 8192: full right now)',
    );
  });

  it('a queue full right now without drops yet: the next packet is dropped', () => {
    const full = setField(setField(D256, /^\s+0\s+0\s+rtsock/, 3, '2048'), /^\s+0\s+0\s+rtsock/, 4, '2048');
    const queued = setField(full, /^\s+0\s+0\s+rtsock/, 8, String(114 + 2048));
    const v = checkCounters(queued, { json: false });
    expect(v.exitCode).toBe(0);
    expect(v.checked[0]?.result.explanations).toContainEqual(
      expect.objectContaining({
        row: 'cpu 0 rtsock',
        text: 'the rtsock queue is full right now (Len 2048 = QLimit 2048): the next packet is dropped.',
        knobs: ['net.route.netisr_maxqlen', 'net.isr.maxthreads'],
      }),
    );
    // One below the limit is not full.
    const below = setField(
      setField(queued, /^\s+0\s+0\s+rtsock/, 3, '2047'),
      /^\s+0\s+0\s+rtsock/,
      8,
      String(114 + 2047),
    );
    expect(checkCounters(below, { json: false }).stdout).not.toContain('full right now');
  });

  it('explains receive-buffer drops on both systems', () => {
    expect(checkCounters(UDP_LINUX, { json: false }).stdout).toMatch(
      /261,929,024 receive-buffer drops[\s\S]*rmem_max/,
    );
    expect(checkCounters(UDP_FREEBSD, { json: false }).stdout).toMatch(
      /1,634,117,674 datagrams dropped[\s\S]*SO_RCVBUF/,
    );
  });
});

describe('corrupted copies of real tables are caught with the right rule', () => {
  const cases: [string, string, CounterRuleId][] = [
    ["ether Handled below Disp'd", setField(D256, /^\s+0\s+0\s+ether/, 9, '89370673'), 'I-4'],
    [
      'ipsec Queued above what was handled plus a batch',
      setField(D256, /^\s+0\s+0\s+ipsec/, 8, '221805229'),
      'N-17',
    ],
    ['ipsec WMark above maxqlimit (10240)', setField(D256, /^\s+0\s+0\s+ipsec/, 4, '10241'), 'I-1'],
    ['ip Len above WMark', setField(RSS, /^\s+0\s+0\s+ip\s/, 3, '26'), 'I-2'],
    ['ipsec drops from a queue that never held a packet', setField(D256, /^\s+0\s+0\s+ipsec/, 4, '0'), 'N-9'],
    ['a workstream without its arp row', D256.replace(/^.*\barp\s+0\s+0\s+24.*\n/m, ''), 'Q-3'],
    ['Thread count that does not match the workstreams', setField(RSS, /^Thread count/, 2, '4'), 'Q-3'],
    ['netstat -sp udp delivered one off', setField(UDP_FREEBSD, /delivered$/, 0, '5121471701'), 'C-1'],
    // More short than a read while drops are counted can miss (1/1024 of the parts).
    ['/proc/net/snmp InErrors below RcvbufErrors', setField(UDP_LINUX, /^Udp: \d/, 3, '261000000'), 'U5'],
  ];
  it.each(cases)('%s -> %s', (_what, text, rule) => {
    const r = rulesOf(text);
    expect(r.exitCode).toBe(1);
    expect(r.rules).toContain(rule);
  });

  it('prints the broken row with its line, the rule and its statement', () => {
    const v = checkCounters(setField(D256, /^\s+0\s+0\s+ipsec/, 4, '300'), {
      json: false,
      qlimitsFixed: true,
    });
    expect(v.stdout).toMatch(/line 26\s+cpu 0 ipsec\s+I-1\s+ipsec on cpu 0: WMark 300 above QLimit 256/);
    expect(v.stdout).toContain('I-1: WMark <= QLimit');
  });
});

describe('qlimits changed at run time (netisr_setqlimit keeps WMark and Len)', () => {
  const lowered = setField(D256, /^\s+0\s+0\s+ipsec/, 4, '300');
  const raised = setField(D256, /^ipsec\s+11/, 2, '512');

  it('a qlimit lowered after the queue got deeper: a note, exit 0; with --qlimits-fixed, I-1', () => {
    const v = checkCounters(lowered, { json: false });
    expect(v.exitCode).toBe(0);
    expect(v.stdout).toContain(
      'WMark 300 above QLimit 256: the qlimit was lowered after the queue reached 300',
    );
    expect(rulesOf(lowered, true)).toEqual({ exitCode: 1, rules: ['I-1'] });
  });

  it('a qlimit raised after drops: a note, exit 0; with --qlimits-fixed, N-9', () => {
    const v = checkCounters(raised, { json: false });
    expect(v.exitCode).toBe(0);
    // The drop advice does not claim the queue reached today's QLimit.
    expect(v.stdout).toContain(
      '616,976,559 drops on the ipsec queue (73.6% of what was offered to it), whose WMark 256 is below its qlimit 512 now;',
    );
    expect(v.stdout).not.toContain('reached its qlimit 512');
    expect(v.stdout).toContain(
      'QDrops 616976559 with WMark 256 below QLimit 512: the qlimit was raised after the drops',
    );
    expect(rulesOf(raised, true)).toEqual({ exitCode: 1, rules: ['N-9'] });
  });

  it('a batch in flight larger than a lowered QLimit but within WMark holds (N-17); past both, it breaks', () => {
    // QLimit lowered to 100 with a full 256-packet batch taken off the queue and not yet counted.
    const busy = setField(
      setField(D256, /^ipsec\s+11/, 2, '100'),
      /^\s+0\s+0\s+ipsec/,
      8,
      String(221804972 + 256),
    );
    expect(rulesOf(busy)).toEqual({ exitCode: 0, rules: [] });
    expect(rulesOf(busy, true).rules).toEqual(['N-17', 'I-1']);
    const over = setField(busy, /^\s+0\s+0\s+ipsec/, 8, String(221804972 + 257));
    expect(rulesOf(over).rules).toEqual(['N-17']);
  });

  const notes = (text: string, qlimitsFixed = false) =>
    checkCounters(text, { json: false, qlimitsFixed }).checked.flatMap((c) => c.result.explanations);

  it('the notes name the row, its knob, and come only where WMark and QLimit disagree', () => {
    expect(notes(lowered).filter((n) => n.text.includes('was lowered'))).toEqual([
      expect.objectContaining({ row: 'cpu 0 ipsec', knobs: ['net.inet.ipsec.intr_queue_maxlen'] }),
    ]);
    expect(notes(raised).filter((n) => n.text.includes('was raised'))).toEqual([
      expect.objectContaining({ row: 'cpu 0 ipsec', knobs: ['net.inet.ipsec.intr_queue_maxlen'] }),
    ]);
    // rtsock: WMark 2 of QLimit 2048 and no drops; igmp: nothing at all. No note for either.
    const changed = (n: { text: string }) => /was (lowered|raised)/.test(n.text);
    for (const t of realTables()) expect(notes(t.text).filter(changed), t.name).toEqual([]);
    // WMark = QLimit is no change: a lowered note needs WMark above, a raised one below and drops.
    const atLimit = setField(D256, /^ipsec\s+11/, 2, '256');
    expect(notes(atLimit).filter(changed)).toEqual([]);
    const wmarkOnly = setField(D256, /^\s+0\s+0\s+rtsock/, 4, '3000');
    expect(notes(wmarkOnly).filter(changed)).toEqual([
      expect.objectContaining({ row: 'cpu 0 rtsock', knobs: ['net.route.netisr_maxqlen'] }),
    ]);
    // With --qlimits-fixed, no note: the findings say it.
    expect(notes(lowered, true).filter(changed)).toEqual([]);
  });

  it('the notes in full, and a protocol without a sysctl of its own', () => {
    expect(notes(lowered).find((n) => n.text.includes('was lowered'))?.text).toBe(
      'WMark 300 above QLimit 256: the qlimit was lowered after the queue reached 300 ' +
        '(netisr_setqlimit keeps the watermark), or netisr queued past its limit (I-1). ' +
        'If the qlimits were not changed since boot, check again with --qlimits-fixed.',
    );
    expect(notes(raised).find((n) => n.text.includes('was raised'))?.text).toBe(
      'QDrops 616976559 with WMark 256 below QLimit 512: the qlimit was raised after the drops ' +
        '(netisr_setqlimit keeps the watermark), or netisr dropped below its limit (N-9). ' +
        'If the qlimits were not changed since boot, check again with --qlimits-fixed.',
    );
    const igmp = setField(D256, /^\s+0\s+0\s+igmp/, 4, '300');
    expect(notes(igmp).find((n) => n.text.includes('was lowered'))).toMatchObject({
      format: 'netstat-q',
      row: 'cpu 0 igmp',
      knobs: ['the igmp qlimit'],
    });
  });

  it('drops explained without a single-thread remark on many threads, and without a dispatch line', () => {
    const rssDrops = setField(setField(RSS, /^\s+0\s+0\s+ip\s/, 7, '5'), /^\s+0\s+0\s+ip\s/, 4, '256');
    const rssNote = checkCounters(rssDrops, { json: false }).checked[0]?.result.explanations.find((e) =>
      e.text.includes('drops on the ip queue'),
    );
    expect(rssNote?.text).toContain('policy cpu, net.isr.dispatch=direct. ');
    expect(rssNote?.text).not.toContain('single workstream');
    const noDispatch = D256.replace(/^Dispatch policy.*\n/m, '');
    const text = checkCounters(noDispatch, { json: false }).checked[0]?.result.explanations[0]?.text ?? '';
    expect(text).toContain('(Thread count 1); policy source. Raise the qlimit');
  });

  it('N-9 words what it found in each reading', () => {
    const never = setField(D256, /^\s+0\s+0\s+ipsec/, 4, '0');
    expect(checkCounters(never, { json: false }).checked[0]?.result.findings).toContainEqual(
      expect.objectContaining({
        rule: 'N-9',
        row: 'cpu 0 ipsec',
        line: 26,
        message: 'QDrops 616976559 but WMark 0: the queue never held a packet, and no qlimit is below 1',
      }),
    );
    // A finding, not also a note: no raise explains a drop from a queue that never held a packet.
    expect(notes(never).filter((n) => /was (lowered|raised)/.test(n.text))).toEqual([]);
    expect(checkCounters(raised, { json: false, qlimitsFixed: true }).checked[0]?.result.findings).toEqual([
      expect.objectContaining({
        rule: 'N-9',
        message: 'QDrops 616976559 but WMark 256 never reached QLimit 512',
      }),
    ]);
  });

  it('every real table passes either way', () => {
    for (const t of realTables()) expect(rulesOf(t.text, true), t.name).toEqual({ exitCode: 0, rules: [] });
  });
});

describe('explanations name the kernel version they assume', () => {
  it('each explanation of a real table says which version its defaults and rules come from', () => {
    for (const t of realTables()) {
      const text = checkCounters(t.text, { json: false }).stdout;
      const json = JSON.parse(checkCounters(t.text, { json: true }).stdout) as {
        sections: { format: string; explanations: { assumes: string }[] }[];
      };
      for (const s of json.sections) {
        const want = s.format === 'netstat-q' || s.format === 'netstat-s' ? 'freebsd-14' : 'linux-6.18';
        for (const e of s.explanations) expect(e.assumes).toBe(want);
        if (s.explanations.length > 0) expect(text).toContain(`    assumes: ${want}`);
      }
    }
  });

  // A row of each layout with 5 time_squeezes on cpu 0: the advice quotes linux-6.18's knobs, and
  // says so when the table came from a kernel before the modelled ones.
  const squeezed = (columns: number) =>
    `${['00001000', '00000000', '00000005', ...Array(columns - 3).fill('00000000')].join(' ')}\n`;
  it.each([
    [9, 'Linux 2.6 up to 2.6.34'],
    [10, 'Linux 2.6.35 to 3.10'],
    [11, 'Linux 3.11 to 5.9'],
  ])('a %i-column softnet_stat (%s): the advice says its kernel is older than the one assumed', (columns, kernels) => {
    const want = `linux-6.18 (this table's layout is ${kernels}: knob names and defaults there may differ)`;
    const json = JSON.parse(checkCounters(squeezed(columns), { json: true }).stdout) as {
      sections: { explanations: Record<string, unknown>[] }[];
    };
    expect(json.sections[0]?.explanations.map((e) => e.assumes)).toEqual([want]);
    expect(json.sections[0]?.explanations[0]).not.toHaveProperty('olderLayout');
    expect(checkCounters(squeezed(columns), { json: false }).stdout).toContain(`    assumes: ${want}\n`);
  });

  it.each([
    13, 15,
  ])('a %i-column softnet_stat: the modelled kernels print it, the advice assumes linux-6.18 alone', (columns) => {
    expect(checkCounters(squeezed(columns), { json: false }).stdout).toContain('    assumes: linux-6.18\n');
  });
});
