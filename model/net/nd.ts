import { assert, assertNever, NS_PER_MS, NS_PER_SECOND, type VirtualNs, virtualNs } from '../brand.ts';
import type { TimerHandle } from '../sim/timers.ts';
import { ND_GC_SECONDS } from './knobs.ts';
import type { Mac } from './mac.ts';
import type { NetWorld } from './world.ts';

/**
 * Neighbour cache states (net/nd.h). ARP runs on the same state machine as NDP since
 * NetBSD 9 (net/nd.c), so an IPv4 entry goes INCOMPLETE -> REACHABLE -> STALE -> DELAY -> PROBE.
 */
export type NdState = 'nostate' | 'waitdelete' | 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe';

/** Letters arp(8) and ndp(8) print for the states. */
export const ND_STATE_LETTER: Record<NdState, string> = {
  nostate: 'N',
  waitdelete: 'W',
  incomplete: 'I',
  reachable: 'R',
  stale: 'S',
  delay: 'D',
  probe: 'P',
};

/** One link-layer entry (struct llentry) of one interface's lltable. */
export interface Llentry<A, P> {
  readonly l3: A;
  readonly key: string;
  readonly ifIndex: number;
  lladdr: Mac | undefined;
  state: NdState;
  /** LLE_STATIC: permanent, never expires, never overwritten by input. */
  isStatic: boolean;
  /** LLE_PUB: answer requests for l3 with lladdr (proxy ARP). */
  published: boolean;
  /** Requests sent in the current INCOMPLETE or PROBE round (ln_asked). */
  asked: number;
  /** Expiry shown by arp/ndp; undefined = permanent. */
  expireNs: VirtualNs | undefined;
  timer: TimerHandle | undefined;
  /** Packets waiting for resolution (la_hold, at most holdPacketsMax). */
  hold: P[];
}

/** What a protocol (ARP, later NDP) plugs into the shared state machine. */
export interface NdProtocol<A, P> {
  reachableMs(): number;
  retransMs(): number;
  delaySeconds(): number;
  /** Multicast/broadcast solicitations before giving up (nd_mmaxtries). */
  mmaxtries(): number;
  /** Unicast probes in PROBE before giving up (nd_umaxtries). */
  umaxtries(): number;
  /** Sends a solicitation; unicast to ln.lladdr when `unicast`. */
  solicit(ln: Llentry<A, P>, unicast: boolean): void;
  /** Resolution failed (nd_missed: arp_llinfo_missed sends RTM_MISS and ICMP unreach). */
  missed(ln: Llentry<A, P>, held: readonly P[]): void;
  /** Sends a held packet once the link address is known. */
  output(ln: Llentry<A, P>, pkt: P): void;
  /** The entry is going away (routing message on the llinfo route). */
  freed(ln: Llentry<A, P>): void;
}

/** The states without a link address: a resolution round not yet started, running, or given up. */
const UNRESOLVED_STATES: ReadonlySet<NdState> = new Set(['nostate', 'incomplete', 'waitdelete']);

/**
 * The link address of a valid entry (LLE_VALID), else undefined. Only the unresolved states lack
 * one: resolve clears it when a round starts, learn and setManual leave a resolved state.
 */
function validLladdr<A, P>(ln: Llentry<A, P>): Mac | undefined {
  if ((ln.lladdr === undefined) !== UNRESOLVED_STATES.has(ln.state))
    assert(false, `nd: a ${ln.state} entry has a link address exactly when it is resolved`);
  return ln.lladdr;
}

/** la_hold depth (nd_maxqueuelen). */
export const ND_HOLD_PACKETS_MAX = 1;

export type ResolveResult<P> =
  | { readonly kind: 'resolved'; readonly lladdr: Mac }
  | { readonly kind: 'held'; readonly ln: Llentry<unknown, P> };

/**
 * One interface's lltable and the nd_timer / nd_resolve logic over it (net/nd.c).
 * Timers live on the world's virtual clock.
 */
