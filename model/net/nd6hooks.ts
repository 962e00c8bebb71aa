import type { Errno } from './errno.ts';
import type { Host } from './host.ts';
import type { Ifnet, In6Ifaddr } from './ifnet.ts';
import type { Icmp6Message, Ipv6Packet } from './wire.ts';

/** Output options of ip6_output the ND code needs. */
export interface Nd6OutputOptions {
  readonly zone?: number;
}

/**
 * Calls from neighbour discovery into the IPv6 layer and DAD, set by ip6.ts and nd6dad.ts when
 * they load (the modules call each other; the hooks keep the import graph acyclic).
 */
export const nd6Hooks: {
  ip6Output: (host: Host, pkt: Ipv6Packet, opts: Nd6OutputOptions) => Errno | undefined;
  icmp6Error: (
    host: Host,
    rcvIfp: Ifnet | undefined,
    offending: Ipv6Packet,
    make: (q: Ipv6Packet) => Icmp6Message,
  ) => void;
  dadNsInput: (host: Host, ifp: Ifnet, ia: In6Ifaddr) => void;
  dadNaInput: (host: Host, ifp: Ifnet, ia: In6Ifaddr) => void;
} = {
  ip6Output: () => undefined,
  icmp6Error: () => undefined,
  dadNsInput: () => undefined,
  dadNaInput: () => undefined,
};
