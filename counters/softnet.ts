import { fields, type InputLines } from './lines.ts';
import { parseHex32 } from './numbers.ts';
import type { ParseError, SectionBase } from './types.ts';

/**
 * `/proc/net/softnet_stat`: one line per online CPU, every field `%08x`. The kernel has printed five
 * layouts (softnet_seq_show in net/core/dev.c until 3.8, net/core/net-procfs.c since 3.9):
 */
export const SOFTNET_LAYOUTS = {
  9: {
    kernels: 'Linux 2.6 up to 2.6.34',
    source:
      'dev.c softnet_seq_show: total, dropped, time_squeeze, throttled and 4 x fastroute (early 2.6; later printed as 0), cpu_collision',
  },
  10: { kernels: 'Linux 2.6.35 to 3.10', source: 'dev.c / net-procfs.c: + received_rps (RPS, 2.6.35)' },
  11: {
    kernels: 'Linux 3.11 to 5.9',
    source: 'net-procfs.c: + flow_limit_count (commit 99bbc7074190, "rps: selective flow shedding")',
  },
  13: {
    kernels: 'Linux 5.10 and later (RHEL 8.5 backport)',
    source: 'net-procfs.c: cpu_collision printed as 0, + backlog_len, cpu index (commit 7d58e6555870)',
  },
  15: {
    kernels: 'recent Linux 6.x (mainline)',
    source: 'net-procfs.c: + input_pkt_queue length, process_queue length (the two parts of backlog_len)',
  },
} as const;

export type SoftnetColumns = keyof typeof SOFTNET_LAYOUTS;
const LAYOUT_COLUMNS = Object.keys(SOFTNET_LAYOUTS).map(Number);

/** Column index (0-based) of each field that has one, by kernel name. */
export const SOFTNET_COLUMN = {
  processed: 0,
  dropped: 1,
  timeSqueeze: 2,
  cpuCollision: 8,
  receivedRps: 9,
  flowLimitCount: 10,
  backlogLen: 11,
  cpuIndex: 12,
  inputQueueLen: 13,
  processQueueLen: 14,
} as const;

export interface SoftnetRow {
  readonly line: number;
  /** The CPU: the printed index where the layout has one, else the row number. */
  readonly cpu: number;
  readonly values: readonly bigint[];
}

export interface SoftnetSection extends SectionBase {
  readonly format: 'softnet-stat';
  readonly columns: SoftnetColumns;
  readonly rows: readonly SoftnetRow[];
}

const isHexRow = (line: string) => {
  const f = fields(line);
  return f.length >= 9 && f.every((t) => parseHex32(t) !== undefined);
};

/** A row starts a softnet_stat table when it has at least 9 fields of 8 hex digits each. */
export function startsSoftnet(lines: InputLines, i: number): boolean {
  const line = lines.text[i];
  // The first field first: every other table's line is told apart without splitting it.
  return line !== undefined && continuesSoftnet(line) && isHexRow(line);
}

/** A line that continues a softnet table opens with an 8-digit hex field (else the table has ended). */
function continuesSoftnet(line: string): boolean {
  return /^\s*[0-9a-fA-F]{8}(\s|$)/.test(line);
}

function parseRow(line: string, lineNo: number, columns: number): bigint[] | ParseError {
  const f = fields(line);
  if (f.length !== columns) {
    return {
      line: lineNo,
      message: `softnet_stat row has ${f.length} fields`,
      expected: `${columns} fields like the first row of the table`,
    };
  }
  const values: bigint[] = [];
  for (const [col, token] of f.entries()) {
    const v = parseHex32(token);
    if (v === undefined) {
      return {
        line: lineNo,
        message: `softnet_stat column ${col + 1} is "${token.slice(0, 24)}"`,
        expected: 'eight hex digits (%08x of a 32-bit counter)',
      };
    }
    values.push(v);
  }
  return values;
}

/**
 * A row that starts the next snapshot: its CPU index is the table's first one again. The kernel
 * prints online CPUs in rising order from the lowest, so the first index seen again is `cat` run
 * again (two snapshots pasted back to back); an index falling anywhere else stays a C-4 finding.
 * Layouts before 5.10 print no index, and two snapshots of them read as one table of twice the CPUs:
 * a blank line or a prompt between them tells them apart.
 */
const restarts = (cpu: number | undefined, first: SoftnetRow | undefined) =>
  cpu !== undefined && first !== undefined && cpu === first.cpu;

/** Parses rows from line index `i` until a line that is not a hex row, or the next snapshot. */
export function parseSoftnet(
  lines: InputLines,
  start: number,
): { section: SoftnetSection; next: number } | ParseError {
  const first = lines.text[start] ?? '';
  const columns = fields(first).length;
  if (!LAYOUT_COLUMNS.includes(columns)) {
    return {
      line: start + 1,
      message: `softnet_stat row has ${columns} columns, a layout no kernel printed`,
      expected: `${LAYOUT_COLUMNS.join(', ')} columns`,
    };
  }
  const rows: SoftnetRow[] = [];
  let i = start;
  for (; i < lines.text.length; i++) {
    const line = lines.text[i] ?? '';
    if (!continuesSoftnet(line)) break;
    const values = parseRow(line, i + 1, columns);
    if (!Array.isArray(values)) return values;
    const index = columns >= 13 ? values[SOFTNET_COLUMN.cpuIndex] : undefined;
    const cpu = index === undefined ? undefined : Number(index);
    if (restarts(cpu, rows[0])) break;
    rows.push({ line: i + 1, cpu: cpu ?? rows.length, values });
  }
  const layout = SOFTNET_LAYOUTS[columns as SoftnetColumns];
  return {
    section: {
      format: 'softnet-stat',
      layout: `${columns} columns: ${layout.kernels}`,
      firstLine: start + 1,
      lastLine: i,
      columns: columns as SoftnetColumns,
      rows,
    },
    next: i,
  };
}
