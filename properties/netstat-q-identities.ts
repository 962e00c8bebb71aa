import type { NetisrWorkRow } from '../model/trace.ts';
import type { NetstatQTable, NetstatQWorkRow } from './netstat-q-parse.ts';

/**
 * The `netstat -Q` identities, true of any table a FreeBSD kernel prints, real or modelled. One
 * home for them: the counter-consistency property applies them to every snapshot in a trace, and
 * check-counters applies them to parsed text.
 */

/** One broken identity: the rule id (docs/reference) and a got/want sentence. */
export interface CounterFault {
  readonly rule: string;
  readonly message: string;
  /** The 1-based input line of the row, for parsed text. */
  readonly line?: number;
}

/** A Workstreams row with the qlimit of its protocol (from the Protocols table or the model). */
export interface WorkRowWithLimit extends Omit<NetisrWorkRow, 'wsid' | 'cpu' | 'qlimitPackets'> {
  readonly cpu: number;
  /** The effective qlimit; undefined when the table has no Protocols section. */
  readonly qlimitPackets: number | undefined;
}

/**
 * The identities of one Workstreams row:
 * - I-4: Handled = Disp'd + HDisp'd + packets the SWI took off the queue, so Handled >= Disp'd + HDisp'd;
 * - N-17 / N-10: Queued - (Handled - Disp'd - HDisp'd) - Len is the batch the SWI has taken off
 *   the queue and not finished (Handled grows by a batch at its end): 0..QLimit, as a batch is at
 *   most a full queue; 0 when `quiescent` (nothing running when the snapshot was taken);
 * - I-2 / I-1: Len <= WMark <= QLimit.
 * Real tables are read as not quiescent: the SWI may be mid-batch (the D9721 8192 table is).
 */
export function netstatRowFaults(row: WorkRowWithLimit, quiescent: boolean): CounterFault[] {
  const at = `${row.proto} on cpu ${row.cpu}`;
  const counts = [row.lenPackets, row.watermarkPackets, row.dispatched, row.hybridDispatched, row.qdrops];
  if (![...counts, row.queued, row.handled].every((n) => Number.isSafeInteger(n) && n >= 0)) {
    return [{ rule: 'Q-4', message: `${at}: a counter is not a non-negative integer` }];
  }
  const faults: CounterFault[] = [];
  const fromQueue = row.handled - row.dispatched - row.hybridDispatched;
  if (fromQueue < 0) {
    faults.push({
      rule: 'I-4',
      message: `${at}: Handled ${row.handled} < Disp'd ${row.dispatched} + HDisp'd ${row.hybridDispatched}`,
    });
  }
  const inFlight = row.queued - fromQueue - row.lenPackets;
  const inFlightMax = quiescent ? 0 : (row.qlimitPackets ?? Number.POSITIVE_INFINITY);
  if (fromQueue >= 0 && (inFlight < 0 || inFlight > inFlightMax)) {
    const want = quiescent ? '0 when quiescent' : `0..${inFlightMax} (the batch in flight)`;
    faults.push({
      rule: quiescent ? 'N-10' : 'N-17',
      message: `${at}: Queued ${row.queued} - handled from queue ${fromQueue} - Len ${row.lenPackets} = ${inFlight}, want ${want}`,
    });
  }
  if (row.watermarkPackets < row.lenPackets) {
    faults.push({ rule: 'I-2', message: `${at}: WMark ${row.watermarkPackets} below Len ${row.lenPackets}` });
  }
  if (row.qlimitPackets !== undefined && row.watermarkPackets > row.qlimitPackets) {
    faults.push({
      rule: 'I-1',
      message: `${at}: WMark ${row.watermarkPackets} above QLimit ${row.qlimitPackets}`,
    });
  }
  return faults;
}

