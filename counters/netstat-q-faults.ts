import {
  type CounterFault,
  netstatRowFaults,
  type SettableQlimits,
  type WorkRowWithLimit,
} from '../model/rules/netstat-q.ts';
import type { NetstatQTable, NetstatQWorkRow } from './netstat-q-table.ts';

/**
 * The table-level `netstat -Q` identities of parsed text (layout Q-3, configuration Q-5), on top of
 * the per-row identities the counter-consistency property shares (model/rules/netstat-q.ts).
 */

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
  // One pass: each CPU's protocol names in row order (a filter per CPU was quadratic in the rows).
  const protosByCpu = new Map<number, string[]>();
  for (const r of workstreams) {
    const got = protosByCpu.get(r.cpu);
    if (got === undefined) protosByCpu.set(r.cpu, [r.proto]);
    else got.push(r.proto);
  }
  for (const [cpu, protos] of protosByCpu) {
    const got = protos.join(',');
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

/** A parsed row with its protocol's qlimit attached, from QLimit by protocol name (qlimitsOf). */
export function withLimit(row: NetstatQWorkRow, qlimits: ReadonlyMap<string, number>): WorkRowWithLimit {
  return { ...row, qlimitPackets: qlimits.get(row.proto) };
}

/** QLimit by protocol name, built once per table; a name listed twice keeps its first row. */
export function qlimitsOf(table: NetstatQTable): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of table.protocols) if (!out.has(p.name)) out.set(p.name, p.qlimitPackets);
  return out;
}

/** How to read a real table's qlimits: `qlimitsFixed` when none was changed since boot. */
export interface NetstatQReading {
  readonly qlimitsFixed: boolean;
}

/**
 * Every identity of a parsed `netstat -Q` table: the per-row identities (netstatRowFaults, read as
 * not quiescent, with qlimits settable at run time unless `qlimitsFixed`), the row layout (Q-3: one
 * row per protocol per netisr thread, in order) and the configuration limits. A Workstreams
 * row naming a protocol the Protocols table lacks is a Q-3 fault. Empty when the table is consistent.
 */
export function netstatQFaults(table: NetstatQTable, reading: NetstatQReading): CounterFault[] {
  const settable: SettableQlimits | undefined = reading.qlimitsFixed
    ? undefined
    : { maxqlimitPackets: table.defaultQueueLimit?.limit };
  const faults = [...configurationFaults(table), ...layoutFaults(table)];
  const qlimits = qlimitsOf(table);
  for (const row of table.workstreams) {
    if (table.protocols.length > 0 && !qlimits.has(row.proto)) {
      faults.push({
        rule: 'Q-3',
        line: row.line,
        message: `row for ${row.proto}, which Protocols does not list`,
      });
    }
    for (const f of netstatRowFaults(withLimit(row, qlimits), false, settable))
      faults.push({ ...f, line: row.line });
  }
  return faults;
}
