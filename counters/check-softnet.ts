import { c2Notes, c2RowFinding } from './check-c2.ts';
import { checkR8 } from './check-r8.ts';
import { grouped, percent } from './numbers.ts';
import type { CounterReading } from './reading.ts';
import { SOFTNET_COLUMN, SOFTNET_LAYOUTS, type SoftnetRow, type SoftnetSection } from './softnet.ts';
import type { Explanation, Finding, SectionCheck } from './types.ts';

const at = (r: SoftnetRow, col: number): bigint => r.values[col] ?? 0n;
const rowName = (r: SoftnetRow) => `cpu ${r.cpu}`;

function rowFindings(
  s: SoftnetSection,
  r: SoftnetRow,
  index: number,
  prevCpu: number | undefined,
  reading: CounterReading,
): Finding[] {
  const out: Finding[] = [];
  const f = (rule: Finding['rule'], message: string): Finding => ({
    format: 'softnet-stat',
    rule,
    line: r.line,
    row: rowName(r),
    message,
  });
  const c2 = c2RowFinding(s, r, reading);
  if (c2 !== undefined) out.push(f('C-2', c2));
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

export function checkSoftnet(s: SoftnetSection, reading: CounterReading): SectionCheck {
  const findings: Finding[] = [];
  let prev: number | undefined;
  for (const [i, r] of s.rows.entries()) {
    findings.push(...rowFindings(s, r, i, prev, reading));
    prev = r.cpu;
  }
  const r8 = checkR8(s, reading);
  findings.push(...r8.findings);
  // Per row: C-2, C-4 with the cpu index (13+), C-3 with the two queue lengths (15); R8 once (11+).
  const perRow = 1 + (s.columns >= 15 ? 1 : 0) + (s.columns >= 13 ? 1 : 0);
  return {
    checks: s.rows.length * perRow + r8.checks,
    rows: s.rows.length,
    findings,
    explanations: [...c2Notes(s, reading), ...(r8.explanations ?? []), ...withLayout(s, explanations(s))],
  };
}
