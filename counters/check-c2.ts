import { type LinuxRelease, releaseAtLeast, releaseText } from './linux-release.ts';
import type { CounterReading } from './reading.ts';
import { SOFTNET_COLUMN, type SoftnetRow, type SoftnetSection } from './softnet.ts';
import type { Explanation } from './types.ts';

/**
 * C-2: the softnet_stat columns the kernel prints as a constant 0. From 2.6.35 (10 columns) on:
 * "was fastroute" (columns 4 to 8) and, from 5.10, "was cpu_collision" (column 9). The 9-column
 * layout is older and means two things: early 2.6 softnet_seq_show (net/core/dev.c; 2.6.11 still)
 * printed struct netif_rx_stats there, column 4 netif_rx's `throttled` and 5 to 8 the fastroute
 * counts (CONFIG_NET_FASTROUTE, early 2.6 only); by 2.6.14 it prints five literal zeros ("was
 * fastroute") and netif_rx has no throttle.
 */
const ZEROS_PRINTED_SINCE: LinuxRelease = { major: 2, minor: 6, patch: 14 };

/** Column indexes (0-based) of the constant zeros a layout has. */
function zeroColumns(columns: number): number[] {
  return columns >= 13 ? [3, 4, 5, 6, 7, 8] : [3, 4, 5, 6, 7];
}

/** A note names this many CPUs at most. */
const CPUS_NAMED_MAX = 8;

const at = (r: SoftnetRow, col: number): bigint => r.values[col] ?? 0n;
const names = (cols: readonly number[]) =>
  `column${cols.length > 1 ? 's' : ''} ${cols.map((c) => c + 1).join(', ')}`;

/** The 9-column table is the early 2.6 one unless the release says the zeros were printed. */
function zerosPrinted(s: SoftnetSection, reading: CounterReading): boolean {
  if (s.columns > 9) return true;
  return reading.linuxRelease !== undefined && releaseAtLeast(reading.linuxRelease, ZEROS_PRINTED_SINCE);
}

/**
 * netif_rx (early 2.6) counts `throttled` once as a CPU's backlog fills and `dropped` for that packet
 * and every one refused while it stays full: throttled <= dropped. It bumps throttled first, so a
 * read between the two sees one more unless nothing was counted.
 */
function throttledAboveDropped(r: SoftnetRow, reading: CounterReading): string | undefined {
  const throttled = at(r, 3);
  const dropped = at(r, SOFTNET_COLUMN.dropped);
  const inFlight = reading.quiescent ? 0n : 1n;
  if (throttled <= dropped + inFlight) return undefined;
  return (
    `column 4 (throttled, on 2.6 before 2.6.14) ${throttled} above column 2 (dropped) ${dropped}: ` +
    "netif_rx counts a drop with every throttle (unless this CPU's u32 dropped wrapped: 2^32 drops since boot)"
  );
}

export function c2RowFinding(s: SoftnetSection, r: SoftnetRow, reading: CounterReading): string | undefined {
  if (!zerosPrinted(s, reading)) return throttledAboveDropped(r, reading);
  const nonZero = zeroColumns(s.columns).filter((c) => at(r, c) !== 0n);
  if (nonZero.length === 0) return undefined;
  const release = s.columns === 9 ? reading.linuxRelease : undefined;
  return `${names(nonZero)} not 0${release === undefined ? '' : ` (Linux ${releaseText(release)} prints 0 there)`}`;
}

/**
 * The note on a 9-column table with counts in columns 4 to 8 and no release to read it by: the
 * early kernel's counters, or a later one's constant zeros broken.
 */
export function c2Notes(s: SoftnetSection, reading: CounterReading): Explanation[] {
  // A release read the columns one way or the other.
  if (s.columns !== 9 || reading.linuxRelease !== undefined) return [];
  const counting = s.rows.filter((r) => [3, 4, 5, 6, 7].some((c) => at(r, c) !== 0n));
  if (counting.length === 0) return [];
  const cols = [3, 4, 5, 6, 7].filter((c) => counting.some((r) => at(r, c) !== 0n));
  const shown = counting.slice(0, CPUS_NAMED_MAX).map((r) => `cpu ${r.cpu}`);
  const cpus = `${shown.join(', ')}${counting.length > CPUS_NAMED_MAX ? ', ...' : ''}`;
  const text =
    `${names(cols)} not 0 (${cpus}): on 2.6 before 2.6.14 these 9 columns may be struct netif_rx_stats, column 4 netif_rx's ` +
    'throttled (at most dropped, as here) and 5 to 8 the fastroute counts (CONFIG_NET_FASTROUTE, early 2.6 only); ' +
    'or a 2.6.14 to 2.6.34 kernel, which prints 0 there, printing a count (C-2). ' +
    'Check again with --linux-release <uname -r> if the kernel is 2.6.14 or later.';
  const row =
    counting.length === s.rows.length ? 'all cpus' : counting.length === 1 ? cpus : `${counting.length} cpus`;
  return [{ format: 'softnet-stat', row, text, knobs: [] }];
}
