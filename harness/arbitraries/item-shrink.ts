import fc from 'fast-check';
import type { Workload, WorkloadItem } from '../../model/host/workload.ts';
import { type CaseParts, withCaseText } from './run-case-text.ts';
import { usedFlowsOnly } from './workload.ts';

/**
 * Shrinking by workload items, after the arbitrary's own shrinking. A case's workload is built by
 * maps from raw draws (bursts, move points folded into the packet count, datagrams cut into
 * fragments), and a raw draw cannot always shrink without moving what the failure needs: removing
 * a packet refolds a move's position, and the raw shrinker stops at four writes before a
 * migration. When the arbitrary's candidates all pass, these candidates drop from the finished
 * workload one whole datagram (every fragment of one flow and IP id) at a time, then one item at a
 * time, so the counterexample ends at the fewest packets that still fail. Generation is unchanged.
 */

interface ItemContext {
  /** The inner arbitrary's context; undefined once an item was dropped (only drops follow). */
  readonly inner: unknown;
  readonly dropped: boolean;
}

/** What one received packet occupies of the wire in the model's NIC (one step). */
const PACKET_SLOT_NS = 1000;

const isPacket = (it: WorkloadItem) => it.kind === 'packet';

function datagramKey(it: WorkloadItem): string | undefined {
  return it.kind === 'packet' && it.fragment !== undefined ? `${it.flow}/${it.fragment.ipId}` : undefined;
}

/** Item lists with less in them: each whole datagram, then each item; never without a packet. */
function* fewerItems(items: readonly WorkloadItem[]): Generator<WorkloadItem[]> {
  const keys = new Set<string>();
  for (const it of items) {
    const key = datagramKey(it);
    if (key !== undefined) keys.add(key);
  }
  const packets = items.filter(isPacket).length;
  for (const key of keys) {
    const rest = items.filter((it) => datagramKey(it) !== key);
    if (rest.some(isPacket) && rest.length < items.length - 1) yield rest;
  }
  for (let i = 0; i < items.length; i++) {
    if (packets === 1 && isPacket(items[i] as WorkloadItem)) continue;
    yield [...items.slice(0, i), ...items.slice(i + 1)];
  }
  // An item that only kept time (a later move must come after the earlier packets were handled,
  // a time-driven policy must reach its next period): idle wire instead, so the case keeps its
  // timing with one packet or move fewer.
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as WorkloadItem;
    if (it.kind === 'pause' || (packets === 1 && isPacket(it))) continue;
    yield [...items.slice(0, i), { kind: 'pause', ns: PACKET_SLOT_NS }, ...items.slice(i + 1)];
  }
}

function dropped<C extends CaseParts>(c: C, items: WorkloadItem[]): C {
  const workload: Workload = usedFlowsOnly(c.workload.flows, items);
  return withCaseText({ ...c, workload });
}

class ItemShrinkArbitrary<C extends CaseParts> extends fc.Arbitrary<C> {
  readonly #inner: fc.Arbitrary<C>;

  constructor(inner: fc.Arbitrary<C>) {
    super();
    this.#inner = inner;
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<C> {
    const v = this.#inner.generate(mrng, biasFactor);
    return new fc.Value(v.value, { inner: v.context, dropped: false } satisfies ItemContext);
  }

  canShrinkWithoutContext(_value: unknown): _value is C {
    return false;
  }

  shrink(value: C, context: unknown): fc.Stream<fc.Value<C>> {
    const ctx = context as ItemContext | undefined;
    const own =
      ctx === undefined || ctx.dropped
        ? fc.Stream.nil<fc.Value<C>>()
        : this.#inner
            .shrink(value, ctx.inner)
            .map((v) => new fc.Value(v.value, { inner: v.context, dropped: false } satisfies ItemContext));
    const items = value.workload?.items;
    if (!Array.isArray(items)) return own;
    const drops = new fc.Stream(fewerItems(items)).map(
      (rest) => new fc.Value(dropped(value, rest), { inner: undefined, dropped: true } satisfies ItemContext),
    );
    return own.join(drops);
  }
}

/** `arb` whose cases, once its own shrinking is done, also shrink by dropping workload items. */
export function shrinkingByItems<C extends CaseParts>(arb: fc.Arbitrary<C>): fc.Arbitrary<C> {
  return new ItemShrinkArbitrary(arb);
}
