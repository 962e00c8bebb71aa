import type { Ipv4Packet, StreamSegment } from './frame.ts';
import type { In6Addr } from './in6.ts';
import type { Mac } from './mac.ts';

/**
 * ICMPv6 messages (RFC 4443) and the neighbour discovery messages riding on them (RFC 4861),
 * with the options the model carries: source / target link-layer address, prefix information,
 * MTU. Lengths follow the wire format so tcpdump's `length N` matches the original captures.
 */
export interface RaPrefix {
  readonly prefix: In6Addr;
  readonly prefixLen: number;
  readonly onLink: boolean;
  readonly autonomous: boolean;
  readonly vltimeSeconds: number;
  readonly pltimeSeconds: number;
}

export type Icmp6Message =
  | {
      readonly type: 'echo-request' | 'echo-reply';
      readonly id: number;
      readonly seq: number;
      readonly dataBytes: number;
    }
  | { readonly type: 'ns'; readonly target: In6Addr; readonly sllao: Mac | undefined }
  | {
      readonly type: 'na';
      readonly target: In6Addr;
      readonly tllao: Mac | undefined;
      readonly router: boolean;
      readonly solicited: boolean;
      readonly override: boolean;
    }
  | { readonly type: 'rs'; readonly sllao: Mac | undefined }
  | {
      readonly type: 'ra';
      readonly routerLifetimeSeconds: number;
      readonly sllao: Mac | undefined;
      readonly mtu: number | undefined;
      readonly prefixes: readonly RaPrefix[];
    }
  | {
      readonly type: 'redirect';
      readonly target: In6Addr;
      readonly dst: In6Addr;
      readonly tllao: Mac | undefined;
      readonly quoted: Ipv6Packet;
    }
  | { readonly type: 'time-exceeded'; readonly quoted: Ipv6Packet }
  | {
      readonly type: 'unreach';
      readonly code: 'noroute' | 'admin' | 'beyondscope' | 'addr' | 'port';
      readonly quoted: Ipv6Packet;
    };

/** What an IPv6 packet carries: ICMPv6, or a tunnelled packet (gif: next header 4 or 41). */
export type Ip6Body =
  | { readonly proto: 'icmp6'; readonly icmp6: Icmp6Message }
  | { readonly proto: 'encap'; readonly inner: Ipv4Packet | Ipv6Packet }
  | StreamSegment;

export interface Ipv6Packet {
  readonly kind: 'ipv6';
  readonly src: In6Addr;
  readonly dst: In6Addr;
  readonly hlim: number;
  readonly body: Ip6Body;
}

/** Sizes an IPv4 packet tunnelled in IPv6 (set by frame.ts, which imports this module). */
export const frame6Hooks: { ipv4LengthBytes: (pkt: Ipv4Packet) => number } = {
  ipv4LengthBytes: () => 0,
};

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
  return inner.kind === 'ipv6' ? ip6LengthBytes(inner) : frame6Hooks.ipv4LengthBytes(inner);
}

export function ip6LengthBytes(pkt: Ipv6Packet): number {
  return IP6_HEADER_BYTES + ip6PayloadBytes(pkt);
}

function assertNeverIcmp6(value: never): never {
  throw new Error(`unhandled icmp6 message: ${JSON.stringify(value)}`);
}
