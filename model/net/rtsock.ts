import type { InAddr } from './inet.ts';
import type { Mac } from './mac.ts';
import { type RtFlag, sortFlags } from './route.ts';

/** Routing socket message types (net/route.h) the substrate emits. */
export type RtmType =
  | 'RTM_ADD'
  | 'RTM_DELETE'
  | 'RTM_CHANGE'
  | 'RTM_GET'
  | 'RTM_REDIRECT'
  | 'RTM_MISS'
  | 'RTM_NEWADDR'
  | 'RTM_DELADDR'
  | 'RTM_IFINFO';

/** A socket address as carried in a routing message. */
export type RtSockaddr =
  | { readonly kind: 'inet'; readonly addr: InAddr }
  | { readonly kind: 'inet6'; readonly text: string }
  | { readonly kind: 'link'; readonly ifIndex: number; readonly ifName?: string; readonly mac?: Mac };

/** The RTA_* slots, in the order route(8) prints them. */
export const RTA_NAMES = ['DST', 'GATEWAY', 'NETMASK', 'GENMASK', 'IFP', 'IFA', 'AUTHOR', 'BRD'] as const;
export type RtaName = (typeof RTA_NAMES)[number];

export interface RtMsg {
  readonly type: RtmType;
  readonly flags: readonly RtFlag[];
  readonly addrs: Partial<Record<RtaName, RtSockaddr>>;
  readonly errno: number;
}

export function rtMsg(
  type: RtmType,
  flags: Iterable<RtFlag>,
  addrs: Partial<Record<RtaName, RtSockaddr>>,
  errno = 0,
): RtMsg {
  return { type, flags: sortFlags(flags), addrs, errno };
}

/** Where a host's routing messages go: every open routing socket (route monitor). */
export class RoutingSocket {
  readonly #listeners = new Set<(msg: RtMsg) => void>();
  /** Every message ever sent on this host, in order: the host's routing trace. */
  readonly log: RtMsg[] = [];

  listen(listener: (msg: RtMsg) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  send(msg: RtMsg): void {
    this.log.push(msg);
    for (const listener of [...this.#listeners]) listener(msg);
  }
}
