import type { Count, CounterField } from '../model/rules/netstat-q.ts';
import type { NetisrWorkRow } from '../model/trace.ts';
/**
 * A parser for FreeBSD's `netstat -Q` text (usr.bin/netstat/netisr.c): the Configuration,
 * Protocols and Workstreams tables, with or without their section titles (older netstat prints
 * none), with any run of spaces, tabs or no-break spaces between columns (tables copied from web
 * pages carry U+00A0), and with WSID/CPU blanked on the second and later rows of a workstream (the
 * 2012 layout, Q-2). Columns are found by the header line, so a layout without HDisp'd still
 * parses. Every row keeps its 1-based input line for reports.
 *
 *   Configuration:  Setting ... Current Limit      -> settings + the four known ones, typed
 *   Protocols:      Name Proto QLimit Policy ...   -> NetstatQProtocol rows
 *   Workstreams:    WSID CPU Name Len WMark ...    -> NetstatQWorkRow rows
 */

/** One line of the Configuration table: the setting's name and its Current / Limit texts. */
export interface NetstatQSetting {
  readonly line: number;
  readonly name: string;
  readonly current: string;
  readonly limit: string;
}

/** One Protocols row. */
export interface NetstatQProtocol {
  readonly line: number;
  readonly name: string;
  readonly proto: number;
  readonly qlimitPackets: number;
  /** `source`, `flow`, `cpu` or `-`. */
  readonly policy: string;
  /** The protocol's own nh_dispatch: `default`, `direct`, `hybrid`, `deferred`; undefined if the layout has no column. */
  readonly dispatch: string | undefined;
  /** The C, D, F flags: nh_m2cpuid, nh_drainedcpu, nh_m2flow. */
  readonly m2cpuid: boolean;
  readonly drainedcpu: boolean;
  readonly m2flow: boolean;
}

/**
 * One Workstreams row; field names as in the trace's NetisrWorkRow. The counters are
 * u64 in the kernel: a number below 2^53, a bigint above (exact up to 2^64 - 1).
 * `hybridDispatched` is 0 when the layout has no HDisp'd column (netstat before hybrid dispatch).
 */
export interface NetstatQWorkRow
  extends Omit<NetisrWorkRow, 'cpu' | 'qlimitPackets' | CounterField>,
    Readonly<Record<CounterField, Count>> {
  readonly line: number;
  readonly cpu: number;
}

/** A whole `netstat -Q` output. A section the input does not have is empty. */
export interface NetstatQTable {
  readonly settings: readonly NetstatQSetting[];
  /** Thread count: net.isr.numthreads / net.isr.maxthreads. */
  readonly threadCount: { readonly current: number; readonly limit: number } | undefined;
  /** Default queue limit: net.isr.defaultqlimit / net.isr.maxqlimit. */
  readonly defaultQueueLimit: { readonly current: number; readonly limit: number } | undefined;
  /** Dispatch policy: net.isr.dispatch. */
  readonly dispatchPolicy: string | undefined;
  /** Threads bound to CPUs: net.isr.bindthreads. */
  readonly bindThreads: boolean | undefined;
  readonly protocols: readonly NetstatQProtocol[];
  readonly workstreams: readonly NetstatQWorkRow[];
}

/** Malformed input: the 1-based line, what was wrong, and what was expected there. */
export interface NetstatQParseError {
  readonly line: number;
  readonly message: string;
  readonly expected: string;
}

export type NetstatQParseResult =
  | { readonly ok: true; readonly table: NetstatQTable }
  | { readonly ok: false; readonly error: NetstatQParseError };

type Section = 'configuration' | 'protocols' | 'workstreams';

const SECTION_TITLES: Readonly<Record<string, Section>> = {
  'Configuration:': 'configuration',
  'Protocols:': 'protocols',
  'Workstreams:': 'workstreams',
};

/** The header each table opens with, by its first two column titles. */
const HEADERS: Readonly<Record<string, Section>> = {
  'Setting Current': 'configuration',
  // FreeBSD 8 netstat: `Setting Value Maximum`, with Direct dispatch and Forced direct dispatch.
  'Setting Value': 'configuration',
  'Name Proto': 'protocols',
  'WSID CPU': 'workstreams',
};

/**
 * A Configuration line netstat prints, recognised without its header: netisr.c's four settings, and
 * FreeBSD 8's net.isr.direct and net.isr.direct_force in place of Dispatch policy.
 */
const HEADERLESS_SETTING =
  /^\s*(Thread count|Default queue limit|Dispatch policy|Direct dispatch|Forced direct dispatch|Threads bound to CPUs)\s+\S+\s+\S+\s*$/;

const WORK_COUNTERS = ['Len', 'WMark', "Disp'd", "HDisp'd", 'QDrops', 'Queued', 'Handled'] as const;
const WORK_REQUIRED = ['Len', 'WMark', "Disp'd", 'QDrops', 'Queued', 'Handled'] as const;
const PROTOCOL_REQUIRED = ['Name', 'Proto', 'QLimit', 'Policy', 'Flags'] as const;