/** rows are (CPU with a netisr thread) x (registered protocol), CPU ascending, then proto. */
function layoutFaults(table: NetstatQTable): CounterFault[] {
  const faults: CounterFault[] = [];
  const { protocols, workstreams } = table;
  const cpus: number[] = [];
  for (const row of workstreams) if (cpus.at(-1) !== row.cpu) cpus.push(row.cpu);
  for (const [i, row] of workstreams.entries()) {
    const prev = workstreams[i - 1];
    if (row.wsid !== row.cpu) {
      faults.push({
        rule: 'Q-3',
        line: row.line,
        message: `row WSID ${row.wsid} on CPU ${row.cpu}: the kernel sets WSID to the CPU id`,
      });
    }
    if (prev !== undefined && prev.cpu > row.cpu) {
      faults.push({
        rule: 'Q-3',
        line: row.line,
        message: `CPU ${row.cpu} after CPU ${prev.cpu}: rows go in CPU order`,
      });
    }
  }
  if (new Set(cpus).size !== cpus.length) {
    faults.push({ rule: 'Q-3', message: `a CPU's rows are split: CPU order ${cpus.join(',')}` });
  }
  if (
    table.threadCount !== undefined &&
    workstreams.length > 0 &&
    cpus.length !== table.threadCount.current
  ) {
    faults.push({
      rule: 'Q-3',
      message: `Thread count ${table.threadCount.current}, but Workstreams has rows for ${cpus.length} CPUs`,
    });
  }
  if (protocols.length === 0) return faults;
  const names = protocols.map((p) => p.name).join(',');
  for (const cpu of cpus) {
    const got = workstreams
      .filter((r) => r.cpu === cpu)
      .map((r) => r.proto)
      .join(',');
    if (got !== names) {
      faults.push({ rule: 'Q-3', message: `CPU ${cpu} has rows ${got}, want one per protocol: ${names}` });
    }
  }
  return faults;
}

/** numthreads <= maxthreads, defaultqlimit <= maxqlimit; netisr_register clamps each qlimit to maxqlimit. */
function configurationFaults(table: NetstatQTable): CounterFault[] {
  const faults: CounterFault[] = [];
  const threads = table.threadCount;
  if (threads !== undefined && (threads.current < 1 || threads.current > threads.limit)) {
    faults.push({
      rule: 'Q-5',
      message: `Thread count ${threads.current}, want 1..${threads.limit} (maxthreads)`,
    });
  }
  const limits = table.defaultQueueLimit;
  if (limits === undefined) return faults;
  if (limits.current > limits.limit) {
    faults.push({
      rule: 'Q-5',
      message: `Default queue limit ${limits.current} above its Limit ${limits.limit} (maxqlimit)`,
    });
  }
  for (const p of table.protocols) {
    if (p.qlimitPackets < 1 || p.qlimitPackets > limits.limit) {
      faults.push({
        rule: 'Q-1',
        line: p.line,
        message: `${p.name} QLimit ${p.qlimitPackets}, want 1..${limits.limit}: netisr_register clamps to maxqlimit`,
      });
    }
  }
  return faults;
}

/** A parsed row with its protocol's qlimit attached. */
export function withLimit(row: NetstatQWorkRow, table: NetstatQTable): WorkRowWithLimit {
  return { ...row, qlimitPackets: table.protocols.find((p) => p.name === row.proto)?.qlimitPackets };
}

/**
 * Every identity of a parsed `netstat -Q` table: the per-row identities (netstatRowFaults, read as
 * not quiescent), the row layout (Q-3: one row per protocol per netisr thread, in order) and the
 * configuration limits. A Workstreams row naming a protocol the Protocols table lacks is a
 * Q-3 fault. Empty when the table is consistent.
 */
export function netstatQFaults(table: NetstatQTable): CounterFault[] {
  const faults = [...configurationFaults(table), ...layoutFaults(table)];
  const known = new Set(table.protocols.map((p) => p.name));
  for (const row of table.workstreams) {
    if (table.protocols.length > 0 && !known.has(row.proto)) {
      faults.push({
        rule: 'Q-3',
        line: row.line,
        message: `row for ${row.proto}, which Protocols does not list`,
      });
    }
    for (const f of netstatRowFaults(withLimit(row, table), false)) faults.push({ ...f, line: row.line });
  }
  return faults;
}
