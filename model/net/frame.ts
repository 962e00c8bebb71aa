import type { EtherFrame, Icmp6Message, Ipv4Packet, Ipv6Packet } from './wire.ts';

/** Wire sizes of the packets in wire.ts, so tcpdump's `length N` matches the original captures. */

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

export const IP6_HEADER_BYTES = 40;
const TCP6_HEADER_BYTES = 20;
const ND_OPT_LLADDR_BYTES = 8;

/** Bytes of an ICMPv6 message (icmp6 header included). */
export function icmp6LengthBytes(icmp: Icmp6Message): number {
  switch (icmp.type) {
    case 'echo-request':
    case 'echo-reply':
      return 8 + icmp.dataBytes;
    case 'ns':
      return 24 + (icmp.sllao === undefined ? 0 : ND_OPT_LLADDR_BYTES);
    case 'na':
      return 24 + (icmp.tllao === undefined ? 0 : ND_OPT_LLADDR_BYTES);
    case 'rs':
      return 8 + (icmp.sllao === undefined ? 0 : ND_OPT_LLADDR_BYTES);
    case 'ra':
      return (
        16 +
        (icmp.sllao === undefined ? 0 : ND_OPT_LLADDR_BYTES) +
        (icmp.mtu === undefined ? 0 : 8) +
        32 * icmp.prefixes.length
      );
    case 'redirect':
      // The redirected header option quotes as much of the packet as fits; the model quotes 48 bytes.
      return 40 + (icmp.tllao === undefined ? 0 : ND_OPT_LLADDR_BYTES) + 8 + 48;
    case 'time-exceeded':
    case 'unreach':
      return 8 + Math.min(ip6LengthBytes(icmp.quoted), 1232);
    default:
      return assertNeverIcmp6(icmp);
  }
}

/** Payload bytes of an IPv6 packet (ip6_plen). */
export function ip6PayloadBytes(pkt: Ipv6Packet): number {
  if (pkt.body.proto === 'icmp6') return icmp6LengthBytes(pkt.body.icmp6);
  if (pkt.body.proto === 'tcp') return TCP6_HEADER_BYTES + pkt.body.dataBytes;
  const inner = pkt.body.inner;
  return inner.kind === 'ipv6' ? ip6LengthBytes(inner) : ipLengthBytes(inner);
}

export function ip6LengthBytes(pkt: Ipv6Packet): number {
  return IP6_HEADER_BYTES + ip6PayloadBytes(pkt);
}

function assertNeverIcmp6(value: never): never {
  throw new Error(`unhandled icmp6 message: ${JSON.stringify(value)}`);
}
