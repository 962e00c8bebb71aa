/**
 * What check-counters reads and reports. The counters/ parsers keep counters as `bigint`: the kernels
 * keep them as u32 (softnet_stat), u64 (netstat -s) or unsigned long (/proc/net/snmp), and a double
 * is exact only to 2^53. (netstat -Q is read by counters/netstat-q-table.ts, in numbers below 2^53.)
 */

/** The formats check-counters recognises. */
export type CounterFormat = 'netstat-q' | 'softnet-stat' | 'proc-net-snmp' | 'netstat-s';

/** Malformed input: the line (1-based) and what was expected there. Exit 2. */
export interface ParseError {
  readonly line: number;
  readonly message: string;
  readonly expected: string;
}

/** One broken identity: the rule it breaks, where, and got/want. Exit 1. */
export interface Finding {
  readonly format: CounterFormat;
  /** A rule id of COUNTER_RULES (I-4, U5, C-1 ...). */
  readonly rule: string;
  /** The input line of the row (1-based). */
  readonly line: number;
  /** The row in the kernel's words, e.g. `cpu 0 ipsec`, `Udp`, `cpu 3`. */
  readonly row: string;
  readonly message: string;
}

/** What the numbers say in the kernel's terms, with the knobs that change it. Never fails a check. */
export interface Explanation {
  readonly format: CounterFormat;
  readonly row: string;
  readonly text: string;
  readonly knobs: readonly string[];
  /** The kernels that printed the table, when they are older than the ones the advice assumes. */
  readonly olderLayout?: string;
}

/** A parsed table plus where it was in the input. */
export interface SectionBase {
  readonly format: CounterFormat;
  /** The layout found, in words (e.g. `13 columns: Linux 5.10 and later`). */
  readonly layout: string;
  readonly firstLine: number;
  readonly lastLine: number;
}

/** The result of checking one row or group of a section: its checks, findings and notes. */
export interface GroupCheck {
  readonly checks: number;
  readonly findings: Finding[];
  readonly explanations?: Explanation[];
}

/** The result of checking one section. */
export interface SectionCheck {
  /** How many identity checks ran (rows x identities). */
  readonly checks: number;
  readonly rows: number;
  readonly findings: readonly Finding[];
  readonly explanations: readonly Explanation[];
}

export const U64_MAX = (1n << 64n) - 1n;
