import { assertNever } from '../model/brand.ts';
import type { DropSite, Trace, TraceEvent, TraceEventKind } from '../model/trace.ts';
import { classifyThreads, THREAD_KIND_ORDER, type ThreadKind } from './threads.ts';

/**
 * Where every trace event goes on the timeline: one lane per CPU, split into sub-lanes per thread,
 * virtual time across. Time runs in columns, one per distinct instant (`atNs`), as wide as the
 * busiest lane needs at that instant, so long idle gaps cost no width and events of one instant
 * never overlap. The browser only draws what this computes.
 */

/** Horizontal room of one mark, and the gap between two instants, in CSS pixels. */
export const SLOT_PX = 12;
export const COLUMN_GAP_PX = 8;

/** Every event kind, in the order the client's `KINDS` table lists their shapes. */
export const EVENT_KINDS = [
  'arrive',
  'dispatch',
  'enqueue',
  'batch',
  'handle',
  'drop',
  'deliver',
  'policy-error',
  'stack',
  'alloc',
  'free',
  'frag-hold',
  'reassembled',
  'counters',
  'end',
  'softirq',
  'napi-poll',
  'sock-queue',
  'defer-free',
  'ipi',
  'source',
] as const satisfies readonly TraceEventKind[];

/** Compile-time check that EVENT_KINDS lists every kind of the trace (a new kind fails here). */
type Missing = Exclude<TraceEventKind, (typeof EVENT_KINDS)[number]>;
const everyKindListed: Missing extends never ? true : Missing = true;
void everyKindListed;

export interface Lane {
  readonly cpu: number;
  readonly kind: ThreadKind;
  /** The thread id; null for a lane that stands for a kind of thread the trace never names. */
  readonly thread: number | null;
  readonly label: string;
}

export interface TimelineLayout {
  readonly lanes: readonly Lane[];
  readonly cpus: readonly number[];
  readonly widthPx: number;
  /** Per event (trace index): centre x, lane index (-1: all lanes), flow (-1: none), kind index. */
  readonly x: readonly number[];
  readonly lane: readonly number[];
  readonly flow: readonly number[];
  readonly kind: readonly number[];
  /** Event indexes in ascending x, for finding what is on screen. */
  readonly byX: readonly number[];
  /** Queue hand-offs: [from event, to event, 1 when it crosses CPUs]. */
  readonly arrows: readonly (readonly [number, number, 0 | 1])[];
  /** Drop marks and the counter each one bumped. */
  readonly labels: readonly (readonly [number, string])[];
  /** Column starts for the time axis: [x, atNs]. */
  readonly ticks: readonly (readonly [number, number])[];
  readonly flows: number;
}

/** Where an event without a thread of its own sits: the kind of thread that was doing the work. */
function dropKind(where: DropSite): ThreadKind | undefined {
  switch (where) {
    case 'netisr-queue':
    case 'ipsec':
      return 'netisr';
    case 'rx-ring':
      return 'ithread';
    case 'backlog':
      return 'napi';
    case 'socket':
      return 'user';
    default:
      return undefined;
  }
}

type Place =
  | { readonly at: 'thread'; readonly cpu: number; readonly thread: number }
  | { readonly at: 'kind'; readonly cpu: number; readonly kind: ThreadKind | undefined }
  | { readonly at: 'all' };

function placeOf(ev: TraceEvent): Place {
  switch (ev.kind) {
    case 'dispatch':
      return { at: 'thread', cpu: ev.fromCpu, thread: ev.thread };
    case 'batch':
    case 'handle':
    case 'deliver':
    case 'stack':
    case 'softirq':
    case 'napi-poll':
      return { at: 'thread', cpu: ev.cpu, thread: ev.thread };
    case 'ipi':
      return { at: 'kind', cpu: ev.fromCpu, kind: undefined };
    case 'arrive':
      return { at: 'kind', cpu: ev.cpu, kind: 'ithread' };
    case 'enqueue':
      return { at: 'kind', cpu: ev.cpu, kind: 'netisr' };
    case 'drop':
      return { at: 'kind', cpu: ev.cpu, kind: dropKind(ev.where) };
    case 'policy-error':
    case 'alloc':
    case 'free':
    case 'frag-hold':
    case 'reassembled':
    case 'sock-queue':
    case 'defer-free':
      return { at: 'kind', cpu: ev.cpu, kind: undefined };
    case 'counters':
    case 'end':
    case 'source':
      return { at: 'all' };
    default:
      return assertNever(ev);
  }
}

