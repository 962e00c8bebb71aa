import type { VirtualNs } from '../brand.ts';
import { assert } from '../brand.ts';
import type { TimerHandle } from '../sim/timers.ts';
import type { Mac } from './mac.ts';

/**
 * Route flags (net/route.h), in bit order: route(8) prints their names in this order
 * (`<UP,HOST,DONE,LLINFO,CLONED>`). LLINFO is RTF_LLDATA since the lltable split.
 */
export const RTF_NAMES = [
  'UP',
  'GATEWAY',
  'HOST',
  'REJECT',
  'DYNAMIC',
  'MODIFIED',
  'DONE',
  'MASK',
  'CONNECTED',
  'XRESOLVE',
  'LLINFO',
  'STATIC',
  'BLACKHOLE',
  'CLONED',
  'PROTO2',
  'PROTO1',
  'ANNOUNCE',
  'LOCAL',
  'BROADCAST',
] as const;

export type RtFlag = (typeof RTF_NAMES)[number];

/** netstat -r letters, in the order of netstat's bits[] table (usr.bin/netstat/show.c). */
export const NETSTAT_FLAG_LETTERS: readonly (readonly [RtFlag, string])[] = [
  ['UP', 'U'],
  ['GATEWAY', 'G'],
  ['HOST', 'H'],
  ['REJECT', 'R'],
  ['BLACKHOLE', 'B'],
  ['DYNAMIC', 'D'],
  ['MODIFIED', 'M'],
  ['DONE', 'd'],
  ['MASK', 'm'],
  ['CONNECTED', 'C'],
  ['LLINFO', 'L'],
  ['STATIC', 'S'],
  ['PROTO1', '1'],
  ['PROTO2', '2'],
  ['ANNOUNCE', 'p'],
  ['LOCAL', 'l'],
  ['BROADCAST', 'b'],
];

export function sortFlags(flags: Iterable<RtFlag>): RtFlag[] {
  const set = new Set(flags);
  return RTF_NAMES.filter((f) => set.has(f));
}

/** A gateway: an address of the family, or a link (an interface, with a MAC for llinfo). */
export type RtGateway<A> =
  | { readonly kind: 'addr'; readonly addr: A }
  | { readonly kind: 'link'; readonly ifIndex: number; readonly mac?: Mac };

export interface RtEntry<A> {
  readonly dst: A;
  readonly prefixLen: number;
  gateway: RtGateway<A>;
  readonly flags: Set<RtFlag>;
  /** Output interface. */
  ifIndex: number;
  /** Source address the route hands to ip_output (rt_ifa). */
  ifa: A;
  /** When a timed route (redirect, rt_timer) expires; undefined for none. */
  expireNs: VirtualNs | undefined;
  timer: TimerHandle | undefined;
}

/** What the table needs to know about an address family. */
export interface RouteFamily<A> {
  readonly bits: number;
  /** The network part of `addr` as a comparable key. */
  netKey(addr: A, prefixLen: number): string;
  /** Orders entries as the radix tree walks them (netstat output order). */
  compare(a: A, b: A): number;
}

/**
 * One routing table (radix tree in the kernel; a small list here, tables in the ATF cases
 * hold a handful of routes). Lookup is longest prefix match over routes that are UP.
 */
export class RouteTable<A> {
  readonly #family: RouteFamily<A>;
  readonly #entries: RtEntry<A>[] = [];

  constructor(family: RouteFamily<A>) {
    this.#family = family;
  }

  get entries(): readonly RtEntry<A>[] {
    return this.#entries;
  }

  /** rtalloc1: the most specific UP route covering `addr`. */
  lookup(addr: A): RtEntry<A> | undefined {
    let best: RtEntry<A> | undefined;
    for (const rt of this.#entries) {
      if (!rt.flags.has('UP')) continue;
      if (this.#family.netKey(addr, rt.prefixLen) !== this.#family.netKey(rt.dst, rt.prefixLen)) continue;
      if (best === undefined || rt.prefixLen > best.prefixLen) best = rt;
    }
    return best;
  }

  /** The entry with exactly this destination and prefix. */
  exact(dst: A, prefixLen: number): RtEntry<A> | undefined {
    const key = this.#family.netKey(dst, prefixLen);
    return this.#entries.find(
      (rt) => rt.prefixLen === prefixLen && this.#family.netKey(rt.dst, prefixLen) === key,
    );
  }

  /** Callers refuse a duplicate first (rt_addroute: EEXIST); the table holds one entry per key. */
  insert(rt: RtEntry<A>): void {
    assert(this.exact(rt.dst, rt.prefixLen) === undefined, 'route: one entry per destination and prefix');
    this.#entries.push(rt);
    this.#entries.sort((a, b) => this.#family.compare(a.dst, b.dst) || a.prefixLen - b.prefixLen);
    assert(this.exact(rt.dst, rt.prefixLen) === rt, 'route: an inserted entry is found by its key');
  }

  remove(rt: RtEntry<A>): void {
    const at = this.#entries.indexOf(rt);
    if (at >= 0) this.#entries.splice(at, 1);
    assert(!this.#entries.includes(rt), 'route: a removed entry is gone');
  }
}
