import { type DeferFreeEvent, packetText, type Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import { isLinuxTrace } from './linux-trace.ts';
import type { PropertySpec } from './registry.ts';
import { VIOLATIONS_MAX, type Violation, type ViolationRule } from './violation.ts';

export const LINUX_RESOURCE_BALANCE = 'linux-resource-balance';

const v = (rule: ViolationRule, events: number[], message: string): Violation => ({
  property: LINUX_RESOURCE_BALANCE,
  rule,
  events,
  message,
});

interface Live {
  readonly index: number;
  readonly what: string;
  readonly pkt: number | undefined;
}

/** One defer list as the trace rebuilds it: the skbs parked on it and where each was parked. */
type DeferList = Map<number, number>;

/**
 * Resource balance of skbs and their extensions, and the per-CPU defer lists (D2..D7):
 * - D7: every buffer is allocated once and freed at most once; at a quiescent end every one is
 *   freed, except skbs parked on a defer list below its kick threshold;
 * - D2: an skb freed on the CPU that allocated it is freed at once, never parked;
 * - D3: a list never holds more than skb_defer_max; an skb is freed locally as list-full only when
 *   the list holds skb_defer_max. From 6.18 (the trace's kernel event names rule
 *   `defer-count-first`, 844c9db7f7f5) defer_count is incremented before the test, refused skbs
 *   included until the list is next flushed: list-full exactly when that count reaches
 *   skb_defer_max, so a list holds at most skb_defer_max - 1;
 * - D4: the insert that finds skb_defer_max / 2 on the list kicks (an IPI to the owner) and only
 *   that one, so a list on an idle CPU is drained; at a quiescent end no list holds more than
 *   skb_defer_max / 2;
 * - D5: a parked skb holds no extension (its secpath `tag` was released first);
 * - D6: a parked skb is freed on its allocating CPU, by the owner's next net_rx_action: everything
 *   on the list when a `softirq` start is recorded there is freed before that run's end.
 */
export function checkLinuxResourceBalance(trace: Trace): readonly Violation[] {
  if (!isLinuxTrace(trace)) return [];
  const live = new Map<number, Live>();
  const tagOf = new Map<number, number>(); // pkt -> live tag buf
  const lists = new Map<number, DeferList>();
  const owedAtEnd = new Map<number, Set<number>>(); // cpu -> bufs net_rx_action must free
  let deferMax = 0;
  const first = trace[0];
  const countFirst = first?.kind === 'kernel' && first.rules.includes('defer-count-first');
  const refused = new Map<number, number>(); // cpu -> skbs refused since its list was flushed
  const out: Violation[] = [];
  const list = (cpu: number) =>
    lists.get(cpu) ?? lists.set(cpu, new Map()).get(cpu) ?? new Map<number, number>();
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'alloc') {
      if (live.has(ev.buf))
        out.push(v('D7', [live.get(ev.buf)?.index ?? i, i], `buffer ${ev.buf} allocated twice`));
      live.set(ev.buf, { index: i, what: ev.what, pkt: ev.pkt });
      if (ev.what === 'tag' && ev.pkt !== undefined) tagOf.set(ev.pkt, ev.buf);
    } else if (kind === 'free') {
      const was = live.get(ev.buf);
      if (was === undefined) {
        out.push(v('D7', [i], `${ev.what} ${ev.buf} freed but not live (freed twice, or never allocated)`));
        continue;
      }
      live.delete(ev.buf);
      if (ev.what === 'tag' && ev.pkt !== undefined) tagOf.delete(ev.pkt);
      const parked = lists.get(ev.allocCpu)?.get(ev.buf);
      if (parked !== undefined) {
        lists.get(ev.allocCpu)?.delete(ev.buf);
        if (lists.get(ev.allocCpu)?.size === 0) refused.delete(ev.allocCpu);
        if (ev.cpu !== ev.allocCpu)
          out.push(
            v(
              'D6',
              [parked, i],
              `deferred skb ${ev.buf} freed on cpu ${ev.cpu}, not on its allocating cpu ${ev.allocCpu}`,
            ),
          );
      }
      owedAtEnd.get(ev.cpu)?.delete(ev.buf);
    } else if (kind === 'defer-free') {
      deferMax = ev.deferMax;
      const r = countFirst ? (refused.get(ev.allocCpu) ?? 0) : undefined;
      out.push(...deferFree(ev, list(ev.allocCpu), tagOf, trace[i + 1], i, r));
      if (countFirst && ev.outcome === 'list-full') refused.set(ev.allocCpu, (r ?? 0) + 1);
    } else if (kind === 'softirq') {
      if (ev.phase === 'start') owedAtEnd.set(ev.cpu, new Set(lists.get(ev.cpu)?.keys() ?? []));
      else {
        for (const buf of owedAtEnd.get(ev.cpu) ?? []) {
          out.push(
            v(
              'D6',
              [lists.get(ev.cpu)?.get(buf) ?? i, i],
              `skb ${buf} was on cpu ${ev.cpu}'s defer list when net_rx_action started and is still there at its end`,
            ),
          );
        }
        owedAtEnd.delete(ev.cpu);
      }
    } else if (kind === 'end' && ev.outcome === 'quiescent') {
      out.push(...atEnd(live, lists, deferMax, i));
    }
  }
  return out.slice(0, VIOLATIONS_MAX);
}

