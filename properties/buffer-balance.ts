import { type AllocEvent, packetText, type Trace } from '../model/trace.ts';
import { summaryOf } from './catalog.ts';
import type { PropertySpec } from './registry.ts';
import { holdsAnyKind } from './trace-kinds.ts';
import { VIOLATIONS_MAX, type Violation } from './violation.ts';

export const BUFFER_BALANCE = 'buffer-balance';

const v = (events: number[], message: string): Violation => ({
  property: BUFFER_BALANCE,
  rule: 'INV-FREE',
  events,
  message,
});

const label = (a: Pick<AllocEvent, 'what' | 'buf' | 'pkt'>) =>
  `${a.what} ${a.buf}${a.pkt === undefined ? '' : ` of packet ${packetText(a.pkt)}`}`;

/**
 * Resource balance (INV-FREE) of mbufs and m_tags: every buffer the trace allocates is freed
 * exactly once: no free of a buffer never allocated or already freed, no free under another kind
 * than it was allocated as, and at a quiescent end nothing is still allocated. A run cut short
 * (steps or trace exhausted) may hold buffers legitimately; the leak check runs only at a
 * quiescent end. A trace with skbs is Linux's: its defer lists may legitimately hold skbs at the
 * end, and linux-resource-balance owns those rules, so this checker passes it vacuously.
 */
export function checkBufferBalance(trace: Trace): readonly Violation[] {
  // Nothing to judge without buffers; a trace with skbs is Linux's (see above).
  if (!holdsAnyKind(trace, ['alloc', 'free'])) return [];
  if (trace.some((ev) => ev.kind === 'alloc' && ev.what === 'skb')) return [];
  const live = new Map<number, { readonly index: number; readonly ev: AllocEvent }>();
  const freedAt = new Map<number, number>();
  const out: Violation[] = [];
  for (let i = 0; i < trace.length && out.length < VIOLATIONS_MAX; i++) {
    const ev = trace[i];
    if (ev === undefined) continue;
    const { kind } = ev;
    if (kind === 'alloc') {
      live.set(ev.buf, { index: i, ev });
      freedAt.delete(ev.buf);
    } else if (kind === 'free') {
      const held = live.get(ev.buf);
      const earlier = freedAt.get(ev.buf);
      if (held === undefined) {
        out.push(
          earlier === undefined
            ? v([i], `${label(ev)} freed but never allocated`)
            : v([earlier, i], `${label(ev)} freed twice`),
        );
        continue;
      }
      if (held.ev.what !== ev.what) {
        out.push(v([held.index, i], `${label(held.ev)} freed as ${ev.what}`));
      }
      live.delete(ev.buf);
      freedAt.set(ev.buf, i);
    } else if (kind === 'end' && ev.outcome === 'quiescent') {
      for (const { index, ev: a } of live.values()) {
        if (out.length >= VIOLATIONS_MAX) break;
        out.push(v([index, i], `${label(a)} allocated on cpu ${a.cpu} and never freed (leaked)`));
      }
    }
  }
  return out;
}

export const bufferBalance: PropertySpec = {
  name: BUFFER_BALANCE,
  rules: ['INV-FREE'],
  summary: summaryOf(BUFFER_BALANCE),
  check: checkBufferBalance,
};