class ParseFailure {
  readonly error: NetstatQParseError;
  constructor(line: number, message: string, expected: string) {
    this.error = { line, message, expected };
  }
}

/** `\s` covers spaces, tabs and U+00A0, so web copies split like terminal output. */
function fieldsOf(text: string): string[] {
  const t = text.trim();
  return t === '' ? [] : t.split(/\s+/);
}

/** A counter: a non-negative decimal integer a double holds exactly (u64 beyond 2^53 is refused). */
function count(text: string | undefined, line: number, column: string): number {
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new ParseFailure(
      line,
      `${column} is '${text ?? ''}'`,
      `a non-negative integer in the ${column} column`,
    );
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new ParseFailure(line, `${column} ${text} is above 2^53 - 1`, 'a counter below 2^53');
  }
  return n;
}

const U64_MAX = (1n << 64n) - 1n;

/** A u64 counter of a Workstreams row: a number below 2^53, else an exact bigint up to 2^64 - 1. */
function counter64(text: string | undefined, line: number, column: string): Count {
  if (text === undefined || !/^\d{1,20}$/.test(text)) {
    throw new ParseFailure(
      line,
      `${column} is '${(text ?? '').slice(0, 40)}'`,
      `a non-negative integer in the ${column} column`,
    );
  }
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n;
  const big = BigInt(text);
  if (big > U64_MAX) throw new ParseFailure(line, `${column} ${text} is above 2^64 - 1`, 'a 64-bit counter');
  return big;
}

/** Configuration lines: the name is every field but the last two (`Threads bound to CPUs`). */
function parseSetting(fields: readonly string[], line: number): NetstatQSetting {
  if (fields.length < 3) {
    throw new ParseFailure(
      line,
      `setting line has ${fields.length} fields`,
      'a setting name, Current and Limit',
    );
  }
  return {
    line,
    name: fields.slice(0, -2).join(' '),
    current: fields.at(-2) ?? '',
    limit: fields.at(-1) ?? '',
  };
}

function numericPair(
  settings: readonly NetstatQSetting[],
  name: string,
): { current: number; limit: number } | undefined {
  const s = settings.find((x) => x.name === name);
  if (s === undefined) return undefined;
  return {
    current: count(s.current, s.line, `${name} Current`),
    limit: count(s.limit, s.line, `${name} Limit`),
  };
}

function bindThreads(settings: readonly NetstatQSetting[]): boolean | undefined {
  const s = settings.find((x) => x.name === 'Threads bound to CPUs');
  if (s === undefined) return undefined;
  if (s.current !== 'enabled' && s.current !== 'disabled') {
    throw new ParseFailure(s.line, `Threads bound to CPUs is '${s.current}'`, 'enabled or disabled');
  }
  return s.current === 'enabled';
}

/** The column index of each header title, after checking the required ones are there. */
function columns(header: readonly string[], required: readonly string[], line: number): Map<string, number> {
  const at = new Map(header.map((title, i) => [title, i]));
  const missing = required.find((title) => !at.has(title));
  if (missing !== undefined) {
    throw new ParseFailure(line, `header has no ${missing} column`, `a header with ${required.join(' ')}`);
  }
  return at;
}

function parseProtocol(
  fields: readonly string[],
  cols: ReadonlyMap<string, number>,
  line: number,
): NetstatQProtocol {
  if (fields.length !== cols.size) {
    throw new ParseFailure(
      line,
      `protocol row has ${fields.length} fields`,
      `${cols.size} fields as in the header`,
    );
  }
  const get = (title: string) => {
    const i = cols.get(title);
    return i === undefined ? undefined : fields[i];
  };
  const flags = get('Flags') ?? '';
  if (!/^[C-][D-][F-]$/.test(flags)) {
    throw new ParseFailure(line, `Flags is '${flags}'`, 'three flag characters C, D, F or - (Q-1)');
  }
  return {
    line,
    name: get('Name') ?? '',
    proto: count(get('Proto'), line, 'Proto'),
    qlimitPackets: count(get('QLimit'), line, 'QLimit'),
    policy: get('Policy') ?? '',
    dispatch: get('Dispatch'),
    m2cpuid: flags[0] === 'C',
    drainedcpu: flags[1] === 'D',
    m2flow: flags[2] === 'F',
  };
}