function deferFree(
  ev: DeferFreeEvent,
  list: DeferList,
  tagOf: Map<number, number>,
  next: Trace[number] | undefined,
  i: number,
  refusedSinceFlush: number | undefined,
): Violation[] {
  const out: Violation[] = [];
  const len = list.size;
  // defer_count as the kernel tests it: before 6.18 the list length; from 6.18 (counted first)
  // the list length plus the refusals since the last flush, plus this skb.
  const count = refusedSinceFlush === undefined ? len : len + refusedSinceFlush + 1;
  if (ev.listLenBefore !== len)
    out.push(
      v(
        'D3',
        [i],
        `defer-free reports cpu ${ev.allocCpu}'s list at ${ev.listLenBefore}, the trace holds ${len}`,
      ),
    );
  if (ev.outcome === 'local' && ev.cpu !== ev.allocCpu)
    out.push(v('D2', [i], `skb ${ev.buf} of cpu ${ev.allocCpu} freed as local on cpu ${ev.cpu}`));
  if (ev.outcome === 'list-full' && count < ev.deferMax)
    out.push(
      v(
        'D3',
        [i],
        `skb ${ev.buf} freed as list-full with ${len} of skb_defer_max ${ev.deferMax} on the list${count === len ? '' : ` (defer_count ${count})`}`,
      ),
    );
  if (ev.outcome !== 'deferred') return out;
  if (ev.cpu === ev.allocCpu)
    out.push(
      v('D2', [i], `skb ${ev.buf} parked on its own cpu ${ev.cpu}'s defer list instead of freed at once`),
    );
  if (len + 1 > ev.deferMax || (refusedSinceFlush !== undefined && count >= ev.deferMax))
    out.push(
      v(
        'D3',
        [i],
        refusedSinceFlush === undefined
          ? `cpu ${ev.allocCpu}'s defer list grows to ${len + 1}, over skb_defer_max ${ev.deferMax}`
          : `cpu ${ev.allocCpu}'s defer list grows to ${len + 1} with defer_count ${count}, not below skb_defer_max ${ev.deferMax}`,
      ),
    );
  const shouldKick = (refusedSinceFlush === undefined ? count : count - 1) === ev.deferMax >> 1;
  if (ev.kick !== shouldKick) {
    out.push(
      v(
        'D4',
        [i],
        `insert at list length ${len} with skb_defer_max ${ev.deferMax}: kick ${ev.kick}, want ${shouldKick}`,
      ),
    );
  } else if (ev.kick && !(next?.kind === 'ipi' && next.toCpu === ev.allocCpu && next.reason === 'defer')) {
    out.push(v('D4', [i], `kick for cpu ${ev.allocCpu}'s defer list sent no IPI`));
  }
  if (ev.pkt !== undefined && tagOf.has(ev.pkt))
    out.push(
      v('D5', [i], `skb ${ev.buf} parked with its secpath extension (tag ${tagOf.get(ev.pkt)}) still held`),
    );
  list.set(ev.buf, i);
  return out;
}

function atEnd(
  live: Map<number, Live>,
  lists: Map<number, DeferList>,
  deferMax: number,
  i: number,
): Violation[] {
  const out: Violation[] = [];
  const parked = new Set<number>();
  for (const [cpu, l] of lists) {
    for (const buf of l.keys()) parked.add(buf);
    if (l.size > deferMax >> 1) {
      out.push(
        v(
          'D4',
          [i],
          `cpu ${cpu}'s defer list ends the run holding ${l.size} skbs, over the kick threshold ${deferMax >> 1}: never drained`,
        ),
      );
    }
  }
  for (const [buf, b] of live) {
    if (out.length >= VIOLATIONS_MAX) break;
    if (!parked.has(buf))
      out.push(
        v(
          b.what === 'tag' ? 'D5' : 'D7',
          [b.index, i],
          `${b.what} ${buf} of packet ${b.pkt === undefined ? '?' : packetText(b.pkt)} never freed`,
        ),
      );
  }
  return out;
}

export const linuxResourceBalance: PropertySpec = {
  name: LINUX_RESOURCE_BALANCE,
  rules: ['D2', 'D3', 'D4', 'D5', 'D6', 'D7'],
  summary: summaryOf(LINUX_RESOURCE_BALANCE),
  check: checkLinuxResourceBalance,
};
