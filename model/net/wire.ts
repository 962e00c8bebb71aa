import type { In6Addr } from './in6.ts';
import type { InAddr } from './inet.ts';
import type { Mac } from './mac.ts';

/**
 * The packets the ATF substrate puts on its wires, both families in one place because they nest
 * (gif carries either family inside either). Sizes are in frame.ts.
 */

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