function parseWork(
  fields: readonly string[],
  cols: ReadonlyMap<string, number>,
  line: number,
  previous: NetstatQWorkRow | undefined,
): NetstatQWorkRow {
  let row = fields;
  if (fields.length === cols.size - 2) {
    // the 2012 netstat blanks WSID and CPU after a workstream's first row.
    if (previous === undefined) {
      throw new ParseFailure(
        line,
        'the first workstream row has no WSID and CPU',
        'WSID and CPU on the first row',
      );
    }
    row = [String(previous.wsid), String(previous.cpu), ...fields];
  } else if (fields.length !== cols.size) {
    throw new ParseFailure(
      line,
      `workstream row has ${fields.length} fields`,
      `${cols.size} fields as in the header`,
    );
  }
  const get = (title: string) => {
    const i = cols.get(title);
    return i === undefined ? undefined : row[i];
  };
  const counted = (title: (typeof WORK_COUNTERS)[number]) =>
    cols.has(title) ? counter64(get(title), line, title) : 0;
  return {
    line,
    wsid: count(get('WSID'), line, 'WSID'),
    cpu: count(get('CPU'), line, 'CPU'),
    proto: get('Name') ?? '',
    lenPackets: counted('Len'),
    watermarkPackets: counted('WMark'),
    dispatched: counted("Disp'd"),
    hybridDispatched: counted("HDisp'd"),
    qdrops: counted('QDrops'),
    queued: counted('Queued'),
    handled: counted('Handled'),
  };
}

interface Accumulated {
  settings: NetstatQSetting[];
  protocols: NetstatQProtocol[];
  workstreams: NetstatQWorkRow[];
  /** The line of the Protocols and Workstreams headers, when seen. */
  headerLine: { protocols?: number; workstreams?: number };
}

/** One pass over the lines: a title or a header switches section; rows go to the open table. */
function parseLines(lines: readonly string[]): Accumulated {
  const acc: Accumulated = { settings: [], protocols: [], workstreams: [], headerLine: {} };
  let section: Section | undefined;
  let cols: Map<string, number> | undefined;
  let headerSeen = false;
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const fields = fieldsOf(raw);
    if (fields.length === 0) continue;
    const first = fields[0] ?? '';
    const title = fields.length === 1 ? SECTION_TITLES[first] : undefined;
    if (title !== undefined) {
      section = title;
      headerSeen = false;
      continue;
    }
    const headerOf = HEADERS[`${first} ${fields[1] ?? ''}`];
    if (headerOf !== undefined) {
      section = headerOf;
      headerSeen = true;
      if (headerOf !== 'configuration') acc.headerLine[headerOf] = line;
      if (headerOf === 'protocols') cols = columns(fields, PROTOCOL_REQUIRED, line);
      if (headerOf === 'workstreams') cols = columns(fields, ['WSID', 'CPU', 'Name', ...WORK_REQUIRED], line);
      continue;
    }
    // Configuration lines pasted without their `Setting Current Limit` header open the table.
    if (
      (section === undefined || (section === 'configuration' && !headerSeen)) &&
      HEADERLESS_SETTING.test(raw)
    ) {
      section = 'configuration';
      headerSeen = true;
    }
    if (section === undefined || !headerSeen) {
      throw new ParseFailure(
        line,
        `'${raw.trim()}' before any table header`,
        'a Setting, Name or WSID header line',
      );
    }
    if (section === 'configuration') acc.settings.push(parseSetting(fields, line));
    else if (section === 'protocols' && cols) acc.protocols.push(parseProtocol(fields, cols, line));
    else if (cols) acc.workstreams.push(parseWork(fields, cols, line, acc.workstreams.at(-1)));
  }
  return acc;
}

/**
 * Parses `netstat -Q` output. Never throws: malformed input answers the first bad line, what was
 * wrong with it and what was expected there. Input without any of the three tables is an error.
 */
export function parseNetstatQ(text: string): NetstatQParseResult {
  try {
    const lines = text.replace(/\r\n?/g, '\n').split('\n');
    const acc = parseLines(lines);
    // A header without a row is a cut paste: every protocol, and every workstream, has rows.
    const rowsOf = {
      protocols: 'a row per registered protocol',
      workstreams: 'a row per protocol on each workstream',
    };
    for (const part of ['protocols', 'workstreams'] as const) {
      const at = acc.headerLine[part];
      if (at !== undefined && acc[part].length === 0) {
        const message = `the ${part} header has no rows under it`;
        return { ok: false, error: { line: at, message, expected: `${rowsOf[part]} (a truncated paste?)` } };
      }
    }
    if (acc.settings.length + acc.protocols.length + acc.workstreams.length === 0) {
      return {
        ok: false,
        error: { line: 1, message: 'no netstat -Q table found', expected: 'netstat -Q output' },
      };
    }
    const dispatch = acc.settings.find((s) => s.name === 'Dispatch policy');
    return {
      ok: true,
      table: {
        settings: acc.settings,
        threadCount: numericPair(acc.settings, 'Thread count'),
        defaultQueueLimit: numericPair(acc.settings, 'Default queue limit'),
        dispatchPolicy: dispatch?.current,
        bindThreads: bindThreads(acc.settings),
        protocols: acc.protocols,
        workstreams: acc.workstreams,
      },
    };
  } catch (err) {
    if (err instanceof ParseFailure) return { ok: false, error: err.error };
    throw err;
  }
}
