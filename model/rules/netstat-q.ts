import type { NetisrWorkRow } from '../trace.ts';

/**
 * The `netstat -Q` identities, true of any table a FreeBSD kernel prints, real or modelled. One
 * home for them: the counter-consistency property applies them to every snapshot in a trace, and
 * check-counters (counters/netstat-q-faults.ts) applies them, with the table-level rules, to parsed text.
 */

/** The reference rules (docs/reference) the netstat -Q identities guard. */
export type NetstatRuleId =
  | 'Q-1'
  | 'Q-3'
  | 'Q-4'
  | 'Q-5'
  | 'I-1'
  | 'I-2'
  | 'I-3'
  | 'I-4'
  | 'N-8'
  | 'N-10'
  | 'N-15'
  | 'N-17';

/** One broken identity: the rule id (docs/reference) and a got/want sentence. */
export interface CounterFault {
  readonly rule: NetstatRuleId;
  readonly message: string;
  /** The 1-based input line of the row, for parsed text. */
  readonly line?: number;
}

/** A counter: a number, or a bigint where a real table's u64 counter is above 2^53 (exact either way). */
export type Count = number | bigint;

/** The counter columns of a Workstreams row. */
export type CounterField =
  | 'lenPackets'
  | 'watermarkPackets'
  | 'dispatched'
  | 'hybridDispatched'
  | 'qdrops'
  | 'queued'
  | 'handled';

/** A Workstreams row with the qlimit of its protocol (from the Protocols table or the model). */
export interface WorkRowWithLimit
  extends Omit<NetisrWorkRow, 'wsid' | 'cpu' | 'qlimitPackets' | CounterField>,
    Readonly<Record<CounterField, Count>> {
  readonly cpu: number;
  /** The effective qlimit; undefined when the table has no Protocols section. */
  readonly qlimitPackets: number | undefined;
}

/**
 * A real host's qlimits, which `sysctl net.inet.ip.intr_queue_maxlen` and the like change at run
 * time: netisr_setqlimit sets QLimit and leaves WMark and Len as they are, so WMark is bounded by
 * maxqlimit (which setqlimit refuses to pass) rather than by today's QLimit, and a batch in flight
 * by the larger of WMark (the batch was a whole queue) and QLimit. Absent: the qlimits never
 * changed (the model; a host its user vouches for).
 */
export interface SettableQlimits {
  /** net.isr.maxqlimit (the Limit of `Default queue limit`); undefined when the table lacks it. */
  readonly maxqlimitPackets: number | undefined;
}

/** The highest WMark a row may show (I-1). */
function wmarkMaxOf(row: WorkRowWithLimit, settable: SettableQlimits | undefined): number {
  const limit = settable === undefined ? row.qlimitPackets : settable.maxqlimitPackets;
  return limit ?? Number.POSITIVE_INFINITY;
}

/** The largest batch a row may have in flight when not quiescent (N-17). */
function inFlightMaxOf(row: WorkRowWithLimit, settable: SettableQlimits | undefined): number {
  const qlimit = row.qlimitPackets ?? Number.POSITIVE_INFINITY;
  return settable === undefined ? qlimit : Math.max(qlimit, Number(row.watermarkPackets));
}

/**
 * Whether every identity below holds, computed without building any text: a fuzz run checks
 * every row of every snapshot, and nearly all hold. When this says no (or a counter is a bigint,
 * from a real table's 64-bit counter), netstatRowFaults works out which broke and says how.
 */
function rowHolds(row: WorkRowWithLimit, quiescent: boolean, settable: SettableQlimits | undefined): boolean {
  const { lenPackets: len, watermarkPackets: wmark, dispatched, hybridDispatched } = row;
  const { qdrops, queued, handled } = row;
  const counts = isCount(len) && isCount(wmark) && isCount(dispatched) && isCount(hybridDispatched);
  if (!(counts && isCount(qdrops) && isCount(queued) && isCount(handled))) return false;
  const fromQueue = handled - dispatched - hybridDispatched;
  const inFlight = queued - fromQueue - len;
  const inFlightMax = quiescent ? 0 : inFlightMaxOf(row, settable);
  if (fromQueue < 0 || inFlight < 0 || inFlight > inFlightMax) return false;
  return wmark >= len && wmark <= wmarkMaxOf(row, settable);
}

