import type { Host } from './host.ts';
import { IN6_ANY, type In6Addr } from './in6.ts';
import { ip6Hooks, ip6Output, ip6Packet } from './ip6.ts';
import { type FetchOutcome, type StreamFamily, streamFetch, streamInput } from './stream-core.ts';
import type { Ipv6Packet } from './wire.ts';

/** The request/response transport (stream-core.ts) over IPv6: tcp6_input and a client fetch. */
const families = new WeakMap<Host, StreamFamily<In6Addr, Ipv6Packet>>();

function inet6(host: Host): StreamFamily<In6Addr, Ipv6Packet> {
  let family = families.get(host);
  if (family === undefined) {
    family = {
      any: IN6_ANY,
      listeners: [],
      clients: new Map(),
      send: (src, dst, seg) => ip6Output(host, ip6Packet(host, src, dst, seg)),
    };
    families.set(host, family);
  }
  return family;
}

/** A server listening on addr:port (the model's httpd on an IPv6 address). */
export function stream6Listen(host: Host, addr: In6Addr, port: number, responseBytes: number): void {
  inet6(host).listeners.push({ port, addr, responseBytes });
}

/** A client fetch over IPv6; the source address is chosen by ip6 output (IN6_ANY). */
export function stream6Fetch(
  host: Host,
  dst: In6Addr,
  port: number,
  idleTimeoutSeconds: number,
): FetchOutcome {
  const family = inet6(host);
  return streamFetch(host, family, port, idleTimeoutSeconds, (seg) => family.send(IN6_ANY, dst, seg));
}

ip6Hooks.tcpInput = (host, pkt) => streamInput(inet6(host), pkt);