const pktOf = (ev: TraceEvent): number | undefined =>
  'pkt' in ev && typeof ev.pkt === 'number' ? ev.pkt : undefined;

/** For each arrival, the thread that first runs the packet on that CPU (the ring's ithread). */
function firstThreads(trace: Trace): Map<string, number> {
  const first = new Map<string, number>();
  for (const ev of trace) {
    const p = placeOf(ev);
    const pkt = pktOf(ev);
    if (p.at !== 'thread' || pkt === undefined) continue;
    const key = `${pkt}:${p.cpu}`;
    if (!first.has(key)) first.set(key, p.thread);
  }
  return first;
}

const KIND_LABEL: Readonly<Record<ThreadKind, string>> = {
  ithread: 'ithread',
  napi: 'NAPI',
  netisr: 'netisr',
  user: 'user',
  thread: 'thread',
};

class LaneTable {
  readonly #lanes = new Map<string, { cpu: number; kind: ThreadKind; thread: number | null }>();
  /** The first thread of each kind per CPU, for thread-less events. */
  readonly #byKind = new Map<string, string>();

  thread(cpu: number, thread: number, kind: ThreadKind): string {
    const key = `${cpu}:t${thread}`;
    if (!this.#lanes.has(key)) this.#lanes.set(key, { cpu, kind, thread });
    if (!this.#byKind.has(`${cpu}:${kind}`)) this.#byKind.set(`${cpu}:${kind}`, key);
    return key;
  }

  ofKind(cpu: number, kind: ThreadKind): string {
    const known = this.#byKind.get(`${cpu}:${kind}`);
    if (known !== undefined) return known;
    const key = `${cpu}:k${kind}`;
    if (!this.#lanes.has(key)) this.#lanes.set(key, { cpu, kind, thread: null });
    return key;
  }

  /** Lanes in CPU order, then the packet's way up (ithread, NAPI, netisr, user), then thread id. */
  ordered(): { keys: Map<string, number>; lanes: Lane[] } {
    const entries = [...this.#lanes.entries()].sort(
      ([, a], [, b]) =>
        a.cpu - b.cpu ||
        THREAD_KIND_ORDER.indexOf(a.kind) - THREAD_KIND_ORDER.indexOf(b.kind) ||
        (a.thread ?? -1) - (b.thread ?? -1),
    );
    const keys = new Map(entries.map(([k], i) => [k, i]));
    const lanes = entries.map(([, l]) => ({
      ...l,
      label: l.thread === null ? `${KIND_LABEL[l.kind]}` : `${KIND_LABEL[l.kind]} #${l.thread}`,
    }));
    return { keys, lanes };
  }
}

/** The lane key of every event ('' for events across all lanes). */
function assignLanes(trace: Trace, table: LaneTable): string[] {
  const kinds = classifyThreads(trace);
  const first = firstThreads(trace);
  // Register thread lanes first so thread-less events find the real thread of their kind.
  for (const ev of trace) {
    const p = placeOf(ev);
    if (p.at === 'thread') table.thread(p.cpu, p.thread, kinds.get(p.thread) ?? 'thread');
  }
  const running = new Map<number, string>();
  return trace.map((ev) => {
    const p = placeOf(ev);
    if (p.at === 'all') return '';
    if (p.at === 'thread') {
      const key = table.thread(p.cpu, p.thread, kinds.get(p.thread) ?? 'thread');
      running.set(p.cpu, key);
      return key;
    }
    const pkt = pktOf(ev);
    const t = ev.kind === 'arrive' && pkt !== undefined ? first.get(`${pkt}:${p.cpu}`) : undefined;
    if (t !== undefined) return table.thread(p.cpu, t, kinds.get(t) ?? 'ithread');
    if (p.kind !== undefined) return table.ofKind(p.cpu, p.kind);
    return running.get(p.cpu) ?? table.ofKind(p.cpu, 'thread');
  });
}

/**
 * Hand-offs between threads: a queued netisr dispatch to the handle of the same packet on the
 * target CPU (or to its drop), and an IPI to the next net_rx_action run it raised on its target.
 */
function handOffs(trace: Trace): [number, number, 0 | 1][] {
  const nextHandle = new Map<string, number>();
  const nextEnd = new Map<number, number>();
  const nextSoftirq = new Map<number, number>();
  const arrows: [number, number, 0 | 1][] = [];
  for (let i = trace.length - 1; i >= 0; i--) {
    const ev = trace[i] as TraceEvent;
    if (ev.kind === 'softirq' && ev.phase === 'start') nextSoftirq.set(ev.cpu, i);
    if (ev.kind === 'ipi') {
      const to = nextSoftirq.get(ev.toCpu);
      if (to !== undefined) arrows.push([i, to, ev.fromCpu === ev.toCpu ? 0 : 1]);
    }
    if (ev.kind === 'handle') nextHandle.set(`${ev.pkt}:${ev.cpu}`, i);
    if (ev.kind === 'drop' || ev.kind === 'enqueue') {
      if (ev.kind === 'drop' || !nextEnd.has(ev.pkt)) nextEnd.set(ev.pkt, i);
    }
    if (ev.kind === 'dispatch' && ev.mode === 'queued') {
      const to = nextHandle.get(`${ev.pkt}:${ev.toCpu}`) ?? nextEnd.get(ev.pkt);
      if (to !== undefined) arrows.push([i, to, ev.fromCpu === ev.toCpu ? 0 : 1]);
    }
  }
  return arrows.reverse();
}

export function layoutTimeline(trace: Trace): TimelineLayout {
  const table = new LaneTable();
  const laneKeys = assignLanes(trace, table);
  const { keys, lanes } = table.ordered();
  const lane = laneKeys.map((k) => (k === '' ? -1 : (keys.get(k) ?? -1)));

  // Flow of every event, through its packet when the event names no flow.
  const pktFlow = new Map<number, number>();
  for (const ev of trace) {
    const pkt = pktOf(ev);
    if ('flow' in ev && pkt !== undefined && !pktFlow.has(pkt)) pktFlow.set(pkt, ev.flow);
  }
  const flow = trace.map((ev) => {
    if ('flow' in ev) return ev.flow as number;
    const pkt = pktOf(ev);
    return pkt === undefined ? -1 : (pktFlow.get(pkt) ?? -1);
  });

  // Columns: one per distinct instant, as wide as the busiest lane (or the all-lanes row) needs.
  const order = trace.map((_, i) => i).sort((a, b) => (trace[a]?.atNs ?? 0) - (trace[b]?.atNs ?? 0) || a - b);
  const x = new Array<number>(trace.length).fill(0);
  const ticks: [number, number][] = [];
  let colX = 0;
  for (let k = 0; k < order.length; ) {
    const t = trace[order[k] as number]?.atNs ?? 0;
    const used = new Map<number, number>();
    let widest = 0;
    let end = k;
    for (; end < order.length && (trace[order[end] as number]?.atNs ?? 0) === t; end++) {
      const i = order[end] as number;
      const slot = used.get(lane[i] as number) ?? 0;
      used.set(lane[i] as number, slot + 1);
      x[i] = colX + slot * SLOT_PX + SLOT_PX / 2;
      widest = Math.max(widest, slot + 1);
    }
    ticks.push([colX, t]);
    colX += widest * SLOT_PX + COLUMN_GAP_PX;
    k = end;
  }
  const byX = trace.map((_, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number) || a - b);
  const labels: [number, string][] = [];
  trace.forEach((ev, i) => {
    if (ev.kind === 'drop') labels.push([i, ev.counter]);
    // U5: a socket-queue drop is counted in RcvbufErrors and InErrors.
    if (ev.kind === 'sock-queue' && ev.outcome === 'dropped') labels.push([i, 'Udp RcvbufErrors']);
  });
  return {
    lanes,
    cpus: [...new Set(lanes.map((l) => l.cpu))],
    widthPx: colX,
    x,
    lane,
    flow,
    kind: trace.map((ev) => EVENT_KINDS.indexOf(ev.kind)),
    byX,
    arrows: handOffs(trace),
    labels,
    ticks,
    flows: new Set(flow.filter((f) => f >= 0)).size,
  };
}
