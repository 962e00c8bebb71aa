import { describe, expect, it } from 'vitest';
import { checkCounters } from './index.ts';

/** softnet_stat rows as the kernel prints them: every field `%08x`. */
const table = (...rows: number[][]) =>
  `${rows.map((r) => r.map((v) => v.toString(16).padStart(8, '0')).join(' ')).join('\n')}\n`;
const text = (input: string) => checkCounters(input, { json: false });
/** R8 is exact on a machine known to have every CPU online and to be idle while read. */
const STRICT_R8 = { allCpusOnline: true, quiescent: true } as const;

// processed dropped squeeze, 5 x was-fastroute, collision, rps, flow_limit, backlog_len, cpu, input_qlen, process_qlen
const BROKEN_15 = table(
  [1000, 0, 9, 0, 0, 0, 0, 0, 0, 5, 0, 3, 0, 1, 2],
  [2000, 4, 1, 0, 7, 0, 0, 0, 0, 6, 6, 2, 1, 1, 0],
  [3000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
);

describe('the check-counters verdict word for word', () => {
  it('a 15 column softnet table with a finding of each rule and an explanation of each kind', () => {
    const v = checkCounters(BROKEN_15, { json: false, ...STRICT_R8 });
    expect(v.exitCode).toBe(1);
    expect(v.stdout).toBe(`1 table, 3 rows, 10 identity checks: 4 broken

  lines 1-3  /proc/net/softnet_stat  15 columns: recent Linux 6.x (mainline)  4 broken

Broken identities:
  line 2  cpu 1     C-2  column 5 not 0
  line 2  cpu 1     C-3  backlog_len 2 != input_pkt_queue + process_queue 1
  line 3  cpu 1     C-4  cpu index 1 on row 3 after cpu 1
  line 1  all cpus  R8   flow_limit_count 6 above dropped 4 with every CPU online (unless a CPU's u32 dropped counter wrapped: 2^32 drops since boot)

  C-2: the columns the kernel prints as constant 0 (was fastroute, was cpu_collision) are 0 (9 columns: column 4, throttled before 2.6.14, <= dropped; all 0 with --linux-release 2.6.14 or later) (net/core/net-procfs.c softnet_seq_show (net/core/dev.c before 3.9))
  C-3: backlog_len (column 12) = input_pkt_queue length + process_queue length (columns 14, 15) (net/core/net-procfs.c softnet_seq_show)
  C-4: the CPU index (column 13) rises row by row and is at least the row number (offline CPUs are skipped) (net/core/net-procfs.c softnet_get_online)
  R8: total flow_limit_count <= total dropped: a flow-limit drop is a backlog drop too, counted on the target CPU (checked with --all-cpus-online, as an offline CPU is not listed, past what a read in flight misses unless --quiescent; a u32 dropped wraps after 2^32 drops) (net/core/dev.c enqueue_to_backlog, skb_flow_limit)

What the numbers say:
  cpu 0: 10 time_squeeze, 90.0% of them on cpu 0: net_rx_action ran out of its packet budget or its time with work left (N1, N2). Raise net.core.netdev_budget (300) or netdev_budget_usecs, or move interrupts off cpu 0 (RSS, irq affinity, RPS).
    knobs: net.core.netdev_budget, net.core.netdev_budget_usecs
    assumes: linux-6.18
  cpu 1: 4 backlog drops: packets steered to cpu 1 (RPS, netif_rx) found its input_pkt_queue over net.core.netdev_max_backlog (1000) (R7). Raise netdev_max_backlog or spread the flows over more CPUs (rps_cpus).
    knobs: net.core.netdev_max_backlog, rps_cpus
    assumes: linux-6.18
  all cpus: 6 of the drops are flow-limit drops: one flow held more than half of a backlog past netdev_max_backlog / 2 (R8).
    knobs: net.core.flow_limit_cpu_bitmap, net.core.flow_limit_table_len
    assumes: linux-6.18
`);
  });

  it('the same verdict as JSON with rule texts and the kernel assumed', () => {
    const v = checkCounters(BROKEN_15, { json: true, ...STRICT_R8 });
    const doc = JSON.parse(v.stdout) as Record<string, unknown>;
    expect(doc).toEqual({
      ok: false,
      checks: 10,
      sections: [
        expect.objectContaining({
          format: 'softnet-stat',
          layout: '15 columns: recent Linux 6.x (mainline)',
          firstLine: 1,
          lastLine: 3,
          rows: 3,
          checks: 10,
          findings: [
            expect.objectContaining({
              format: 'softnet-stat',
              rule: 'C-2',
              line: 2,
              row: 'cpu 1',
              message: 'column 5 not 0',
            }),
            expect.objectContaining({ rule: 'C-3', line: 2 }),
            expect.objectContaining({ rule: 'C-4', line: 3 }),
            {
              format: 'softnet-stat',
              rule: 'R8',
              line: 1,
              row: 'all cpus',
              message:
                "flow_limit_count 6 above dropped 4 with every CPU online (unless a CPU's u32 dropped counter wrapped: 2^32 drops since boot)",
              rule_text:
                'total flow_limit_count <= total dropped: a flow-limit drop is a backlog drop too, counted on the target CPU (checked with --all-cpus-online, as an offline CPU is not listed, past what a read in flight misses unless --quiescent; a u32 dropped wraps after 2^32 drops) (net/core/dev.c enqueue_to_backlog, skb_flow_limit)',
            },
          ],
          explanations: [
            expect.objectContaining({ row: 'cpu 0', assumes: 'linux-6.18' }),
            expect.objectContaining({ row: 'cpu 1', knobs: ['net.core.netdev_max_backlog', 'rps_cpus'] }),
            {
              format: 'softnet-stat',
              row: 'all cpus',
              text: '6 of the drops are flow-limit drops: one flow held more than half of a backlog past netdev_max_backlog / 2 (R8).',
              knobs: ['net.core.flow_limit_cpu_bitmap', 'net.core.flow_limit_table_len'],
              assumes: 'linux-6.18',
            },
          ],
        }),
      ],
    });
  });

  it('time squeezes spread over the cpus of an 11 column table make one line for all cpus and name the older layout', () => {
    const v = text(table([10, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0], [10, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(v.exitCode).toBe(0);
    expect(v.stdout).toBe(`1 table, 2 rows, 3 identity checks: every identity holds

  lines 1-2  /proc/net/softnet_stat  11 columns: Linux 3.11 to 5.9  ok

What the numbers say:
  all cpus: 4 time_squeeze: net_rx_action ran out of its packet budget or its time with work left (N1, N2). Raise net.core.netdev_budget (300) or netdev_budget_usecs.
    knobs: net.core.netdev_budget, net.core.netdev_budget_usecs
    assumes: linux-6.18 (this table's layout is Linux 3.11 to 5.9: knob names and defaults there may differ)
`);
  });

  it('one table and one row and one check are singular words', () => {
    expect(text(table([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])).stdout).toBe(
      '1 table, 1 row, 1 identity check: every identity holds\n\n  lines 1-1  /proc/net/softnet_stat  10 columns: Linux 2.6.35 to 3.10  ok\n',
    );
  });
});

describe('which softnet identities each layout has', () => {
  // Per row: C-2 (on 9 columns throttled <= dropped, the early kernels counted there), C-4 with the
  // cpu index (13+), C-3 with the two queue lengths (15); R8 once per table with flow_limit_count (11+).
  const clean = (columns: number) =>
    table(
      ...[0, 1, 2].map((cpu) =>
        Array.from({ length: columns }, (_, k) => (k === 0 ? 100 : k === 12 ? cpu : 0)),
      ),
    );
  it.each([
    [9, 3],
    [10, 3],
    [11, 4],
    [13, 7],
    [15, 10],
  ])('%i columns and 3 rows give %i checks that hold', (columns, checks) => {
    expect(text(clean(columns)).stdout.split('\n')[0]).toBe(
      `1 table, 3 rows, ${checks} identity checks: every identity holds`,
    );
  });

  it('cpu collision in column 9 is a count before 5 10 and a constant 0 from then on', () => {
    const collided = (columns: number) => table(Array.from({ length: columns }, (_, k) => (k === 8 ? 3 : 0)));
    expect(text(collided(11)).exitCode).toBe(0);
    expect(text(collided(13)).stdout).toContain('line 1  cpu 0  C-2  column 9 not 0');
  });

  it('several non zero constant columns are named together', () => {
    expect(text(table([1, 0, 0, 5, 6, 0, 0, 0, 0, 0])).stdout).toContain('C-2  columns 4, 5 not 0');
  });

  it('a cpu index that does not rise is named with the cpu before it', () => {
    const v = text(table([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(v.stdout).toContain('line 2  cpu 0  C-4  cpu index 0 on row 2 after cpu 2');
    const row = (cpu: number) => [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, cpu];
    expect(text(table(row(0), row(2), row(1))).stdout).toContain('cpu index 1 on row 3 after cpu 2');
  });

  it('backlog len in a 13 column table has no queue lengths to add up to', () => {
    expect(text(table([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0])).exitCode).toBe(0);
  });

  it('the cpu with most time squeezes is named wherever its row is', () => {
    const v = text(
      table([10, 0, 1, 0, 0, 0, 0, 0, 0], [10, 0, 0, 0, 0, 0, 0, 0, 0], [10, 0, 8, 0, 0, 0, 0, 0, 0]),
    );
    expect(v.stdout).toContain('  cpu 2: 9 time_squeeze, 88.9% of them on cpu 2: ');
    // Half of them is not most: one line for all cpus.
    expect(text(table([10, 0, 4, 0, 0, 0, 0, 0, 0], [10, 0, 4, 0, 0, 0, 0, 0, 0])).stdout).toContain(
      '  all cpus: 8 time_squeeze: ',
    );
    // A single cpu is not named as the one with most of them.
    expect(text(table([10, 0, 4, 0, 0, 0, 0, 0, 0])).stdout).toContain('  all cpus: 4 time_squeeze: ');
  });

  it('flow limit drops within the backlog drops hold and tables before 3 11 have no flow limit to check', () => {
    expect(text(table([1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 5])).stdout).not.toContain('R8  ');
    expect(text(table([1, 0, 0, 0, 0, 0, 0, 0, 0, 9])).exitCode).toBe(0);
  });
});
