import { assertNever } from '../../model/brand.ts';
import { packetText, type Trace, type TraceEvent } from '../../model/trace.ts';

/**
 * One event as a script-like line: `enqueue pkt 3 ip on cpu 1 (qlen 0/2)`. On a Linux trace the
 * protocol handler is named as Linux names it (`ip_rcv`, net/ipv4/ip_input.c), not `ip_input`.
 */
export function eventLabel(ev: TraceEvent, linux = false): string {
  switch (ev.kind) {
    case 'kernel':
      return `kernel ${ev.version}${ev.config === undefined ? '' : ` ${ev.config}`}${ev.rules.length > 0 ? ` (${ev.rules.join(', ')})` : ''}`;
    case 'arrive':
      return `arrive pkt ${packetText(ev.pkt)} (flow ${ev.flow} seq ${ev.seq}) ring ${ev.ring} -> cpu ${ev.cpu}, hash ${hex(ev.hash)} ${ev.hashType}${ev.bucket === undefined ? '' : ` bucket ${ev.bucket}`}${ev.fragment ? ' fragment' : ''}`;
    case 'dispatch':
      return `dispatch pkt ${packetText(ev.pkt)} ${ev.proto} ${ev.mode} cpu ${ev.fromCpu} -> cpu ${ev.toCpu} (thread ${ev.thread})`;
    case 'enqueue':
      return `enqueue pkt ${packetText(ev.pkt)} ${ev.proto} on cpu ${ev.cpu} (qlen ${ev.qlenBeforePackets}/${ev.qlimitPackets})`;
    case 'batch':
      return `batch ${ev.proto} on cpu ${ev.cpu}: ${ev.packets} packets (thread ${ev.thread})`;
    case 'handle':
      return `handle pkt ${packetText(ev.pkt)} (flow ${ev.flow} seq ${ev.seq}) ${linux ? `${ev.proto}_rcv` : `${ev.proto}_input`} on cpu ${ev.cpu} (thread ${ev.thread})`;
    case 'drop':
      return `drop pkt ${packetText(ev.pkt)} (flow ${ev.flow}) at ${ev.where} on cpu ${ev.cpu}: ${ev.reason} (${ev.counter}++)${ev.qlimitPackets === undefined ? '' : ` qlen ${ev.qlenPackets}/${ev.qlimitPackets}`}`;
    case 'deliver':
      return `deliver pkt ${packetText(ev.pkt)} (flow ${ev.flow} seq ${ev.seq}) to ${ev.layer} on cpu ${ev.cpu}`;
    case 'policy-error':
      return `policy-error pkt ${packetText(ev.pkt)} (flow ${ev.flow}) on cpu ${ev.cpu}: ${ev.policy} ${kindAndMessage(ev.error, ev.message)}`;
    case 'stack':
      return `stack thread ${ev.thread} cpu ${ev.cpu}: ${ev.depthBytes}/${ev.kstackBytes} bytes ${ev.frames}`;
    case 'alloc':
      return `alloc ${ev.what} ${ev.buf} on cpu ${ev.cpu}${ev.pkt === undefined ? '' : ` pkt ${packetText(ev.pkt)}`}`;
    case 'free':
      return `free ${ev.what} ${ev.buf} on cpu ${ev.cpu} (allocated on cpu ${ev.allocCpu})`;
    case 'frag-hold':
      return `frag-hold pkt ${packetText(ev.pkt)} ${ev.datagram} on cpu ${ev.cpu} off ${ev.offsetBytes} len ${ev.lengthBytes}`;
    case 'reassembled':
      return `reassembled pkt ${packetText(ev.pkt)} ${ev.datagram} on cpu ${ev.cpu} from ${ev.fragments.length} fragments (${ev.continuation})`;
    case 'counters':
      return `counters${ev.quiescent ? ' (quiescent)' : ''}: ${ev.netisr.length} netisr rows`;
    case 'end':
      return `end ${ev.outcome} after ${ev.steps} steps${ev.busyCpus.length > 0 ? `, busy cpus ${ev.busyCpus.join(',')}` : ''}${ev.pendingPackets > 0 ? `, ${ev.pendingPackets} packets pending` : ''}`;
    case 'softirq':
      return `softirq ${ev.phase} on cpu ${ev.cpu} (budget ${ev.budgetPackets}${ev.squeezed ? ', time_squeeze' : ''})`;
    case 'napi-poll':
      return `napi-poll ${ev.napi} on cpu ${ev.cpu}: ${ev.work}/${ev.weight}${ev.completed ? ' completed' : ''}`;
    case 'sock-queue':
      return `sock-queue pkt ${packetText(ev.pkt)} (flow ${ev.flow}) sock ${ev.sock} on cpu ${ev.cpu}: ${ev.outcome} (rmem ${ev.rmemBeforeBytes}+${ev.truesizeBytes}/${ev.rcvbufBytes})`;
    case 'defer-free':
      return `defer-free buf ${ev.buf} on cpu ${ev.cpu} (allocated on cpu ${ev.allocCpu}): ${ev.outcome} (list ${ev.listLenBefore}/${ev.deferMax}${ev.kick ? ', kick' : ''})`;
    case 'ipi':
      return `ipi cpu ${ev.fromCpu} -> cpu ${ev.toCpu} (${ev.reason})`;
    default:
      return assertNever(ev);
  }
}

