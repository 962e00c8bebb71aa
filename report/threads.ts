import type { Trace } from '../model/trace.ts';

/** What a kernel thread is, for its sub-lane: the interrupt thread of an rx ring, a netisr SWI, NAPI, a user thread. */
export type ThreadKind = 'ithread' | 'napi' | 'netisr' | 'user' | 'thread';

/** Sub-lane order within a CPU: the packet's way up the stack. */
export const THREAD_KIND_ORDER: readonly ThreadKind[] = ['ithread', 'napi', 'netisr', 'user', 'thread'];

const NAPI_FRAMES = /(^|>)(net_rx_action|napi_poll|__napi_poll|process_backlog)(>|$)/;
const USER_FRAMES = /(^|>)(sys_\w+|\w*recvmsg|\w*read|soreceive)(>|$)/;
const NETISR_FRAMES = /(^|>)(swi_net|netisr_process\w*)(>|$)/;
const INTR_FRAMES = /^(\w+_rxeof|\w+_intr|ithread\w*)(>|$)/;

interface Seen {
  batch: boolean;
  napi: boolean;
  etherDispatch: boolean;
  frames: string[];
}

/**
 * Classifies every thread of a trace by what it does there, since the trace names threads by
 * number only: a thread that takes netisr batches is a netisr SWI (netisr.c swi_net); one whose
 * stack opens in a driver's rx routine, or that dispatches ether (ether_input runs in the
 * interrupt thread), is an ithread; one that runs net_rx_action or NAPI polls is NAPI (the softirq
 * context, dev.c); user threads are known by their frames.
 */
export function classifyThreads(trace: Trace): Map<number, ThreadKind> {
  const seen = new Map<number, Seen>();
  const of = (t: number) => {
    let s = seen.get(t);
    if (s === undefined) {
      s = { batch: false, napi: false, etherDispatch: false, frames: [] };
      seen.set(t, s);
    }
    return s;
  };
  for (const ev of trace) {
    if (ev.kind === 'softirq' || ev.kind === 'napi-poll') of(ev.thread).napi = true;
    if (ev.kind === 'batch') of(ev.thread).batch = true;
    else if (ev.kind === 'dispatch') of(ev.thread).etherDispatch ||= ev.proto === 'ether';
    else if (ev.kind === 'stack') {
      const s = of(ev.thread);
      if (s.frames.length < 8) s.frames.push(ev.frames);
    } else if ('thread' in ev) of(ev.thread);
  }
  const kinds = new Map<number, ThreadKind>();
  for (const [t, s] of seen) {
    const has = (re: RegExp) => s.frames.some((f) => re.test(f));
    let kind: ThreadKind = 'thread';
    if (s.napi || has(NAPI_FRAMES)) kind = 'napi';
    else if (s.batch || has(NETISR_FRAMES)) kind = 'netisr';
    else if (s.etherDispatch || has(INTR_FRAMES)) kind = 'ithread';
    else if (has(USER_FRAMES)) kind = 'user';
    kinds.set(t, kind);
  }
  return kinds;
}
