import type { LinuxRelease } from './linux-release.ts';
import type { NetstatQReading } from './netstat-q-faults.ts';

/**
 * What whoever took the dump knows about the machine. One snapshot of a running kernel cannot tell
 * some healthy histories from a fault; each fact here rules one history out and makes the
 * identities it bends exact again. Without it, a row that history explains gets a note naming both
 * readings, not a finding.
 */
export interface CounterReading extends NetstatQReading {
  /**
   * The kernel keeps the counters in 64 bits: a 64-bit Linux (unsigned long), FreeBSD 10 and later
   * (counter(9)) or FreeBSD on amd64. Without it a table whose every count fits in 32 bits may come
   * from a 32-bit kernel, whose counters wrap at 2^32 (C-1, F-20, U5).
   */
  readonly counters64bit: boolean;
  /**
   * Nothing was counted while the tables were read (an idle host). Without it a sum the reader
   * took while packets moved may be short by the ones in flight (U5, F-20, R8).
   */
  readonly quiescent: boolean;
  /** Every CPU was online when softnet_stat was read: no CPU's row, and drops, are hidden (R8). */
  readonly allCpusOnline: boolean;
  /** The Linux that printed the tables (`uname -r`), where known: the 9-column softnet_stat (C-2). */
  readonly linuxRelease?: LinuxRelease;
}

/** Nothing known: every history a snapshot cannot rule out is read as healthy, with a note. */
export const UNKNOWN_MACHINE: CounterReading = {
  qlimitsFixed: false,
  counters64bit: false,
  quiescent: false,
  allCpusOnline: false,
};