/** `threw Error: x`, not `threw: threw Error: x`: a message that opens with its kind names it once. */
export function kindAndMessage(kind: string, message: string): string {
  return message.startsWith(`${kind} `) ? message : `${kind}: ${message}`;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** Events shown on each side of the violating ones. */
export const EXCERPT_CONTEXT_EVENTS = 4;

export interface ExcerptLine {
  readonly index: number;
  readonly highlighted: boolean;
  readonly atNs: number;
  readonly text: string;
}

/** Earlier events of the violating packets shown at most (their arrive, dispatch, enqueue ...). */
export const EXCERPT_HISTORY_EVENTS_MAX = 24;

function packetOf(ev: TraceEvent | undefined): number | undefined {
  return ev !== undefined && 'pkt' in ev && typeof ev.pkt === 'number' ? ev.pkt : undefined;
}

/**
 * The events around the highlighted ones, plus the earlier history of the packets they concern
 * (how each got where it is), in trace order; with `whole`, every event.
 */
export function traceExcerpt(trace: Trace, highlight: readonly number[], whole = false): ExcerptLine[] {
  const keep = new Set<number>();
  if (whole) for (let i = 0; i < trace.length; i++) keep.add(i);
  const packets = new Set(highlight.map((h) => packetOf(trace[h])).filter((p) => p !== undefined));
  const last = Math.max(-1, ...highlight);
  let history = 0;
  for (let i = 0; i < last && history < EXCERPT_HISTORY_EVENTS_MAX; i++) {
    const pkt = packetOf(trace[i]);
    if (pkt !== undefined && packets.has(pkt) && !keep.has(i)) {
      keep.add(i);
      history++;
    }
  }
  for (const h of highlight) {
    const from = Math.max(0, h - EXCERPT_CONTEXT_EVENTS);
    const to = Math.min(trace.length - 1, h + EXCERPT_CONTEXT_EVENTS);
    for (let i = from; i <= to; i++) keep.add(i);
  }
  const marked = new Set(highlight);
  const first = trace[0];
  const linux = first?.kind === 'kernel' && first.os === 'linux';
  return [...keep]
    .sort((a, b) => a - b)
    .flatMap((index) => {
      const ev = trace[index];
      return ev === undefined
        ? []
        : [{ index, highlighted: marked.has(index), atNs: ev.atNs, text: eventLabel(ev, linux) }];
    });
}

/** `  > #12  t=3000ns  handle pkt ...`, with `...` where events are skipped. */
export function formatExcerpt(lines: readonly ExcerptLine[]): string {
  const width = String(lines.at(-1)?.index ?? 0).length + 1;
  const out: string[] = [];
  let previous: number | undefined;
  for (const line of lines) {
    if (previous !== undefined && line.index > previous + 1) {
      const skipped = line.index - previous - 1;
      out.push(`    ... ${skipped} ${skipped === 1 ? 'event' : 'events'}`);
    }
    const mark = line.highlighted ? '>' : ' ';
    out.push(`  ${mark} ${`#${line.index}`.padStart(width)}  t=${line.atNs}ns  ${line.text}`);
    previous = line.index;
  }
  return out.join('\n');
}
