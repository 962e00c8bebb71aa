import { frame6Hooks, type Ipv6Packet, ip6LengthBytes } from './frame6.ts';
import type { InAddr } from './inet.ts';
import type { Mac } from './mac.ts';

/** An ARP packet (RFC 826) for IPv4 over Ethernet. */
export interface ArpPacket {
  readonly kind: 'arp';
  readonly op: 'request' | 'reply';
  readonly sha: Mac;
  readonly spa: InAddr;
  readonly tha: Mac;
  readonly tpa: InAddr;
}

export type IcmpMessage =
  | {
      readonly type: 'echo-request' | 'echo-reply';
      readonly id: number;
      readonly seq: number;
      readonly dataBytes: number;
    }
  | { readonly type: 'time-exceeded'; readonly quoted: Ipv4Packet }
  | { readonly type: 'unreach'; readonly code: 'net' | 'host'; readonly quoted: Ipv4Packet }
  | { readonly type: 'redirect'; readonly gateway: InAddr; readonly quoted: Ipv4Packet };

/** A request/response transport segment: enough of TCP for a fetch through a router. */
export interface StreamSegment {
  readonly proto: 'tcp';
  readonly srcPort: number;
  readonly dstPort: number;
  readonly flags: 'syn' | 'syn-ack' | 'ack' | 'data' | 'fin';
  readonly seq: number;
  readonly dataBytes: number;
}

export interface Ipv4Packet {
  readonly kind: 'ipv4';
  readonly src: InAddr;
  readonly dst: InAddr;
  readonly ttl: number;
  readonly id: number;
  readonly body: ({ readonly proto: 'icmp' } & { readonly icmp: IcmpMessage }) | StreamSegment | EncapBody;
}

/** A tunnelled packet (gif: IP protocol 4 for IPv4 inside, 41 for IPv6 inside). */
export interface EncapBody {
  readonly proto: 'encap';
  readonly inner: Ipv4Packet | Ipv6Packet;
}

export interface EtherFrame {
  readonly src: Mac;
  readonly dst: Mac;
  readonly payload: ArpPacket | Ipv4Packet | Ipv6Packet;
}

export const ETHER_HEADER_BYTES = 14;
export const ARP_BYTES = 28;
export const IP_HEADER_BYTES = 20;
export const ICMP_HEADER_BYTES = 8;
export const TCP_HEADER_BYTES = 20;

/** Bytes of an IPv4 packet as it goes on the wire (ip_len). */
export function ipLengthBytes(pkt: Ipv4Packet): number {
  const body = pkt.body;
  if (body.proto === 'tcp') return IP_HEADER_BYTES + TCP_HEADER_BYTES + body.dataBytes;
  if (body.proto === 'encap') {
    const inner = body.inner;
    return IP_HEADER_BYTES + (inner.kind === 'ipv6' ? ip6LengthBytes(inner) : ipLengthBytes(inner));
  }
  const icmp = body.icmp;
  switch (icmp.type) {
    case 'echo-request':
    case 'echo-reply':
      return IP_HEADER_BYTES + ICMP_HEADER_BYTES + icmp.dataBytes;
    case 'time-exceeded':
    case 'unreach':
    case 'redirect':
      // icmp_error quotes the offending header and 8 bytes of its payload.
      return IP_HEADER_BYTES + ICMP_HEADER_BYTES + IP_HEADER_BYTES + 8;
    default:
      return assertNeverIcmp(icmp);
  }
}

export function frameLengthBytes(frame: EtherFrame): number {
  const p = frame.payload;
  if (p.kind === 'ipv6') return ETHER_HEADER_BYTES + ip6LengthBytes(p);
  return ETHER_HEADER_BYTES + (p.kind === 'arp' ? ARP_BYTES : ipLengthBytes(p));
}

function assertNeverIcmp(value: never): never {
  throw new Error(`unhandled icmp message: ${JSON.stringify(value)}`);
}

frame6Hooks.ipv4LengthBytes = ipLengthBytes;