export class NdTable<A, P> {
  readonly ifIndex: number;
  readonly #world: NetWorld;
  readonly #proto: NdProtocol<A, P>;
  readonly #keyOf: (a: A) => string;
  readonly #entries = new Map<string, Llentry<A, P>>();

  constructor(ifIndex: number, world: NetWorld, proto: NdProtocol<A, P>, keyOf: (a: A) => string) {
    this.ifIndex = ifIndex;
    this.#world = world;
    this.#proto = proto;
    this.#keyOf = keyOf;
  }

  get entries(): Llentry<A, P>[] {
    return [...this.#entries.values()];
  }

  lookup(l3: A): Llentry<A, P> | undefined {
    return this.#entries.get(this.#keyOf(l3));
  }

  /** lla_create: a fresh NOSTATE entry (replacing nothing; callers look up first). */
  create(l3: A): Llentry<A, P> {
    const ln: Llentry<A, P> = {
      l3,
      key: this.#keyOf(l3),
      ifIndex: this.ifIndex,
      lladdr: undefined,
      state: 'nostate',
      isStatic: false,
      published: false,
      asked: 0,
      expireNs: undefined,
      timer: undefined,
      hold: [],
    };
    this.#entries.set(ln.key, ln);
    return ln;
  }

  /** nd_resolve: the link address for an output packet, or hold it and solicit. */
  resolve(l3: A, pkt: P): ResolveResult<P> {
    const ln = this.lookup(l3) ?? this.create(l3);
    const lladdr = validLladdr(ln);
    if (lladdr !== undefined) {
      if (ln.state === 'stale') {
        // First use of a stale entry: wait nd_delay before probing (RFC 4861 7.3.3).
        ln.state = 'delay';
        this.#setTimer(ln, this.#proto.delaySeconds() * NS_PER_SECOND);
      }
      return { kind: 'resolved', lladdr };
    }
    if (ln.state === 'nostate' || ln.state === 'waitdelete') {
      ln.asked = 0;
      ln.state = 'incomplete';
      ln.lladdr = undefined;
    }
    ln.hold.push(pkt);
    while (ln.hold.length > ND_HOLD_PACKETS_MAX) ln.hold.shift();
    if (ln.asked === 0) {
      ln.asked = 1;
      this.#setTimer(ln, this.#proto.retransMs() * NS_PER_MS);
      this.#proto.solicit(ln, false);
    }
    return { kind: 'held', ln: ln as Llentry<unknown, P> };
  }

  /**
   * Link information learnt from input (arp reply or request, NA or NS).
   * `confirmed` (a solicited reply) makes the entry REACHABLE; otherwise a new or changed
   * address leaves it STALE. Static entries never change. Answers whether anything changed.
   */
  learn(ln: Llentry<A, P>, lladdr: Mac, confirmed: boolean): boolean {
    if (ln.isStatic) return false;
    const changed = ln.lladdr !== lladdr;
    const wasUnresolved = validLladdr(ln) === undefined;
    ln.lladdr = lladdr;
    if (confirmed) {
      ln.state = 'reachable';
      this.#setTimer(ln, this.#proto.reachableMs() * NS_PER_MS);
    } else if (changed || wasUnresolved) {
      ln.state = 'stale';
      this.#setTimer(ln, ND_GC_SECONDS * NS_PER_SECOND);
    }
    const held = ln.hold.splice(0);
    for (const pkt of held) this.#proto.output(ln, pkt);
    return changed || wasUnresolved;
  }

  /**
   * Doubt cast on a resolved entry (an NA with another address and no override, RFC 4861 7.2.5):
   * a REACHABLE entry goes STALE and keeps its address; no other state changes. Static entries
   * are never doubted (the caller stops at them first).
   */
  doubt(ln: Llentry<A, P>): void {
    if (ln.state !== 'reachable') return;
    ln.state = 'stale';
    this.#setTimer(ln, ND_GC_SECONDS * NS_PER_SECOND);
  }

  /** A static (arp -s) or temporary entry set by the administrator. */
  setManual(
    l3: A,
    lladdr: Mac,
    opts: { isStatic: boolean; published: boolean; expireSeconds?: number },
  ): Llentry<A, P> {
    const ln = this.lookup(l3) ?? this.create(l3);
    this.#cancelTimer(ln);
    ln.lladdr = lladdr;
    ln.isStatic = opts.isStatic;
    ln.published = opts.published;
    ln.asked = 0;
    if (opts.expireSeconds === undefined) {
      ln.state = 'reachable';
      ln.expireNs = undefined;
    } else {
      ln.state = 'reachable';
      this.#setTimer(ln, opts.expireSeconds * NS_PER_SECOND);
    }
    const held = ln.hold.splice(0);
    for (const pkt of held) this.#proto.output(ln, pkt);
    return ln;
  }

  /** lltable_free_entry / LLE_DELETE. */
  free(ln: Llentry<A, P>): void {
    if (this.#entries.get(ln.key) !== ln) return;
    this.#cancelTimer(ln);
    this.#entries.delete(ln.key);
    if (validLladdr(ln) !== undefined) this.#proto.freed(ln);
  }

  /** Frees every entry `match` selects (purges on route change, ifdown, arp -d -a). */
  purge(match: (ln: Llentry<A, P>) => boolean): number {
    let count = 0;
    for (const ln of this.entries) {
      if (!match(ln)) continue;
      this.free(ln);
      count++;
    }
    return count;
  }

  #setTimer(ln: Llentry<A, P>, delayNs: number): void {
    this.#cancelTimer(ln);
    ln.expireNs = virtualNs(this.#world.nowNs + delayNs);
    ln.timer = this.#world.after(delayNs, () => this.#timer(ln));
  }

  #cancelTimer(ln: Llentry<A, P>): void {
    if (ln.timer !== undefined) this.#world.cancel(ln.timer);
    ln.timer = undefined;
  }

  /** nd_timer: one expiry of an entry's single timer, by state. */
  #timer(ln: Llentry<A, P>): void {
    ln.timer = undefined;
    // free cancels the timer, and a NOSTATE entry (just created) has none yet.
    assert(this.#entries.get(ln.key) === ln, 'nd_timer: only entries of the table have a timer running');
    assert(ln.state !== 'nostate', 'nd_timer: a NOSTATE entry has no timer running');
    const retransNs = this.#proto.retransMs() * NS_PER_MS;
    switch (ln.state) {
      case 'incomplete':
        if (ln.asked < this.#proto.mmaxtries()) {
          ln.asked++;
          this.#setTimer(ln, retransNs);
          this.#proto.solicit(ln, false);
          return;
        }
        // Out of tries: report the miss with the held packet, linger in WAITDELETE.
        this.#proto.missed(ln, ln.hold.splice(0));
        ln.state = 'waitdelete';
        this.#setTimer(ln, retransNs);
        return;
      case 'reachable':
        // A permanent entry has no timer; a static one with an expiry stays REACHABLE.
        if (!ln.isStatic) {
          ln.state = 'stale';
          this.#setTimer(ln, ND_GC_SECONDS * NS_PER_SECOND);
        }
        return;
      case 'delay':
        ln.state = 'probe';
        ln.asked = 1;
        this.#setTimer(ln, retransNs);
        this.#proto.solicit(ln, true);
        return;
      case 'probe':
        if (ln.asked < this.#proto.umaxtries()) {
          ln.asked++;
          this.#setTimer(ln, retransNs);
          this.#proto.solicit(ln, true);
          return;
        }
        this.free(ln);
        return;
      case 'stale':
      case 'waitdelete':
        this.free(ln);
        return;
      default:
        assertNever(ln.state);
    }
  }
}