// Number.isSafeInteger is false for a bigint, which takes the exact path below.
const isCount = (n: Count): n is number => Number.isSafeInteger(n) && n >= 0;

const NO_FAULTS: readonly CounterFault[] = [];

/**
 * The identities of one Workstreams row:
 * - I-4: Handled = Disp'd + HDisp'd + packets the SWI took off the queue, so Handled >= Disp'd + HDisp'd;
 * - N-17 / N-10: Queued - (Handled - Disp'd - HDisp'd) - Len is the batch the SWI has taken off
 *   the queue and not finished (Handled grows by a batch at its end): 0..QLimit, as a batch is at
 *   most a full queue (0..max(QLimit, WMark) when `settable`); 0 when `quiescent` (nothing
 *   running when the snapshot was taken);
 * - I-2 / I-1: Len <= WMark <= QLimit (<= maxqlimit when the qlimits are `settable`).
 * Real tables are read as not quiescent: the SWI may be mid-batch (the D9721 8192 table is).
 */
export function netstatRowFaults(
  row: WorkRowWithLimit,
  quiescent: boolean,
  settable?: SettableQlimits,
): readonly CounterFault[] {
  if (rowHolds(row, quiescent, settable)) return NO_FAULTS;
  const at = `${row.proto} on cpu ${row.cpu}`;
  const counts = [row.lenPackets, row.watermarkPackets, row.dispatched, row.hybridDispatched, row.qdrops];
  const whole = (n: Count) => (typeof n === 'bigint' ? n >= 0n : Number.isSafeInteger(n) && n >= 0);
  if (![...counts, row.queued, row.handled].every(whole)) {
    return [{ rule: 'Q-4', message: `${at}: a counter is not a non-negative integer` }];
  }
  const faults: CounterFault[] = [];
  // In bigint: exact for 64-bit counters, and the same values as numbers below 2^53.
  const fromQueue = BigInt(row.handled) - BigInt(row.dispatched) - BigInt(row.hybridDispatched);
  if (fromQueue < 0n) {
    faults.push({
      rule: 'I-4',
      message: `${at}: Handled ${row.handled} < Disp'd ${row.dispatched} + HDisp'd ${row.hybridDispatched}`,
    });
  }
  const inFlight = BigInt(row.queued) - fromQueue - BigInt(row.lenPackets);
  const inFlightMax = quiescent ? 0 : inFlightMaxOf(row, settable);
  if (fromQueue >= 0n && (inFlight < 0n || inFlight > inFlightMax)) {
    const want = quiescent ? '0 when quiescent' : `0..${inFlightMax} (the batch in flight)`;
    faults.push({
      rule: quiescent ? 'N-10' : 'N-17',
      message: `${at}: Queued ${row.queued} - handled from queue ${fromQueue} - Len ${row.lenPackets} = ${inFlight}, want ${want}`,
    });
  }
  if (row.watermarkPackets < row.lenPackets) {
    faults.push({ rule: 'I-2', message: `${at}: WMark ${row.watermarkPackets} below Len ${row.lenPackets}` });
  }
  const wmarkMax = wmarkMaxOf(row, settable);
  if (row.watermarkPackets > wmarkMax) {
    faults.push({
      rule: 'I-1',
      message:
        settable === undefined
          ? `${at}: WMark ${row.watermarkPackets} above QLimit ${row.qlimitPackets}`
          : `${at}: WMark ${row.watermarkPackets} above maxqlimit ${wmarkMax}, which no qlimit can pass`,
    });
  }
  return faults;
}
