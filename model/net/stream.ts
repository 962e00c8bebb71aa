import type { Errno } from './errno.ts';
import type { Host } from './host.ts';
import { INADDR_ANY, type InAddr } from './inet.ts';
import { ipOutput, ipPacket, ipProtoHooks } from './ip.ts';
import {
  type FetchOutcome,
  streamFetch as fetch,
  streamInput as input,
  type StreamFamily,
} from './stream-core.ts';
import type { Ipv4Packet, StreamSegment } from './wire.ts';

/** The request/response transport (stream-core.ts) over IPv4: tcp_input and a client fetch. */
function inet(host: Host): StreamFamily<InAddr, Ipv4Packet> {
  return {
    any: 0 as InAddr,
    listeners: host.streamListeners,
    clients: host.streamClients,
    send: (src, dst, seg) => ipOutput(host, ipPacket(host, src, dst, seg)),
  };
}

export function streamInput(host: Host, pkt: Ipv4Packet): void {
  input(inet(host), pkt);
}

/** A client fetch over IPv4, from the address of the interface the route to dst leaves by. */
export function streamFetch(host: Host, dst: InAddr, port: number, idleTimeoutSeconds: number): FetchOutcome {
  // The source is chosen once, by the first segment's route: a retransmit keeps it.
  let src: InAddr | undefined;
  const connect = (seg: StreamSegment): Errno | undefined => {
    src ??= host.rt4.lookup(dst)?.ifa;
    return ipOutput(host, ipPacket(host, src ?? INADDR_ANY, dst, seg));
  };
  return fetch(host, inet(host), port, idleTimeoutSeconds, connect);
}

ipProtoHooks.tcpInput = streamInput;
