import { grouped, percent } from './numbers.ts';
import { SOFTNET_COLUMN, SOFTNET_LAYOUTS, type SoftnetRow, type SoftnetSection } from './softnet.ts';
import type { Explanation, Finding, SectionCheck } from './types.ts';

/**
 * Columns softnet_seq_show prints as a constant 0: "was fastroute" (3..7), "was cpu_collision" (8,
 * from 5.10). None in the 9-column layout: early 2.6 kernels, which print it too, count
 * netif_rx's throttled in column 4 and the fastroute hits in 5..8 (struct netif_rx_stats).
 */
function zeroColumns(columns: number): number[] {
  if (columns === 9) return [];
  return columns >= 13 ? [3, 4, 5, 6, 7, 8] : [3, 4, 5, 6, 7];
}

const at = (r: SoftnetRow, col: number): bigint => r.values[col] ?? 0n;
const rowName = (r: SoftnetRow) => `cpu ${r.cpu}`;

function rowFindings(
  s: SoftnetSection,
  r: SoftnetRow,
  index: number,
  prevCpu: number | undefined,
): Finding[] {
  const out: Finding[] = [];
  const f = (rule: Finding['rule'], message: string): Finding => ({
    format: 'softnet-stat',
    rule,
    line: r.line,
    row: rowName(r),
    message,
  });
  const nonZero = zeroColumns(s.columns).filter((c) => at(r, c) !== 0n);
  if (nonZero.length > 0) {
    out.push(
      f('C-2', `column${nonZero.length > 1 ? 's' : ''} ${nonZero.map((c) => c + 1).join(', ')} not 0`),
    );
  }
  if (s.columns >= 15) {
    const backlog = at(r, SOFTNET_COLUMN.backlogLen);
    const split = at(r, SOFTNET_COLUMN.inputQueueLen) + at(r, SOFTNET_COLUMN.processQueueLen);
    if (backlog !== split)
      out.push(f('C-3', `backlog_len ${backlog} != input_pkt_queue + process_queue ${split}`));
  }
  // Rising row by row from a first index >= 0 is also "at least the row number".
  if (s.columns >= 13 && prevCpu !== undefined && r.cpu <= prevCpu)
    out.push(f('C-4', `cpu index ${r.cpu} on row ${index + 1} after cpu ${prevCpu}`));
  return out;
}

const sum = (rows: readonly SoftnetRow[], col: number) => rows.reduce((a, r) => a + at(r, col), 0n);

/** The modelled kernels (6.6, 6.18) print 13 or 15 columns; fewer is a kernel before 5.10. */
const MODELLED_LAYOUT_COLUMNS_MIN = 13;

/** Advice read from an older kernel's table says so: its knobs and defaults may differ. */
function withLayout(s: SoftnetSection, found: Explanation[]): Explanation[] {
  if (s.columns >= MODELLED_LAYOUT_COLUMNS_MIN) return found;
  const olderLayout = SOFTNET_LAYOUTS[s.columns].kernels;
  return found.map((e) => ({ ...e, olderLayout }));
}

function explanations(s: SoftnetSection): Explanation[] {
  const out: Explanation[] = [];
  const squeeze = sum(s.rows, SOFTNET_COLUMN.timeSqueeze);
  const top = [...s.rows].sort((a, b) => (at(b, 2) > at(a, 2) ? 1 : at(b, 2) < at(a, 2) ? -1 : 0))[0];
  if (top !== undefined && squeeze > 0n) {
    const mine = at(top, SOFTNET_COLUMN.timeSqueeze);
    const most = s.rows.length > 1 && mine * 2n > squeeze;
    out.push({
      format: 'softnet-stat',
      row: most ? rowName(top) : 'all cpus',
      text:
        `${grouped(squeeze)} time_squeeze${most ? `, ${percent(mine, squeeze)} of them on cpu ${top.cpu}` : ''}: ` +
        'net_rx_action ran out of its packet budget or its time with work left (N1, N2). ' +
        `Raise net.core.netdev_budget (300) or netdev_budget_usecs${most ? `, or move interrupts off cpu ${top.cpu} (RSS, irq affinity, RPS)` : ''}.`,
      knobs: ['net.core.netdev_budget', 'net.core.netdev_budget_usecs'],
    });
  }
  for (const r of s.rows) {
    const dropped = at(r, SOFTNET_COLUMN.dropped);
    if (dropped === 0n) continue;
    out.push({
      format: 'softnet-stat',
      row: rowName(r),
      text:
        `${grouped(dropped)} backlog drops: packets steered to cpu ${r.cpu} (RPS, netif_rx) found its input_pkt_queue ` +
        'over net.core.netdev_max_backlog (1000) (R7). Raise netdev_max_backlog or spread the flows over more CPUs (rps_cpus).',
      knobs: ['net.core.netdev_max_backlog', 'rps_cpus'],
    });
  }
  const limited = s.columns >= 11 ? sum(s.rows, SOFTNET_COLUMN.flowLimitCount) : 0n;
  if (limited > 0n) {
    out.push({
      format: 'softnet-stat',
      row: 'all cpus',
      text: `${grouped(limited)} of the drops are flow-limit drops: one flow held more than half of a backlog past netdev_max_backlog / 2 (R8).`,
      knobs: ['net.core.flow_limit_cpu_bitmap', 'net.core.flow_limit_table_len'],
    });
  }
  return out;
}

export function checkSoftnet(s: SoftnetSection): SectionCheck {
  const findings: Finding[] = [];
  let prev: number | undefined;
  for (const [i, r] of s.rows.entries()) {
    findings.push(...rowFindings(s, r, i, prev));
    prev = r.cpu;
  }
  if (s.columns >= 11) {
    const limited = sum(s.rows, SOFTNET_COLUMN.flowLimitCount);
    const dropped = sum(s.rows, SOFTNET_COLUMN.dropped);
    const first = s.rows[0];
    // Per CPU the two can differ: the flow-limit count is kept on the enqueuing CPU, the drop on the target (R8).
    if (first !== undefined && limited > dropped) {
      findings.push({
        format: 'softnet-stat',
        rule: 'R8',
        line: first.line,
        row: 'all cpus',
        // Two histories make this a false alarm: RPS sent the drops to a CPU that is offline now (its
        // row, and the drops on it, are not printed), or a u32 dropped wrapped (2^32 drops on one CPU).
        message: `flow_limit_count ${limited} above dropped ${dropped} (unless RPS sent the drops to a CPU offline now, which is not listed, or a CPU's u32 dropped counter wrapped: 2^32 drops since boot)`,
      });
    }
  }
  const perRow = (s.columns > 9 ? 1 : 0) + (s.columns >= 15 ? 1 : 0) + (s.columns >= 13 ? 1 : 0);
  return {
    checks: s.rows.length * perRow + (s.columns >= 11 ? 1 : 0),
    rows: s.rows.length,
    findings,
    explanations: withLayout(s, explanations(s)),
  };
}
